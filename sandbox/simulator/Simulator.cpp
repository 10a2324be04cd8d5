#include "sandbox/simulator/Simulator.h"

#include <iconv.h>
#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Json.h"
#include "gateway/mapping/PositionedJson.h"

namespace fs = std::filesystem;

namespace huitong::simulator {
namespace {

Result<std::string> readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return Error{"simulator.io", "cannot read " + path, path};
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// UTF-8 → `charset` (the department's own encoding).
Result<std::string> fromUtf8(const std::string& text, const std::string& charset) {
  iconv_t cd = iconv_open(charset.c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1))
    return Error{"simulator.charset", "unknown charset " + charset, ""};
  std::string out(text.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(text.data());
  std::size_t inLeft = text.size();
  char* o = out.data();
  std::size_t outLeft = out.size();
  const std::size_t r = iconv(cd, &in, &inLeft, &o, &outLeft);
  iconv_close(cd);
  if (r == static_cast<std::size_t>(-1))
    return Error{"simulator.charset", "text cannot be written in " + charset, ""};
  out.resize(out.size() - outLeft);
  return out;
}

bool isIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  }
  return true;
}

const char* kSurnames[] = {"陈", "李", "黄", "梁", "何", "林", "郑", "冯", "吴", "苏"};
const char* kGiven[] = {"志明", "秀英", "建华", "美玲", "国强",
                        "丽珍", "伟文", "嘉欣", "振邦", "婉仪"};

// One department being played.
class Department {
 public:
  virtual ~Department() = default;
  std::string system;
  std::string caseNoPattern;
  std::size_t stages = 0;
  std::size_t next = 0;  // the next stage of the current case
  long serial = 0;
  Variables vars;

  // Sends stage `next` of the current case. Returns a line for the console.
  virtual Result<std::string> send(EpochMillis now, const Clock& clock) = 0;

  Result<void> newCase(EpochMillis now, std::mt19937& rng) {
    ++serial;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04ld", serial % 10000);
    vars.set("serial", buf);
    auto caseNo = vars.fill(caseNoPattern, now);
    if (!caseNo.ok())
      return caseNo.error();
    vars.set("case_no", caseNo.value());
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    vars.set("name", std::string(kSurnames[pick(0, 9)]) + kGiven[pick(0, 9)]);
    vars.set("name2", std::string(kSurnames[pick(0, 9)]) + kGiven[pick(0, 9)]);
    vars.set("id_no", residentId(pick(1960, 1999), pick(1, 12), pick(1, 28), pick(1, 999)));
    vars.set("id_no2", residentId(pick(1960, 1999), pick(1, 12), pick(1, 28), pick(1, 999)));
    vars.set("id_no_elder", residentId(pick(1936, 1945), pick(1, 12), pick(1, 28), pick(1, 999)));
    vars.set("mobile", "13" + std::to_string(pick(100000000, 999999999)));
    next = 0;
    return {};
  }
};

// Signed HTTP requests: http_json and soap11 departments.
class HttpDepartment final : public Department {
 public:
  std::string url, contentType, soapAction;
  std::vector<std::string> templates;
  std::unique_ptr<auth::Signer> signer;

  Result<std::string> send(EpochMillis now, const Clock& clock) override {
    auto body = vars.fill(templates[next], now);
    if (!body.ok())
      return body.error();
    auth::SignedRequest req;
    req.method = "POST";
    req.targetUri = url;
    req.body = body.value();
    auth::addHeader(req, "content-type", contentType);
    if (auto r = signer->sign(req, clock); !r.ok())
      return r.error();
    try {
      const Poco::URI uri(url);
      Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
      session.setTimeout(Poco::Timespan(10, 0));
      Poco::Net::HTTPRequest hr(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [name, value] : req.headers)
        hr.set(name, value);
      if (!soapAction.empty())
        hr.set("SOAPAction", "\"" + soapAction + "\"");
      hr.setContentLength(static_cast<std::streamsize>(req.body.size()));
      session.sendRequest(hr) << req.body;
      Poco::Net::HTTPResponse res;
      std::istream& in = session.receiveResponse(res);
      std::string answer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const int status = static_cast<int>(res.getStatus());
      if (status >= 300) {
        return Error{"simulator.http",
                     "HTTP " + std::to_string(status) + ": " + answer.substr(0, 300), ""};
      }
      return "POST " + uri.getPath() + " → " + std::to_string(status);
    } catch (const Poco::Exception& e) {
      return Error{"simulator.http", url + ": " + e.displayText(), ""};
    }
  }
};

// A CSV export written in the department's charset and renamed into the watched folder.
class FolderDepartment final : public Department {
 public:
  std::string folder, charset, header, trailer, fileName;
  std::vector<std::string> rows;

  Result<std::string> send(EpochMillis now, const Clock&) override {
    auto row = vars.fill(rows[next], now);
    if (!row.ok())
      return row.error();
    Variables v = vars;
    v.set("count", "1");
    auto tail = v.fill(trailer, now);
    auto name = v.fill(fileName, now);
    if (!tail.ok())
      return tail.error();
    if (!name.ok())
      return name.error();
    const std::string text = header + "\r\n" + row.value() + "\r\n" + tail.value() + "\r\n";
    auto bytes = fromUtf8(text, charset);
    if (!bytes.ok())
      return bytes.error();
    std::error_code ec;
    fs::create_directories(folder, ec);
    // A department's export is complete only once renamed in: write aside first.
    // Two exports in one second: name_2.csv sorts after name.csv, as the second one came later.
    const fs::path stem = fs::path(name.value()).stem(), ext = fs::path(name.value()).extension();
    std::string final = (fs::path(folder) / name.value()).string();
    for (int n = 2; fs::exists(final); ++n)
      final =
          (fs::path(folder) / (stem.string() + "_" + std::to_string(n) + ext.string())).string();
    const std::string part = (fs::path(folder) / ("." + name.value() + ".part")).string();
    {
      std::ofstream out(part, std::ios::binary);
      out << bytes.value();
      if (!out)
        return Error{"simulator.io", "cannot write " + part, ""};
    }
    fs::rename(part, final, ec);
    if (ec)
      return Error{"simulator.io", "cannot rename " + part + ": " + ec.message(), ""};
    return "wrote " + final + " (" + charset + ")";
  }
};

// Rows inserted into the department's front-end table (SQLite).
class TableDepartment final : public Department {
 public:
  std::string database, table, schemaFile;
  std::vector<std::string> rowTemplates;  // JSON objects as text

  ~TableDepartment() override {
    if (db_)
      sqlite3_close(db_);
  }

  Result<void> open() {
    std::error_code ec;
    fs::create_directories(fs::path(database).parent_path(), ec);
    if (sqlite3_open_v2(database.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
      return Error{"simulator.db", database + ": " + sqlite3_errmsg(db_), ""};
    }
    sqlite3_busy_timeout(db_, 5000);
    if (!schemaFile.empty()) {
      auto ddl = readFile(schemaFile);
      if (!ddl.ok())
        return ddl.error();
      char* err = nullptr;
      if (sqlite3_exec(db_, ddl.value().c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        Error e{"simulator.db", schemaFile + ": " + (err ? err : "?"), ""};
        sqlite3_free(err);
        return e;
      }
    }
    return {};
  }

  Result<std::string> send(EpochMillis now, const Clock&) override {
    auto text = vars.fill(rowTemplates[next], now);
    if (!text.ok())
      return text.error();
    auto row = json::parse(text.value());
    if (!row.ok() || !row.value().IsObject())
      return Error{"simulator.script", system + ": a row is a JSON object", ""};
    std::string cols = "ID", params = "(SELECT COALESCE(MAX(ID), 0) + 1 FROM " + table + ")";
    std::vector<const rapidjson::Value*> values;
    for (auto it = row.value().MemberBegin(); it != row.value().MemberEnd(); ++it) {
      const std::string col = it->name.GetString();
      if (!isIdentifier(col))
        return Error{"simulator.script", system + ": not a column name: " + col, ""};
      cols += ", " + col;
      params += ", ?";
      values.push_back(&it->value);
    }
    const std::string sql = "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ")";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      return Error{"simulator.db", std::string(sqlite3_errmsg(db_)) + " in " + sql, ""};
    for (std::size_t i = 0; i < values.size(); ++i) {
      const auto& v = *values[i];
      const int at = static_cast<int>(i) + 1;
      if (v.IsString())
        sqlite3_bind_text(st, at, v.GetString(), static_cast<int>(v.GetStringLength()),
                          SQLITE_TRANSIENT);
      else if (v.IsInt64())
        sqlite3_bind_int64(st, at, v.GetInt64());
      else if (v.IsNumber())
        sqlite3_bind_double(st, at, v.GetDouble());
      else
        sqlite3_bind_null(st, at);
    }
    const int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
      return Error{"simulator.db", std::string(sqlite3_errmsg(db_)), ""};
    return "inserted row " + std::to_string(sqlite3_last_insert_rowid(db_)) + " into " + table;
  }

 private:
  sqlite3* db_ = nullptr;
};

Result<std::unique_ptr<Department>> makeDepartment(const ConfigNode& c, const std::string& system,
                                                   const std::string& scriptsDir,
                                                   const std::string& gateway) {
  auto via = c.oneOf("via", {"http", "folder", "table"}, "http");
  if (!via.ok())
    return via.error();
  const fs::path dir = fs::path(scriptsDir) / system;
  const std::string scriptFile = (dir / "script.json").string();
  auto scriptText = readFile(scriptFile);
  if (!scriptText.ok())
    return scriptText.error();
  auto parsed = mapping::PositionedJson::parse(scriptText.value(), scriptFile);
  if (!parsed.ok())
    return parsed.error();
  const auto& file = parsed.value();
  const ConfigNode script(
      file.root(), "", [&file](const std::string& p) { return file.where(p); }, dir.string());
  if (auto r = script.allowOnly({"comment", "case_no", "stages", "header", "trailer", "file_name"});
      !r.ok())
    return r.error();
  auto caseNo = script.requiredString("case_no");
  if (!caseNo.ok())
    return caseNo.error();
  if (!file.root().HasMember("stages") || !file.root()["stages"].IsArray() ||
      file.root()["stages"].Empty()) {
    return script.fail("stages", "stages is a non-empty list");
  }
  const auto& stages = file.root()["stages"];
  std::unique_ptr<Department> d;
  if (via.value() == "http") {
    if (auto r = c.allowOnly({"via", "url", "content_type", "soap_action", "key_id", "alg",
                              "secret", "private_key_file"});
        !r.ok())
      return r.error();
    auto h = std::make_unique<HttpDepartment>();
    auto block = readHttpDepartment(c, system);
    if (!block.ok())
      return block.error();
    h->url = block.value().url;
    if (!gateway.empty()) {
      try {
        h->url = gateway + Poco::URI(h->url).getPathEtc();
      } catch (const Poco::Exception& e) {
        return c.fail("url", "not a URL: " + e.displayText());
      }
    }
    h->contentType = block.value().contentType;
    h->soapAction = block.value().soapAction;
    h->signer = std::move(block.value().signer);
    for (const auto& s : stages.GetArray()) {
      if (!s.IsString())
        return script.fail("stages", "an http department's stages are file names");
      auto t = readFile((dir / s.GetString()).string());
      if (!t.ok())
        return t.error();
      h->templates.push_back(t.value());
    }
    d = std::move(h);
  } else if (via.value() == "folder") {
    if (auto r = c.allowOnly({"via", "folder", "charset"}); !r.ok())
      return r.error();
    auto f = std::make_unique<FolderDepartment>();
    auto folder = c.requiredString("folder");
    auto charset = c.string("charset", "UTF-8");
    auto header = script.requiredString("header");
    auto trailer = script.string("trailer");
    auto name = script.requiredString("file_name");
    for (const Result<std::string>* r : {&folder, &charset, &header, &trailer, &name}) {
      if (!r->ok())
        return r->error();
    }
    f->folder = c.resolvePath(folder.value());
    f->charset = charset.value();
    f->header = header.value();
    f->trailer = trailer.value();
    f->fileName = name.value();
    for (const auto& s : stages.GetArray()) {
      if (!s.IsString())
        return script.fail("stages", "a folder department's stages are CSV rows");
      f->rows.emplace_back(s.GetString());
    }
    d = std::move(f);
  } else {
    if (auto r = c.allowOnly({"via", "database", "table", "schema_file"}); !r.ok())
      return r.error();
    auto t = std::make_unique<TableDepartment>();
    auto db = c.requiredString("database");
    auto table = c.requiredString("table");
    auto schema = c.string("schema_file");
    for (const Result<std::string>* r : {&db, &table, &schema}) {
      if (!r->ok())
        return r->error();
    }
    if (!isIdentifier(table.value()))
      return c.fail("table", "table must be a plain SQL identifier");
    t->database = c.resolvePath(db.value());
    t->table = table.value();
    t->schemaFile = schema.value().empty() ? "" : c.resolvePath(schema.value());
    for (const auto& s : stages.GetArray()) {
      if (!s.IsObject())
        return script.fail("stages", "a table department's stages are row objects");
      t->rowTemplates.push_back(json::write(s));
    }
    if (auto r = t->open(); !r.ok())
      return r.error();
    d = std::move(t);
  }
  d->system = system;
  d->caseNoPattern = caseNo.value();
  d->stages = stages.Size();
  return d;
}

int twoDigits(const std::string& s, std::size_t at) {
  return std::stoi(s.substr(at, 2));
}

}  // namespace

std::string formatTime(EpochMillis now, const std::string& format) {
  const std::string iso = formatRfc3339(now, 480);  // Beijing time: "YYYY-MM-DDTHH:MM:SS+08:00"
  const std::string year = iso.substr(0, 4);
  const int month = twoDigits(iso, 5), day = twoDigits(iso, 8), hour = twoDigits(iso, 11);
  std::string out;
  for (std::size_t i = 0; i < format.size();) {
    auto take = [&](const char* token) {
      const std::size_t n = std::char_traits<char>::length(token);
      if (format.compare(i, n, token) != 0)
        return false;
      i += n;
      return true;
    };
    if (take("yyyy"))
      out += year;
    else if (take("MM"))
      out += iso.substr(5, 2);
    else if (take("M"))
      out += std::to_string(month);
    else if (take("dd"))
      out += iso.substr(8, 2);
    else if (take("d"))
      out += std::to_string(day);
    else if (take("HH"))
      out += iso.substr(11, 2);
    else if (take("H"))
      out += std::to_string(hour);
    else if (take("mm"))
      out += iso.substr(14, 2);
    else if (take("ss"))
      out += iso.substr(17, 2);
    else
      out += format[i++];
  }
  return out;
}

Result<std::string> Variables::fill(const std::string& text, EpochMillis now) const {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find("${", i);
    if (open == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    out.append(text, i, open - i);
    const auto close = text.find('}', open);
    if (close == std::string::npos)
      return Error{"simulator.script", "unclosed ${ in a script", ""};
    const std::string name = text.substr(open + 2, close - open - 2);
    if (name.rfind("now:", 0) == 0) {
      out += formatTime(now, name.substr(4));
    } else if (name.rfind("next_year:", 0) == 0) {
      out += formatTime(now + 365LL * 86400 * 1000, name.substr(10));
    } else {
      auto it = values_.find(name);
      if (it == values_.end())
        return Error{"simulator.script", "unknown variable ${" + name + "}", ""};
      out += it->second;
    }
    i = close + 1;
  }
  return out;
}

std::string residentId(int year, int month, int day, int serial) {
  char body[40];
  std::snprintf(body, sizeof body, "442000%04d%02d%02d%03d", year, month, day, serial % 1000);
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kCheck[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i)
    sum += (body[i] - '0') * kWeights[i];
  return std::string(body, 17) + kCheck[sum % 11];
}

Result<HttpDepartmentBlock> readHttpDepartment(const ConfigNode& c, const std::string& system) {
  auto url = c.requiredString("url");
  auto type = c.requiredString("content_type");
  auto action = c.string("soap_action");
  auto keyId = c.requiredString("key_id");
  auto alg = c.oneOf("alg", {"hmac-sha256", "ed25519"}, "hmac-sha256");
  auto secret = c.string("secret");
  auto keyFile = c.string("private_key_file");
  for (const Result<std::string>* r : {&url, &type, &action, &keyId, &alg, &secret, &keyFile}) {
    if (!r->ok())
      return r->error();
  }
  HttpDepartmentBlock b;
  b.url = url.value();
  b.contentType = type.value();
  b.soapAction = action.value();
  auth::DepartmentKey key{keyId.value(), system, alg.value(), secret.value(), ""};
  std::string pem;
  if (alg.value() == "ed25519") {
    auto p = readFile(c.resolvePath(keyFile.value()));
    if (!p.ok())
      return c.fail("private_key_file", p.error().message);
    pem = p.value();
  }
  auto signer = auth::Signer::create(key, pem);
  if (!signer.ok())
    return c.fail("", signer.error().message);
  b.signer = std::make_unique<auth::Signer>(std::move(signer).value());
  return b;
}

Result<long> run(const Options& options, const std::atomic<bool>& stop, const Clock& clock) {
  auto text = readFile(options.configFile);
  if (!text.ok())
    return text.error();
  auto parsed = mapping::PositionedJson::parse(text.value(), options.configFile);
  if (!parsed.ok())
    return parsed.error();
  const auto& file = parsed.value();
  const std::string base = fs::path(options.configFile).parent_path().string();
  const ConfigNode root(
      file.root(), "", [&file](const std::string& p) { return file.where(p); },
      base.empty() ? "." : base);
  if (auto r = root.allowOnly({"interval_ms", "scripts", "departments"}); !r.ok())
    return r.error();
  auto interval = root.integer("interval_ms", 3000, 10, 3600000);
  auto scripts = root.requiredString("scripts");
  if (!interval.ok())
    return interval.error();
  if (!scripts.ok())
    return scripts.error();
  auto depts = root.object("departments", true);
  if (!depts.ok())
    return depts.error();
  std::vector<std::unique_ptr<Department>> departments;
  for (auto it = depts.value().value().MemberBegin(); it != depts.value().value().MemberEnd();
       ++it) {
    auto node = depts.value().object(it->name.GetString(), true);
    if (!node.ok())
      return node.error();
    auto d = makeDepartment(node.value(), it->name.GetString(), root.resolvePath(scripts.value()),
                            options.gateway);
    if (!d.ok())
      return d.error();
    departments.push_back(std::move(d).value());
  }
  const long intervalMs = options.intervalMs >= 0 ? options.intervalMs : interval.value();
  std::mt19937 rng(static_cast<unsigned>(clock.now()));
  for (auto& d : departments) {
    // Case numbers differ from run to run, so a restarted demo shows new cases.
    d->serial = static_cast<long>((clock.now() / 1000) % 5000);
    if (auto r = d->newCase(clock.now(), rng); !r.ok())
      return r.error();
  }
  long failures = 0;
  for (long tick = 0; !stop && (options.ticks == 0 || tick < options.ticks); ++tick) {
    for (auto& d : departments) {
      const EpochMillis now = clock.now();
      auto line = d->send(now, clock);
      const std::string caseNo = d->vars.fill("${case_no}", now).value();
      if (line.ok()) {
        options.print(d->system + " " + caseNo + " stage " + std::to_string(d->next + 1) + "/" +
                      std::to_string(d->stages) + ": " + line.value());
        if (++d->next == d->stages) {
          if (auto r = d->newCase(now, rng); !r.ok())
            return r.error();
        }
      } else {
        ++failures;  // the same stage is tried again next tick
        options.print(d->system + " " + caseNo + ": FAILED " + line.error().describe());
      }
    }
    for (long waited = 0;
         !stop && waited < intervalMs && (options.ticks == 0 || tick + 1 < options.ticks);
         waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50L, intervalMs - waited)));
    }
  }
  return failures;
}

namespace {
std::atomic<bool> gStop{false};
extern "C" void onSignal(int) {
  gStop = true;
}
}  // namespace

int runSimulate(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> const std::string* {
      if (a != flag || i + 1 >= args.size())
        return nullptr;
      return &args[++i];
    };
    try {
      if (const auto* v = value("--config")) {
        o.configFile = *v;
      } else if (const auto* v2 = value("--ticks")) {
        o.ticks = std::stol(*v2);
      } else if (const auto* v3 = value("--interval-ms")) {
        o.intervalMs = std::stol(*v3);
      } else if (const auto* v4 = value("--gateway")) {
        o.gateway = *v4;
        while (!o.gateway.empty() && o.gateway.back() == '/')
          o.gateway.pop_back();
      } else if (a == "--help" || a == "-h") {
        std::cout << "usage: huitong simulate --config FILE [--ticks N] [--interval-ms N] "
                     "[--gateway http://HOST:PORT]\n"
                     "Plays the department systems of FILE (sandbox/demo/simulator.json): one "
                     "stage of one case per department per tick, until stopped or N ticks.\n";
        return 0;
      } else {
        std::cerr << "huitong simulate: unknown argument '" << a << "' (see --help)\n";
        return 2;
      }
    } catch (const std::exception&) {
      std::cerr << "huitong simulate: " << a << " takes a whole number\n";
      return 2;
    }
  }
  if (o.configFile.empty()) {
    std::cerr << "huitong simulate: --config FILE is required\n";
    return 2;
  }
  o.print = [](const std::string& line) { std::cout << line << std::endl; };
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  SystemClock clock;
  auto r = run(o, gStop, clock);
  if (!r.ok()) {
    std::cerr << "huitong simulate: " << r.error().describe() << "\n";
    return 2;
  }
  return r.value() == 0 ? 0 : 1;
}

}  // namespace huitong::simulator
