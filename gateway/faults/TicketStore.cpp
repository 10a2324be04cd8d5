// Both backends through storage::StatementDatabase: queries are written once with $n parameters
// (SQLite reads them as ?n).
#include "gateway/faults/TicketStore.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <utility>

#include "gateway/core/WorkCalendar.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::faults {
namespace {

using Param = storage::SqlParam;
using Row = storage::SqlRow;
using Database = storage::StatementDatabase;
constexpr auto* text = &storage::sqlText;
constexpr auto* integer = &storage::sqlInteger;
constexpr auto* blob = &storage::sqlBlob;
constexpr auto* toInt = &storage::sqlInt;

int yearOf(EpochMillis t) {
  return std::atoi(formatDate(chinaDay(t)).substr(0, 4).c_str());
}

constexpr const char* kTicketColumns =
    "id, channel, reporter, contact, reported_at, system, item, type, severity, status, "
    "group_name, assignee, on_site, title, description, source, dedup_key, created_by, "
    "classified_by, fix_version, fix_commit, fix_changed, fix_documentation, created_at, "
    "updated_at, resolved_at, closed_at, version";

Ticket ticketOf(const Row& r) {
  Ticket t;
  t.id = r[0];
  t.channel = parseChannel(r[1]).value_or(Channel::kApi);
  t.reporter = r[2];
  t.contact = r[3];
  t.reportedAt = toInt(r[4]);
  t.system = r[5];
  t.item = r[6];
  t.type = parseTicketType(r[7]).value_or(TicketType::kOther);
  t.severity = parseSeverity(r[8]).value_or(Severity::kGeneral);
  t.status = parseTicketStatus(r[9]).value_or(TicketStatus::kNew);
  t.group = r[10];
  t.assignee = r[11];
  t.onSite = toInt(r[12]) != 0;
  t.title = r[13];
  t.description = r[14];
  t.source = r[15];
  t.dedupKey = r[16];
  t.createdBy = r[17];
  t.classifiedBy = r[18];
  t.fix.version = r[19];
  t.fix.commit = r[20];
  t.fix.changed = r[21];
  t.fix.documentation = r[22];
  t.createdAt = toInt(r[23]);
  t.updatedAt = toInt(r[24]);
  t.resolvedAt = toInt(r[25]);
  t.closedAt = toInt(r[26]);
  t.version = toInt(r[27]);
  return t;
}

std::vector<Param> ticketParams(const Ticket& t) {
  return {text(t.id),
          text(std::string(toString(t.channel))),
          text(t.reporter),
          text(t.contact),
          integer(t.reportedAt),
          text(t.system),
          text(t.item),
          text(std::string(toString(t.type))),
          text(std::string(toString(t.severity))),
          text(std::string(toString(t.status))),
          text(t.group),
          text(t.assignee),
          integer(t.onSite ? 1 : 0),
          text(t.title),
          text(t.description),
          text(t.source),
          text(t.dedupKey),
          text(t.createdBy),
          text(t.classifiedBy),
          text(t.fix.version),
          text(t.fix.commit),
          text(t.fix.changed),
          text(t.fix.documentation),
          integer(t.createdAt),
          integer(t.updatedAt),
          integer(t.resolvedAt),
          integer(t.closedAt),
          integer(t.version)};
}

constexpr const char* kEventColumns =
    "seq, ticket_id, at, actor, kind, from_status, to_status, group_name, assignee, text, detail";

TicketEvent eventOf(const Row& r) {
  TicketEvent e;
  e.seq = toInt(r[0]);
  e.ticketId = r[1];
  e.at = toInt(r[2]);
  e.actor = r[3];
  e.kind = parseEventKind(r[4]).value_or(EventKind::kComment);
  if (!r[5].empty())
    e.fromStatus = parseTicketStatus(r[5]);
  if (!r[6].empty())
    e.toStatus = parseTicketStatus(r[6]);
  e.group = r[7];
  e.assignee = r[8];
  e.text = r[9];
  e.detail = r[10];
  return e;
}

constexpr const char* kAttachmentColumns =
    "id, name, content_type, size, sha256, stored, note, added_at";

AttachmentInfo attachmentOf(const Row& r) {
  AttachmentInfo a;
  a.id = toInt(r[0]);
  a.name = r[1];
  a.contentType = r[2];
  a.size = toInt(r[3]);
  a.sha256 = r[4];
  a.stored = toInt(r[5]) != 0;
  a.note = r[6];
  a.addedAt = toInt(r[7]);
  return a;
}

class Store final : public TicketStore {
 public:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Result<Ticket> create(Ticket ticket, std::vector<TicketEvent> events) override {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      auto done = db_->transaction([&]() -> Result<void> {
        const int year = yearOf(ticket.createdAt);
        auto counter = db_->run(
            "INSERT INTO ticket_counter (year, last) VALUES ($1, 1) ON CONFLICT (year) DO UPDATE "
            "SET last = ticket_counter.last + 1 RETURNING last",
            {integer(year)});
        if (!counter.ok())
          return counter.error();
        const std::int64_t number = toInt(counter.value().at(0).at(0));
        ticket.id = formatTicketId(year, number);
        ticket.version = 1;
        if (ticket.updatedAt == 0)
          ticket.updatedAt = ticket.createdAt;
        auto params = ticketParams(ticket);
        params.insert(params.begin() + 1, {integer(year), integer(number)});
        auto ins =
            db_->run(std::string("INSERT INTO ticket (id, year, number, ") + (kTicketColumns + 4) +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                         "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, "
                         "$26, $27, $28, $29, $30)",
                     params);
        if (!ins.ok()) {
          if (ins.error().code == "store.constraint" ||
              ins.error().message.find("ticket_dedup_open") != std::string::npos ||
              ins.error().message.find("duplicate key") != std::string::npos)
            return Error{"ticket.duplicate",
                         "an open ticket already holds dedup key " + ticket.dedupKey, "dedup_key"};
          return ins.error();
        }
        return appendEvents(ticket.id, events);
      });
      if (!done.ok())
        return done.error();
      return ticket;
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("creating a ticket: ") + e.what(), ""};
    }
  }

  Result<std::optional<Ticket>> get(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return load(id);
  }

  Result<std::vector<Ticket>> list(const TicketFilter& f) override {
    std::string sql = std::string("SELECT ") + kTicketColumns + " FROM ticket WHERE 1 = 1";
    std::vector<Param> params;
    auto add = [&](const std::string& clause, Param p) {
      params.push_back(std::move(p));
      sql += " AND " + clause + " $" + std::to_string(params.size());
    };
    if (!f.statuses.empty()) {
      sql += " AND status IN (";
      for (std::size_t i = 0; i < f.statuses.size(); ++i) {
        params.push_back(text(std::string(toString(f.statuses[i]))));
        sql += (i ? ", $" : "$") + std::to_string(params.size());
      }
      sql += ")";
    }
    if (f.openOnly)
      sql += " AND status NOT IN ('resolved', 'closed')";
    if (!f.assignee.empty())
      add("assignee =", text(f.assignee));
    if (!f.group.empty())
      add("group_name =", text(f.group));
    if (!f.system.empty())
      add("system =", text(f.system));
    if (!f.item.empty())
      add("item =", text(f.item));
    if (f.type)
      add("type =", text(std::string(toString(*f.type))));
    if (f.severity)
      add("severity =", text(std::string(toString(*f.severity))));
    if (f.channel)
      add("channel =", text(std::string(toString(*f.channel))));
    if (f.createdFrom > 0)
      add("created_at >=", integer(f.createdFrom));
    if (f.createdTo > 0)
      add("created_at <", integer(f.createdTo));
    sql += " ORDER BY created_at DESC, year DESC, number DESC LIMIT " +
           std::to_string(std::clamp(f.limit, 1, kMaxTicketPage));
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(sql, params);
    if (!rows.ok())
      return rows.error();
    std::vector<Ticket> out;
    for (const auto& r : rows.value())
      out.push_back(ticketOf(r));
    return out;
  }

  Result<std::optional<Ticket>> openByDedupKey(const std::string& dedupKey) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(std::string("SELECT id FROM ticket WHERE dedup_key = $1 AND status NOT "
                                     "IN ('resolved', 'closed')"),
                         {text(dedupKey)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty() || dedupKey.empty())
      return std::optional<Ticket>();
    return load(rows.value()[0][0]);
  }

  Result<Ticket> update(Ticket next, std::vector<TicketEvent> events) override {
    return update(std::move(next), std::move(events), nullptr);
  }

  Result<void> appendHistory(const std::string& ticketId,
                             std::vector<TicketEvent> events) override {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      return db_->transaction([&]() -> Result<void> {
        auto exists = db_->run("SELECT version FROM ticket WHERE id = $1", {text(ticketId)});
        if (!exists.ok())
          return exists.error();
        if (exists.value().empty())
          return Error{"ticket.not_found", "no ticket " + ticketId, "id"};
        return appendEvents(ticketId, events);
      });
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("appending to a ticket's history: ") + e.what(),
                   ""};
    }
  }

  Result<void> withDatabase(const DatabaseWork& work, bool transaction) override {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      if (transaction)
        return db_->transaction([&]() { return work(*db_); });
      return work(*db_);
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("fault ticket store: ") + e.what(), ""};
    }
  }

  Result<Ticket> update(Ticket next, std::vector<TicketEvent> events,
                        const DatabaseWork& inTransaction) override {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      const std::int64_t expected = next.version;
      auto done = db_->transaction([&]() -> Result<void> {
        next.version = expected + 1;
        auto params = ticketParams(next);
        params.push_back(integer(expected));
        auto rows = db_->run(
            "UPDATE ticket SET channel = $2, reporter = $3, contact = $4, reported_at = $5, "
            "system = $6, item = $7, type = $8, severity = $9, status = $10, group_name = $11, "
            "assignee = $12, on_site = $13, title = $14, description = $15, source = $16, "
            "dedup_key = $17, created_by = $18, classified_by = $19, fix_version = $20, "
            "fix_commit = $21, fix_changed = $22, fix_documentation = $23, created_at = $24, "
            "updated_at = $25, resolved_at = $26, closed_at = $27, version = $28 WHERE id = $1 "
            "AND version = $29 RETURNING id",
            params);
        if (!rows.ok()) {
          if (rows.error().code == "store.constraint" ||
              rows.error().message.find("duplicate key") != std::string::npos)
            return Error{"ticket.duplicate",
                         "an open ticket already holds dedup key " + next.dedupKey, "dedup_key"};
          return rows.error();
        }
        if (rows.value().empty()) {
          auto exists = db_->run("SELECT version FROM ticket WHERE id = $1", {text(next.id)});
          if (!exists.ok())
            return exists.error();
          if (exists.value().empty())
            return Error{"ticket.not_found", "no ticket " + next.id, "id"};
          return Error{"ticket.stale",
                       "ticket " + next.id + " changed meanwhile (version " + exists.value()[0][0] +
                           ", expected " + std::to_string(expected) + ")",
                       "version"};
        }
        if (auto appended = appendEvents(next.id, events); !appended.ok())
          return appended;
        return inTransaction ? inTransaction(*db_) : Result<void>();
      });
      if (!done.ok())
        return done.error();
      auto stored = load(next.id);
      if (!stored.ok())
        return stored.error();
      return *stored.value();
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("updating a ticket: ") + e.what(), ""};
    }
  }

  Result<std::vector<TicketEvent>> events(const std::string& ticketId) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(std::string("SELECT ") + kEventColumns +
                             " FROM ticket_event WHERE ticket_id = $1 ORDER BY seq",
                         {text(ticketId)});
    if (!rows.ok())
      return rows.error();
    std::vector<TicketEvent> out;
    for (const auto& r : rows.value())
      out.push_back(eventOf(r));
    return out;
  }

  Result<AttachmentInfo> addAttachment(const std::string& ticketId, AttachmentInfo info,
                                       const std::string& bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "INSERT INTO ticket_attachment (ticket_id, name, content_type, size, sha256, stored, "
        "note, added_at, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        {text(ticketId), text(info.name), text(info.contentType), integer(info.size),
         text(info.sha256), integer(info.stored ? 1 : 0), text(info.note), integer(info.addedAt),
         blob(info.stored ? bytes : std::string())});
    if (!rows.ok())
      return rows.error();
    info.id = toInt(rows.value().at(0).at(0));
    return info;
  }

  Result<std::optional<std::pair<AttachmentInfo, std::string>>> attachment(
      const std::string& ticketId, std::int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(std::string("SELECT ") + kAttachmentColumns +
                             ", bytes FROM ticket_attachment WHERE ticket_id = $1 AND id = $2",
                         {text(ticketId), integer(id)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty())
      return std::optional<std::pair<AttachmentInfo, std::string>>();
    const auto& r = rows.value()[0];
    return std::optional<std::pair<AttachmentInfo, std::string>>(
        std::make_pair(attachmentOf(r), db_->postgres() ? storage::fromByteaHex(r[8]) : r[8]));
  }

  Result<void> addMailRef(const std::string& messageId, const std::string& ticketId) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = db_->run(
        "INSERT INTO ticket_mail_ref (message_id, ticket_id) VALUES ($1, $2) ON CONFLICT "
        "(message_id) DO NOTHING",
        {text(messageId), text(ticketId)});
    if (!r.ok())
      return r.error();
    return {};
  }

  Result<std::optional<std::string>> ticketByMailRef(const std::string& messageId) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows =
        db_->run("SELECT ticket_id FROM ticket_mail_ref WHERE message_id = $1", {text(messageId)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty())
      return std::optional<std::string>();
    return std::optional<std::string>(rows.value()[0][0]);
  }

  Result<std::int64_t> nextRotation(const std::string& group) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "INSERT INTO ticket_rotation (group_name, position) VALUES ($1, 0) ON CONFLICT "
        "(group_name) DO UPDATE SET position = ticket_rotation.position + 1 RETURNING position",
        {text(group)});
    if (!rows.ok())
      return rows.error();
    return toInt(rows.value().at(0).at(0));
  }

 private:
  // REQUIRES: mu_ held.
  Result<std::optional<Ticket>> load(const std::string& id) {
    auto rows = db_->run(std::string("SELECT ") + kTicketColumns + " FROM ticket WHERE id = $1",
                         {text(id)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty())
      return std::optional<Ticket>();
    Ticket t = ticketOf(rows.value()[0]);
    auto att = db_->run(std::string("SELECT ") + kAttachmentColumns +
                            " FROM ticket_attachment WHERE ticket_id = $1 ORDER BY id",
                        {text(id)});
    if (!att.ok())
      return att.error();
    for (const auto& r : att.value())
      t.attachments.push_back(attachmentOf(r));
    return std::optional<Ticket>(std::move(t));
  }

  // REQUIRES: mu_ held, inside a transaction.
  Result<void> appendEvents(const std::string& ticketId, const std::vector<TicketEvent>& events) {
    for (const auto& e : events) {
      auto r = db_->run(
          "INSERT INTO ticket_event (ticket_id, at, actor, kind, from_status, to_status, "
          "group_name, assignee, text, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          {text(ticketId), integer(e.at), text(e.actor), text(std::string(toString(e.kind))),
           text(e.fromStatus ? std::string(toString(*e.fromStatus)) : std::string()),
           text(e.toStatus ? std::string(toString(*e.toStatus)) : std::string()), text(e.group),
           text(e.assignee), text(e.text), text(e.detail)});
      if (!r.ok())
        return r.error();
    }
    return {};
  }

  std::mutex mu_;
  std::unique_ptr<Database> db_;
};

}  // namespace

Result<std::unique_ptr<TicketStore>> TicketStore::open(const storage::StoreConfig& config) {
  try {
    auto db = storage::StatementDatabase::open(config, "faults", "fault tickets");
    if (!db.ok())
      return db.error();
    return std::unique_ptr<TicketStore>(std::make_unique<Store>(std::move(db).value()));
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string("opening the ticket store failed: ") + e.what(), ""};
  }
}

}  // namespace huitong::faults
