#include "adapters/db_poll/FrontEndTable.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>

#include <Poco/Data/LOB.h>
#include <Poco/Data/MetaColumn.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#ifdef HUITONG_DB_POLL_MYSQL
#include <Poco/Data/MySQL/Connector.h>
#endif

namespace huitong::adapters::dbpoll {
namespace {

using Poco::Data::MetaColumn;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

bool sameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 3629 well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF): the
// intake refuses a whole message that is not, so a bad row must be caught here, alone.
bool isUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    int n = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      ++p;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      lo = c == 0xE0 ? 0xA0 : 0x80;
      hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      lo = c == 0xF0 ? 0x90 : 0x80;
      hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
      return false;
    }
    if (end - p <= n)
      return false;
    if (p[1] < lo || p[1] > hi)
      return false;
    for (int i = 2; i <= n; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF)
        return false;
    }
    p += n + 1;
  }
  return true;
}

// A single-precision REAL (PostgreSQL's float4) as the double its shortest decimal names, so
// that 187.6 stays 187.6 rather than becoming 187.600006103515625.
double widenFloat(float f) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 1, f);
  if (ec != std::errc())
    return static_cast<double>(f);
  *end = '\0';
  return std::strtod(buf, nullptr);
}

std::string textOf(const Poco::Dynamic::Var& v) {
  if (v.type() == typeid(Poco::Data::CLOB)) {
    const auto& lob = v.extract<Poco::Data::CLOB>();
    return std::string(lob.rawContent(), lob.size());
  }
  if (v.type() == typeid(Poco::Data::BLOB)) {
    const auto& lob = v.extract<Poco::Data::BLOB>();
    return std::string(reinterpret_cast<const char*>(lob.rawContent()), lob.size());
  }
  return v.convert<std::string>();
}

using RowWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Writes one value as JSON; returns false when it is text that is not UTF-8 (null written).
bool writeValue(RowWriter& w, const Poco::Data::RecordSet& rs, std::size_t col, std::size_t row) {
  if (rs.isNull(col, row)) {
    w.Null();
    return true;
  }
  const Poco::Dynamic::Var v = rs.value(col, row);
  switch (rs.columnType(col)) {
    case MetaColumn::FDT_BOOL:
      w.Bool(v.convert<bool>());
      return true;
    case MetaColumn::FDT_INT8:
    case MetaColumn::FDT_UINT8:
    case MetaColumn::FDT_INT16:
    case MetaColumn::FDT_UINT16:
    case MetaColumn::FDT_INT32:
    case MetaColumn::FDT_UINT32:
    case MetaColumn::FDT_INT64:
      w.Int64(v.convert<Poco::Int64>());
      return true;
    case MetaColumn::FDT_UINT64:
      w.Uint64(v.convert<Poco::UInt64>());
      return true;
    case MetaColumn::FDT_FLOAT:
    case MetaColumn::FDT_DOUBLE: {
      const double d = rs.columnType(col) == MetaColumn::FDT_FLOAT ? widenFloat(v.convert<float>())
                                                                   : v.convert<double>();
      if (std::isfinite(d))
        w.Double(d);
      else
        w.Null();
      return true;
    }
    default: {
      const std::string s = textOf(v);
      if (!isUtf8(s)) {
        w.Null();
        return false;
      }
      w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
      return true;
    }
  }
}

std::int64_t integerOf(const Poco::Data::RecordSet& rs, std::size_t col, std::size_t row,
                       const std::string& name) {
  if (rs.isNull(col, row))
    throw Poco::DataException("column " + name + " is NULL in a row");
  return rs.value(col, row).convert<Poco::Int64>();
}

}  // namespace

FrontEndTable::FrontEndTable(const DbPollConfig& config) : config_(config) {}

FrontEndTable::~FrontEndTable() {
  disconnect();
}

void FrontEndTable::registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
#ifdef HUITONG_DB_POLL_MYSQL
    Poco::Data::MySQL::Connector::registerConnector();
#endif
  });
}

Result<double> FrontEndTable::connect() {
  disconnect();
  const auto start = Clock::now();
  try {
    registerConnectors();
    session_ = std::make_unique<Poco::Data::Session>(config_.connectorName, config_.connection,
                                                     config_.connectTimeoutS);
    if (config_.connector == Connector::kSqlite) {
      // The department's system writes the file while we read: wait for its locks (seconds).
      session_->setConnectionTimeout(static_cast<std::size_t>(config_.connectTimeoutS));
    }
  } catch (const Poco::Exception& e) {
    session_.reset();
    return Error{"db.connect", e.displayText(), config_.connectorName};
  } catch (const std::exception& e) {
    session_.reset();
    return Error{"db.connect", e.what(), config_.connectorName};
  }
  return msSince(start);
}

void FrontEndTable::disconnect() {
  if (!session_)
    return;
  try {
    session_->close();
  } catch (const std::exception&) {
    // A session whose server went away may fail to close; it is dropped either way.
  }
  session_.reset();
}

std::string FrontEndTable::parameterMarker(int n) const {
  return config_.connector == Connector::kPostgresql ? "$" + std::to_string(n) : "?";
}

std::string FrontEndTable::selectSql(bool withCursor) const {
  std::string list;
  for (const auto& c : config_.columns)
    list += (list.empty() ? "" : ", ") + c;
  if (list.empty())
    list = "*";
  std::string sql = "SELECT " + list + " FROM " + config_.table;
  const std::string& id = config_.idColumn;
  const std::string limit = " LIMIT " + std::to_string(config_.batchRows);
  if (config_.mode == Mode::kFlag) {
    sql += " WHERE " + config_.flagColumn + " = 0";
    if (withCursor)
      sql += " AND " + id + " > " + parameterMarker(1);
    return sql + " ORDER BY " + id + limit;
  }
  const std::string& w = config_.watermarkColumn;
  if (sameName(w, id)) {
    if (withCursor)
      sql += " WHERE " + id + " > " + parameterMarker(1);
    return sql + " ORDER BY " + id + limit;
  }
  if (withCursor) {
    sql += " WHERE (" + w + " > " + parameterMarker(1) + " OR (" + w + " = " + parameterMarker(2) +
           " AND " + id + " > " + parameterMarker(3) + "))";
  }
  return sql + " ORDER BY " + w + ", " + id + limit;
}

Result<RowBatch> FrontEndTable::unflagged(std::optional<std::int64_t> afterId) {
  return read(selectSql(afterId.has_value()), std::nullopt, afterId);
}

Result<RowBatch> FrontEndTable::after(const std::optional<Watermark>& from) {
  return read(selectSql(from.has_value()), from, std::nullopt);
}

Result<RowBatch> FrontEndTable::read(const std::string& sql, const std::optional<Watermark>& from,
                                     std::optional<std::int64_t> afterId) {
  if (!session_)
    return Error{"db.query", "not connected", config_.table};
  RowBatch batch;
  const auto start = Clock::now();
  try {
    using Poco::Data::Keywords::use;
    Poco::Data::Statement st(*session_);
    Poco::Int64 id = afterId.value_or(0);
    Poco::Int64 number = from ? from->number : 0;
    std::string text = from ? from->text : std::string();
    Poco::Int64 markId = from ? from->id : 0;
    st << sql;
    if (afterId) {
      st, use(id);
    } else if (from) {
      if (sameName(config_.watermarkColumn, config_.idColumn)) {
        st, use(number);
      } else if (from->integer) {
        st, use(number), use(number), use(markId);
      } else {
        st, use(text), use(text), use(markId);
      }
    }
    st.execute();
    Poco::Data::RecordSet rs(st);
    const std::size_t columns = rs.columnCount();
    std::optional<std::size_t> idCol, versionCol, markCol;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string& name = rs.columnName(c);
      if (sameName(name, config_.idColumn))
        idCol = c;
      if (sameName(name, config_.versionColumn))
        versionCol = c;
      if (config_.mode == Mode::kWatermark && sameName(name, config_.watermarkColumn))
        markCol = c;
    }
    if (!idCol)
      return Error{"db.query", "the result has no column " + config_.idColumn, config_.table};
    if (config_.mode == Mode::kWatermark && !markCol) {
      return Error{"db.query", "the result has no column " + config_.watermarkColumn,
                   config_.table};
    }
    const std::size_t rows = rs.rowCount();
    batch.rows.reserve(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      Row row;
      row.id = integerOf(rs, *idCol, r, config_.idColumn);
      if (versionCol && !rs.isNull(*versionCol, r))
        row.version = rs.value(*versionCol, r).convert<std::string>();
      if (markCol) {
        row.mark.id = row.id;
        const auto t = rs.columnType(*markCol);
        row.mark.integer = t >= MetaColumn::FDT_INT8 && t <= MetaColumn::FDT_UINT64;
        if (row.mark.integer)
          row.mark.number = integerOf(rs, *markCol, r, config_.watermarkColumn);
        else if (rs.isNull(*markCol, r))
          throw Poco::DataException("column " + config_.watermarkColumn + " is NULL in a row");
        else
          row.mark.text = rs.value(*markCol, r).convert<std::string>();
      }
      rapidjson::StringBuffer buf;
      RowWriter w(buf);
      w.StartObject();
      for (std::size_t c = 0; c < columns; ++c) {
        const std::string& name = rs.columnName(c);
        w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        if (!writeValue(w, rs, c, r) && row.unreadable.empty())
          row.unreadable = "column " + name + " is not UTF-8 text";
      }
      w.EndObject();
      row.json.assign(buf.GetString(), buf.GetSize());
      batch.rows.push_back(std::move(row));
    }
  } catch (const Poco::Exception& e) {
    return Error{"db.query", e.displayText(), config_.table};
  } catch (const std::exception& e) {
    return Error{"db.query", e.what(), config_.table};
  }
  batch.queryMs = msSince(start);
  return batch;
}

Result<void> FrontEndTable::flag(const std::vector<std::int64_t>& ids) {
  if (ids.empty())
    return {};
  if (!session_)
    return Error{"db.update", "not connected", config_.table};
  try {
    session_->begin();
    try {
      for (std::size_t at = 0; at < ids.size(); at += static_cast<std::size_t>(config_.flagBatch)) {
        const std::size_t end =
            std::min(ids.size(), at + static_cast<std::size_t>(config_.flagBatch));
        // The ids are integers read from the table itself: written as literals they cannot
        // carry SQL, and one statement text per batch size keeps the driver simple.
        std::string sql = "UPDATE " + config_.table + " SET " + config_.flagColumn + " = 1 WHERE " +
                          config_.flagColumn + " = 0 AND " + config_.idColumn + " IN (";
        for (std::size_t i = at; i < end; ++i)
          sql += (i == at ? "" : ",") + std::to_string(ids[i]);
        sql += ")";
        Poco::Data::Statement st(*session_);
        st << sql;
        st.execute();
      }
      session_->commit();
    } catch (...) {
      try {
        session_->rollback();
      } catch (const std::exception&) {
        // The transaction dies with the session when the server has gone.
      }
      throw;
    }
  } catch (const Poco::Exception& e) {
    return Error{"db.update", e.displayText(), config_.table};
  } catch (const std::exception& e) {
    return Error{"db.update", e.what(), config_.table};
  }
  return {};
}

Result<std::int64_t> FrontEndTable::countUnflagged() {
  if (!session_)
    return Error{"db.query", "not connected", config_.table};
  try {
    using Poco::Data::Keywords::into;
    using Poco::Data::Keywords::now;
    Poco::Int64 n = 0;
    *session_ << "SELECT COUNT(*) FROM " + config_.table + " WHERE " + config_.flagColumn + " = 0",
        into(n), now;
    return static_cast<std::int64_t>(n);
  } catch (const Poco::Exception& e) {
    return Error{"db.query", e.displayText(), config_.table};
  } catch (const std::exception& e) {
    return Error{"db.query", e.what(), config_.table};
  }
}

}  // namespace huitong::adapters::dbpoll
