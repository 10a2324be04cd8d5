#include "gateway/faults/TicketService.h"

#include <openssl/sha.h>

#include <cstdio>

#include "gateway/core/Json.h"
#include "gateway/faults/MajorReports.h"

namespace huitong::faults {
namespace {

using Doc = rapidjson::Document;

std::string sha256Hex(const std::string& bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  std::string out;
  char buf[3];
  for (unsigned char c : md) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

Error forbidden(const std::string& why) {
  return Error{"ticket.forbidden", why, ""};
}
Error invalid(const std::string& field, const std::string& why) {
  return Error{"ticket.invalid", why, field};
}

std::string firstLine(const std::string& s) {
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

std::string detailJson(std::initializer_list<std::pair<const char*, std::string>> members) {
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  for (const auto& [k, v] : members)
    d.AddMember(rapidjson::StringRef(k), json::string(v, a), a);
  return json::write(d);
}

}  // namespace

Caller Caller::staff(const registry::Actor& actor) {
  return Caller{actor.name, registry::toString(actor.role), actor.system};
}

std::string ticketJson(const Ticket& t) {
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const char* k, const std::string& v) {
    d.AddMember(rapidjson::StringRef(k), json::string(v, a), a);
  };
  auto time = [&](const char* k, EpochMillis v) {
    if (v > 0)
      str(k, formatRfc3339(v));
    else
      d.AddMember(rapidjson::StringRef(k), rapidjson::Value(), a);
  };
  str("id", t.id);
  str("channel", std::string(toString(t.channel)));
  str("reporter", t.reporter);
  str("contact", t.contact);
  time("reported_at", t.reportedAt);
  str("system", t.system);
  str("item", t.item);
  str("type", std::string(toString(t.type)));
  str("severity", std::string(toString(t.severity)));
  str("status", std::string(toString(t.status)));
  str("group", t.group);
  str("assignee", t.assignee);
  d.AddMember("on_site", t.onSite, a);
  str("title", t.title);
  str("description", t.description);
  str("source", t.source);
  str("dedup_key", t.dedupKey);
  str("created_by", t.createdBy);
  str("classified_by", t.classifiedBy);
  rapidjson::Value fix(rapidjson::kObjectType);
  fix.AddMember("version", json::string(t.fix.version, a), a);
  fix.AddMember("commit", json::string(t.fix.commit, a), a);
  fix.AddMember("changed", json::string(t.fix.changed, a), a);
  fix.AddMember("documentation", json::string(t.fix.documentation, a), a);
  d.AddMember("fix", fix, a);
  rapidjson::Value atts(rapidjson::kArrayType);
  for (const auto& x : t.attachments) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("id", static_cast<std::int64_t>(x.id), a);
    o.AddMember("name", json::string(x.name, a), a);
    o.AddMember("content_type", json::string(x.contentType, a), a);
    o.AddMember("size", static_cast<std::int64_t>(x.size), a);
    o.AddMember("sha256", json::string(x.sha256, a), a);
    o.AddMember("stored", x.stored, a);
    o.AddMember("note", json::string(x.note, a), a);
    atts.PushBack(o, a);
  }
  d.AddMember("attachments", atts, a);
  time("created_at", t.createdAt);
  time("updated_at", t.updatedAt);
  time("resolved_at", t.resolvedAt);
  time("closed_at", t.closedAt);
  d.AddMember("version", static_cast<std::int64_t>(t.version), a);
  return json::write(d);
}

std::string eventJson(const TicketEvent& e) {
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("seq", static_cast<std::int64_t>(e.seq), a);
  d.AddMember("at", json::string(formatRfc3339(e.at), a), a);
  d.AddMember("actor", json::string(e.actor, a), a);
  d.AddMember("kind", json::string(std::string(toString(e.kind)), a), a);
  if (e.fromStatus)
    d.AddMember("from", json::string(std::string(toString(*e.fromStatus)), a), a);
  if (e.toStatus)
    d.AddMember("to", json::string(std::string(toString(*e.toStatus)), a), a);
  if (!e.group.empty())
    d.AddMember("group", json::string(e.group, a), a);
  if (!e.assignee.empty())
    d.AddMember("assignee", json::string(e.assignee, a), a);
  d.AddMember("text", json::string(e.text, a), a);
  if (!e.detail.empty()) {
    auto parsed = json::parse(e.detail);
    if (parsed.ok()) {
      rapidjson::Value v(parsed.value(), a);
      d.AddMember("detail", v, a);
    }
  }
  return json::write(d);
}

bool TicketService::canWrite(const Caller& c) const {
  return c.role == "admin" || c.role == "operator" || c.role == "system";
}

TicketEvent TicketService::event(const Ticket& t, const Caller& caller, EventKind kind,
                                 const std::string& text) const {
  TicketEvent e;
  e.ticketId = t.id;
  e.at = clock_.now();
  e.actor = caller.label();
  e.kind = kind;
  e.text = text;
  return e;
}

Result<void> TicketService::audit(const Caller& caller, const std::string& action, const Ticket& t,
                                  const std::string& before, const std::string& after) {
  registry::AuditEntry e;
  e.at = clock_.now();
  e.actor = caller.name;
  e.role = caller.role;
  e.action = action;
  e.target = "ticket " + t.id;
  e.system = t.system;
  e.item = t.item;
  e.before = before.empty() ? "null" : before;
  e.after = after.empty() ? "null" : after;
  auto r = audit_.appendAudit(e);
  if (!r.ok())
    return r.error();
  return {};
}

Result<Ticket> TicketService::load(const std::string& id) {
  auto t = store_.get(id);
  if (!t.ok())
    return t.error();
  if (!t.value())
    return Error{"ticket.not_found", "no ticket " + id, "id"};
  return *t.value();
}

Result<void> TicketService::dispatchTo(Ticket& t, const std::string& groupName,
                                       const std::string& rule, const Caller& caller,
                                       EventKind kind, const std::string& reason,
                                       std::vector<TicketEvent>& events) {
  const MaintainerGroup* g = rules_.group(groupName);
  if (g == nullptr)
    return invalid("group", "no maintainer group \"" + groupName + "\"");
  const auto duty = rules_.onDuty(*g, clock_.now(), calendar_);
  t.group = g->name;
  if (duty.empty()) {
    t.assignee.clear();
    auto e = event(t, caller, EventKind::kNobodyOnDuty,
                   "nobody of group " + g->name + " is on duty: assigned to the group");
    e.group = g->name;
    events.push_back(e);
  } else {
    auto pos = store_.nextRotation(g->name);
    if (!pos.ok())
      return pos.error();
    t.assignee =
        duty[static_cast<std::size_t>(pos.value() % static_cast<std::int64_t>(duty.size()))];
  }
  auto e = event(t, caller, kind, reason);
  e.group = t.group;
  e.assignee = t.assignee;
  e.detail = detailJson({{"rule", rule}, {"on_duty", std::to_string(duty.size())}});
  events.push_back(e);
  if (t.status == TicketStatus::kNew) {
    auto s = event(t, caller, EventKind::kStatus, "dispatched");
    s.fromStatus = TicketStatus::kNew;
    s.toStatus = TicketStatus::kAssigned;
    t.status = TicketStatus::kAssigned;
    events.push_back(s);
  }
  return {};
}

void TicketService::notifyAfter(Ticket& t, const std::string& ev, const std::string& summary) {
  if (notifier_ == nullptr)
    return;
  TicketNotice n;
  n.ticketId = t.id;
  n.event = ev;
  n.group = t.group;
  n.assignee = t.assignee;
  n.summary = summary;
  n.severity = t.severity;
  n.at = clock_.now();
  if (const auto* g = rules_.group(t.group); g != nullptr && !g->channels.empty())
    n.channels = g->channels;
  else
    n.channels = rules_.channels;
  auto sent = notifier_->notify(n);
  // Queued for the sender thread: it reports the outcome (recordNotified).
  if (sent.ok() && notifier_->deferred())
    return;
  appendNotified(t, ev + ": " + (sent.ok() ? sent.value() : "failed: " + sent.error().describe()));
}

void TicketService::recordNotified(const TicketNotice& n, const Result<std::string>& outcome) {
  auto loaded = store_.get(n.ticketId);
  if (!loaded.ok() || !loaded.value())
    return;
  // History only: the ticket's version stays, so that the person who just changed it can change
  // it again with the version the answer gave them.
  auto e = event(
      *loaded.value(), Caller::gateway("notify"), EventKind::kNotified,
      n.event + ": " + (outcome.ok() ? outcome.value() : "failed: " + outcome.error().describe()));
  (void)store_.appendHistory(n.ticketId, {e});
}

void TicketService::appendNotified(Ticket& t, const std::string& text) {
  auto e = event(t, Caller::gateway("notify"), EventKind::kNotified, text);
  // The history keeps the outcome; a lost race with another change only loses this note's
  // retry, never the change itself.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto stored = store_.update(t, {e});
    if (stored.ok()) {
      t = stored.value();
      return;
    }
    auto fresh = store_.get(t.id);
    if (!fresh.ok() || !fresh.value())
      return;
    t = *fresh.value();
  }
}

Result<TicketService::Created> TicketService::create(const NewTicket& in, const Caller& caller) {
  const bool automatic = in.channel == Channel::kAlert || in.channel == Channel::kHealth;
  if (caller.role == "auditor")
    return forbidden("auditors read tickets; they do not open them");
  if (automatic && caller.role != "system")
    return forbidden("alert and health tickets are opened by monitoring only");
  if (caller.role == "department") {
    if (in.channel != Channel::kApi)
      return forbidden("a department opens tickets through the API channel only");
    if (in.system != caller.system)
      return forbidden("a department opens tickets for its own system (" + caller.system +
                       ") only");
  }
  if (in.title.empty() && in.description.empty())
    return invalid("description", "a ticket needs a title or a description");
  if (in.channel == Channel::kPhone || in.channel == Channel::kFax) {
    if (in.reporter.empty())
      return invalid("reporter", "a phone or fax ticket needs the caller (reporter)");
    if (in.contact.empty())
      return invalid("contact", "a phone or fax ticket needs the caller's number (contact)");
    if (in.reportedAt <= 0)
      return invalid("reported_at", "a phone or fax ticket needs the time of the call");
  }
  const EpochMillis now = clock_.now();
  if (in.reportedAt > now + 60000)
    return invalid("reported_at", "the time of the call is in the future");
  if (static_cast<int>(in.attachments.size()) > rules_.attachments.maxCount)
    return Error{"ticket.attachment",
                 "at most " + std::to_string(rules_.attachments.maxCount) + " attachments",
                 "attachments"};
  if (automatic && !in.dedupKey.empty()) {
    auto open = store_.openByDedupKey(in.dedupKey);
    if (!open.ok())
      return open.error();
    if (open.value()) {
      auto annotated = problemFiring(in.channel, in.source, in.dedupKey, in.description, in.system,
                                     in.item, now);
      return annotated;
    }
  }

  Ticket t;
  t.channel = in.channel;
  t.reporter = in.reporter.empty() ? caller.name : in.reporter;
  t.contact = in.contact;
  t.reportedAt = in.reportedAt > 0 ? in.reportedAt : now;
  t.system = in.system;
  t.item = in.item;
  t.title = in.title.empty() ? firstLine(in.description) : in.title;
  t.description = in.description;
  t.onSite = in.onSite;
  t.source = in.source;
  t.dedupKey = automatic ? in.dedupKey : "";
  t.createdBy = caller.label();
  t.createdAt = now;
  t.updatedAt = now;
  if (in.type)
    t.type = *in.type;
  if (in.severity)
    t.severity = *in.severity;

  std::vector<TicketEvent> events;
  auto created = event(t, caller, EventKind::kCreated, t.title);
  created.detail = detailJson({{"channel", std::string(toString(t.channel))}});
  events.push_back(created);

  // Classification: the rules propose; what the caller gave explicitly is an override.
  Ticket probe = t;
  probe.type = TicketType::kOther;
  probe.severity = Severity::kGeneral;
  const auto proposal = rules_.classify(probe);
  const bool overridden =
      (in.type && *in.type != proposal.type) || (in.severity && *in.severity != proposal.severity);
  if (!in.type)
    t.type = proposal.type;
  if (!in.severity)
    t.severity = proposal.severity;
  t.classifiedBy = overridden ? caller.label() : proposal.rule;
  {
    auto e = event(t, caller, EventKind::kClassified,
                   std::string(toString(t.type)) + "/" + std::string(toString(t.severity)));
    e.detail = detailJson({{"rule", proposal.rule},
                           {"proposed_type", std::string(toString(proposal.type))},
                           {"proposed_severity", std::string(toString(proposal.severity))},
                           {"override", overridden ? "true" : "false"}});
    events.push_back(e);
  }
  const auto route = rules_.route(t);
  if (!route.group.empty()) {
    if (auto d = dispatchTo(
            t, route.group, route.rule, Caller::gateway("dispatch"), EventKind::kAssigned,
            route.rule.empty() ? "default group" : "dispatch rule " + route.rule, events);
        !d.ok())
      return d.error();
  }
  auto stored = store_.create(t, events);
  if (!stored.ok()) {
    if (stored.error().code == "ticket.duplicate" && automatic)
      return problemFiring(in.channel, in.source, in.dedupKey, in.description, in.system, in.item,
                           now);
    return stored.error();
  }
  t = stored.value();
  for (const auto& f : in.attachments) {
    auto a = attach(t.id, f, caller);
    if (!a.ok())
      return a.error();
  }
  if (!in.attachments.empty()) {
    auto fresh = load(t.id);
    if (!fresh.ok())
      return fresh.error();
    t = fresh.value();
  }
  if (auto a = audit(caller, "ticket.create", t, "", ticketJson(t)); !a.ok())
    return a.error();
  if (!t.group.empty())
    notifyAfter(
        t, t.assignee.empty() ? "nobody_on_duty" : "assigned",
        t.id + " " + t.title +
            (t.assignee.empty() ? " (nobody on duty in " + t.group + ")" : " → " + t.assignee));
  return Created{t, true};
}

Result<TicketService::Created> TicketService::problemFiring(
    Channel channel, const std::string& source, const std::string& key, const std::string& summary,
    const std::string& system, const std::string& item, EpochMillis at) {
  const Caller monitor = Caller::gateway(channel == Channel::kHealth ? "health" : "monitor");
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto open = store_.openByDedupKey(key);
    if (!open.ok())
      return open.error();
    if (!open.value()) {
      NewTicket n;
      n.channel = channel;
      n.reporter = monitor.name;
      n.reportedAt = at;
      n.system = system;
      n.item = item;
      n.title = summary.empty() ? key : firstLine(summary);
      n.description = summary;
      n.source = source;
      n.dedupKey = key;
      auto created = create(n, monitor);
      if (created.ok() || created.error().code != "ticket.duplicate")
        return created;
      continue;
    }
    Ticket t = *open.value();
    auto e = event(t, monitor, EventKind::kAlert, summary);
    e.detail = detailJson({{"source", source}, {"key", key}});
    t.updatedAt = clock_.now();
    auto stored = store_.update(t, {e});
    if (!stored.ok()) {
      if (stored.error().code == "ticket.stale")
        continue;
      return stored.error();
    }
    if (auto a = audit(monitor, "ticket.alert", stored.value(), "", eventJson(e)); !a.ok())
      return a.error();
    return Created{stored.value(), false};
  }
  return Error{"ticket.busy", "ticket for " + key + " kept changing; try again", ""};
}

Result<std::optional<Ticket>> TicketService::problemResolved(const std::string& source,
                                                             const std::string& key,
                                                             const std::string& summary,
                                                             EpochMillis at) {
  (void)at;
  const Caller monitor = Caller::gateway("monitor");
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto open = store_.openByDedupKey(key);
    if (!open.ok())
      return open.error();
    if (!open.value())
      return std::optional<Ticket>();
    Ticket t = *open.value();
    auto e = event(t, monitor, EventKind::kAlertResolved,
                   summary.empty() ? "the problem cleared" : summary);
    e.detail = detailJson({{"source", source}, {"key", key}});
    t.updatedAt = clock_.now();
    auto stored = store_.update(t, {e});
    if (!stored.ok()) {
      if (stored.error().code == "ticket.stale")
        continue;
      return stored.error();
    }
    if (auto a = audit(monitor, "ticket.alert_resolved", stored.value(), "", eventJson(e)); !a.ok())
      return a.error();
    return std::optional<Ticket>(stored.value());
  }
  return Error{"ticket.busy", "ticket for " + key + " kept changing; try again", ""};
}

Result<Ticket> TicketService::assign(const std::string& id, const std::string& group,
                                     const std::string& assignee, const std::string& reason,
                                     const Caller& caller) {
  if (!canWrite(caller))
    return forbidden("only admins and operators assign tickets");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  Ticket t = loaded.value();
  if (!isOpen(t.status))
    return Error{"ticket.closed", id + " is " + std::string(toString(t.status)), "status"};
  const std::string before = ticketJson(t);
  const std::string groupName = group.empty() ? t.group : group;
  const MaintainerGroup* g = rules_.group(groupName);
  if (g == nullptr)
    return invalid("group", "no maintainer group \"" + groupName + "\"");
  std::vector<TicketEvent> events;
  if (assignee.empty()) {
    if (auto d = dispatchTo(t, groupName, "", caller, EventKind::kReassigned, reason, events);
        !d.ok())
      return d.error();
  } else {
    bool member = false;
    for (const auto& m : g->members)
      member = member || m == assignee;
    if (!member)
      return invalid("assignee", "\"" + assignee + "\" is not a member of group " + g->name);
    t.group = g->name;
    t.assignee = assignee;
    auto e = event(t, caller, EventKind::kReassigned, reason);
    e.group = t.group;
    e.assignee = t.assignee;
    events.push_back(e);
    if (t.status == TicketStatus::kNew) {
      auto s = event(t, caller, EventKind::kStatus, "assigned");
      s.fromStatus = TicketStatus::kNew;
      s.toStatus = TicketStatus::kAssigned;
      t.status = TicketStatus::kAssigned;
      events.push_back(s);
    }
  }
  t.updatedAt = clock_.now();
  auto stored = store_.update(t, events);
  if (!stored.ok())
    return stored.error();
  t = stored.value();
  if (auto a = audit(caller, "ticket.assign", t, before, ticketJson(t)); !a.ok())
    return a.error();
  notifyAfter(
      t, t.assignee.empty() ? "nobody_on_duty" : "assigned",
      t.id + " " + t.title +
          (t.assignee.empty() ? " (nobody on duty in " + t.group + ")" : " → " + t.assignee));
  return t;
}

Result<Ticket> TicketService::escalate(const std::string& id, const std::string& group,
                                       const std::string& reason, const Caller& caller) {
  if (!canWrite(caller))
    return forbidden("only admins and operators escalate tickets");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  Ticket t = loaded.value();
  if (!isOpen(t.status))
    return Error{"ticket.closed", id + " is " + std::string(toString(t.status)), "status"};
  const std::string before = ticketJson(t);
  std::vector<TicketEvent> events;
  t.severity = Severity::kMajor;
  if (!group.empty() && group != t.group) {
    if (auto d = dispatchTo(t, group, "", caller, EventKind::kEscalated, reason, events); !d.ok())
      return d.error();
  } else {
    auto e = event(t, caller, EventKind::kEscalated, reason);
    e.group = t.group;
    e.assignee = t.assignee;
    events.push_back(e);
  }
  t.updatedAt = clock_.now();
  auto stored = store_.update(t, events);
  if (!stored.ok())
    return stored.error();
  t = stored.value();
  if (auto a = audit(caller, "ticket.escalate", t, before, ticketJson(t)); !a.ok())
    return a.error();
  notifyAfter(t, "escalated", t.id + " " + t.title + " escalated: " + reason);
  return t;
}

Result<Ticket> TicketService::setStatus(const std::string& id, TicketStatus to,
                                        const std::string& reason, const Caller& caller) {
  if (!canWrite(caller))
    return forbidden("only admins and operators change a ticket's status");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  Ticket t = loaded.value();
  if (!canMove(t.status, to))
    return Error{"ticket.illegal_move",
                 "a ticket cannot move from " + std::string(toString(t.status)) + " to " +
                     std::string(toString(to)),
                 "status"};
  if (to == TicketStatus::kClosed) {
    auto history = store_.events(id);
    if (!history.ok())
      return history.error();
    if (auto c = checkClosable(t, history.value()); !c.ok())
      return c.error();
  }
  if (to == TicketStatus::kClosed && closeCheck_) {
    if (auto c = closeCheck_(t); !c.ok())
      return c.error();
  }
  const std::string before = ticketJson(t);
  auto e = event(t, caller, EventKind::kStatus, reason);
  e.fromStatus = t.status;
  e.toStatus = to;
  const EpochMillis now = clock_.now();
  if (to == TicketStatus::kResolved)
    t.resolvedAt = now;
  if (to == TicketStatus::kClosed)
    t.closedAt = now;
  if (to == TicketStatus::kInProgress && t.status == TicketStatus::kResolved)
    t.resolvedAt = 0;
  t.status = to;
  t.updatedAt = now;
  auto stored = store_.update(t, {e});
  if (!stored.ok())
    return stored.error();
  if (auto a = audit(caller, "ticket.status", stored.value(), before, ticketJson(stored.value()));
      !a.ok())
    return a.error();
  return stored.value();
}

Result<Ticket> TicketService::comment(const std::string& id, const std::string& text,
                                      const Caller& caller) {
  if (caller.role == "auditor")
    return forbidden("auditors read tickets; they do not comment");
  if (text.empty())
    return invalid("text", "a comment needs text");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  Ticket t = loaded.value();
  if (caller.role == "department" && t.system != caller.system)
    return forbidden("a department comments on its own system's tickets only");
  auto e = event(t, caller, EventKind::kComment, text);
  t.updatedAt = clock_.now();
  auto stored = store_.update(t, {e});
  if (!stored.ok())
    return stored.error();
  if (auto a = audit(caller, "ticket.comment", stored.value(), "", eventJson(e)); !a.ok())
    return a.error();
  return stored.value();
}

Result<Ticket> TicketService::onSite(const std::string& id, bool arrived, const std::string& text,
                                     const Caller& caller) {
  if (!canWrite(caller))
    return forbidden("only admins and operators record on-site work");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  Ticket t = loaded.value();
  const std::string before = ticketJson(t);
  t.onSite = true;
  t.updatedAt = clock_.now();
  auto e =
      event(t, caller, arrived ? EventKind::kOnSiteArrived : EventKind::kOnSiteDispatched, text);
  e.assignee = t.assignee;
  auto stored = store_.update(t, {e});
  if (!stored.ok())
    return stored.error();
  if (auto a = audit(caller, "ticket.on_site", stored.value(), before, ticketJson(stored.value()));
      !a.ok())
    return a.error();
  return stored.value();
}

Result<Ticket> TicketService::update(const std::string& id, const TicketPatch& p,
                                     const Caller& caller) {
  if (!canWrite(caller))
    return forbidden("only admins and operators change tickets");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  Ticket t = loaded.value();
  if (p.expectedVersion && *p.expectedVersion != t.version)
    return Error{"ticket.stale",
                 "ticket " + id + " is at version " + std::to_string(t.version) + ", not " +
                     std::to_string(*p.expectedVersion),
                 "version"};
  if (t.status == TicketStatus::kClosed)
    return Error{"ticket.closed", id + " is closed", "status"};
  const std::string before = ticketJson(t);
  std::vector<TicketEvent> events;
  std::vector<std::string> changed;
  auto set = [&](const std::optional<std::string>& v, std::string& field, const char* name) {
    if (v && *v != field) {
      field = *v;
      changed.push_back(name);
    }
  };
  set(p.reporter, t.reporter, "reporter");
  set(p.contact, t.contact, "contact");
  set(p.system, t.system, "system");
  set(p.item, t.item, "item");
  set(p.title, t.title, "title");
  set(p.description, t.description, "description");
  set(p.fixVersion, t.fix.version, "fix.version");
  set(p.fixCommit, t.fix.commit, "fix.commit");
  set(p.fixChanged, t.fix.changed, "fix.changed");
  set(p.fixDocumentation, t.fix.documentation, "fix.documentation");
  if (p.onSite && *p.onSite != t.onSite) {
    t.onSite = *p.onSite;
    changed.push_back("on_site");
  }
  const bool raised =
      p.severity && *p.severity == Severity::kMajor && t.severity != Severity::kMajor;
  if ((p.type && *p.type != t.type) || (p.severity && *p.severity != t.severity)) {
    const auto oldType = t.type;
    const auto oldSeverity = t.severity;
    if (p.type)
      t.type = *p.type;
    if (p.severity)
      t.severity = *p.severity;
    t.classifiedBy = caller.label();
    auto e = event(t, caller, EventKind::kClassified,
                   std::string(toString(t.type)) + "/" + std::string(toString(t.severity)));
    e.detail = detailJson({{"override", "true"},
                           {"previous_type", std::string(toString(oldType))},
                           {"previous_severity", std::string(toString(oldSeverity))}});
    events.push_back(e);
    if (raised) {
      auto x = event(t, caller, EventKind::kEscalated, "severity raised to major");
      x.group = t.group;
      x.assignee = t.assignee;
      events.push_back(x);
    }
  }
  if (!changed.empty()) {
    std::string list;
    for (const auto& c : changed)
      list += (list.empty() ? "" : ", ") + c;
    events.push_back(event(t, caller, EventKind::kUpdated, list));
  }
  if (events.empty())
    return t;
  t.updatedAt = clock_.now();
  auto stored = store_.update(t, events);
  if (!stored.ok())
    return stored.error();
  if (auto a = audit(caller, "ticket.update", stored.value(), before, ticketJson(stored.value()));
      !a.ok())
    return a.error();
  return stored.value();
}

Result<AttachmentInfo> TicketService::attach(const std::string& id, const NewAttachment& file,
                                             const Caller& caller) {
  if (caller.role == "auditor")
    return forbidden("auditors read tickets; they do not attach");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  const Ticket& t = loaded.value();
  if (caller.role == "department" && t.system != caller.system)
    return forbidden("a department attaches to its own system's tickets only");
  if (static_cast<int>(t.attachments.size()) >= rules_.attachments.maxCount)
    return Error{"ticket.attachment",
                 "ticket " + id + " already has " + std::to_string(t.attachments.size()) +
                     " attachments (faults.attachments.max_count)",
                 "attachments"};
  if (file.name.empty())
    return invalid("attachments.name", "an attachment needs a file name");
  AttachmentInfo info;
  info.name = file.name;
  info.contentType = file.contentType.empty() ? "application/octet-stream" : file.contentType;
  info.size = static_cast<std::int64_t>(file.bytes.size());
  info.sha256 = sha256Hex(file.bytes);
  info.addedAt = clock_.now();
  if (info.size > rules_.attachments.maxBytes) {
    info.stored = false;
    info.note = "not kept: " + std::to_string(info.size) + " bytes is over faults.attachments." +
                "max_bytes (" + std::to_string(rules_.attachments.maxBytes) + ")";
  }
  auto added = store_.addAttachment(id, info, file.bytes);
  if (!added.ok())
    return added.error();
  if (auto a = audit(caller, "ticket.attach", t, "",
                     detailJson({{"name", info.name},
                                 {"size", std::to_string(info.size)},
                                 {"sha256", info.sha256},
                                 {"stored", info.stored ? "true" : "false"}}));
      !a.ok())
    return a.error();
  return added.value();
}

std::string slaEventClock(const TicketEvent& e) {
  if (e.detail.empty())
    return "";
  auto d = json::parse(e.detail);
  if (!d.ok() || !d.value().IsObject())
    return "";
  auto m = d.value().FindMember("clock");
  return m != d.value().MemberEnd() && m->value.IsString() ? m->value.GetString() : "";
}

Result<Ticket> TicketService::saveMajorReport(const std::string& id, const sla::MajorReport& report,
                                              const Caller& caller) {
  if (!canWrite(caller))
    return forbidden("only admins and operators write the major-fault analysis report");
  auto loaded = load(id);
  if (!loaded.ok())
    return loaded.error();
  Ticket t = loaded.value();
  if (t.status == TicketStatus::kClosed)
    return Error{"ticket.closed", id + " is closed: its report is final", "status"};
  sla::MajorReport r = report;
  r.ticketId = t.id;
  r.system = t.system;
  r.item = t.item;
  r.type = std::string(toString(t.type));
  r.preparedAt = clock_.now();
  if (r.author.empty())
    r.author = caller.name;
  const auto problems = sla::checkReadyToClose(r);
  auto e = event(t, caller, EventKind::kMajorReport,
                 problems.empty() ? "analysis report saved (complete)"
                                  : "analysis report saved (" + std::to_string(problems.size()) +
                                        " parts missing before the ticket can close)");
  auto compact = json::parse(majorReportJson(r));
  if (!compact.ok())
    return compact.error();
  e.detail = json::write(compact.value());
  t.updatedAt = clock_.now();
  MajorReportSummary kept;
  kept.ticketId = t.id;
  kept.title = r.title.empty() ? t.title : r.title;
  kept.system = t.system;
  kept.item = t.item;
  kept.incidentStart = r.incidentStart;
  kept.resolvedAt = r.resolvedAt.value_or(0);
  kept.savedAt = t.updatedAt;
  kept.savedBy = caller.label();
  kept.complete = problems.empty();
  std::vector<FollowUp> tasks;
  for (const auto& task : sla::followUpTasks(r)) {
    FollowUp f;
    f.ticketId = t.id;
    f.n = task.index;
    f.action = task.action;
    f.owner = task.owner;
    f.due = task.due;
    tasks.push_back(f);
  }
  auto stored = store_.update(t, {e}, [&](storage::StatementDatabase& db) {
    return MajorReportLedger(db).keep(kept, e.detail, tasks, t.updatedAt);
  });
  if (!stored.ok())
    return stored.error();
  if (auto a = audit(caller, "ticket.report", stored.value(), "", e.detail); !a.ok())
    return a.error();
  return stored.value();
}

Result<sla::MajorReport> TicketService::report(const std::string& id, const sla::SlaPolicy& policy,
                                               const Caller& caller) {
  auto t = get(id, caller);
  if (!t.ok())
    return t.error();
  auto history = store_.events(id);
  if (!history.ok())
    return history.error();
  const EpochMillis now = clock_.now();
  sla::IncidentEvidence evidence;
  auto saved = latestMajorReport(history.value());
  if (!saved.ok())
    return saved.error();
  // Monitoring is asked only for a report not saved yet: a saved one keeps what it showed.
  if (!saved.value() && evidence_ != nullptr) {
    const auto [from, to] = incidentWindow(t.value(), now);
    evidence = evidence_->evidence(t.value().system, t.value().item, from, to);
  }
  return currentReport(t.value(), history.value(), {}, policy, now, calendar_, evidence);
}

Result<std::vector<MajorReportSummary>> TicketService::majorReports(EpochMillis from,
                                                                    EpochMillis to,
                                                                    const Caller& caller) {
  if (caller.role == "department")
    return forbidden("major-fault reports are operations data: staff only");
  std::vector<MajorReportSummary> out;
  auto done = store_.withDatabase(
      [&](storage::StatementDatabase& db) -> Result<void> {
        auto found = MajorReportLedger(db).reports(from, to, chinaDay(clock_.now()));
        if (!found.ok())
          return found.error();
        out = std::move(found).value();
        return {};
      },
      false);
  if (!done.ok())
    return done.error();
  return out;
}

Result<std::vector<FollowUp>> TicketService::followUps(FollowUpFilter filter,
                                                       const Caller& caller) {
  if (caller.role == "department")
    return forbidden("follow-up tasks are operations data: staff only");
  filter.today = chinaDay(clock_.now());
  std::vector<FollowUp> out;
  auto done = store_.withDatabase(
      [&](storage::StatementDatabase& db) -> Result<void> {
        auto found = MajorReportLedger(db).followUps(filter);
        if (!found.ok())
          return found.error();
        out = std::move(found).value();
        return {};
      },
      false);
  if (!done.ok())
    return done.error();
  return out;
}

Result<FollowUp> TicketService::closeFollowUp(const std::string& ticketId, int n,
                                              const std::string& note, const Caller& caller) {
  if (caller.role != "admin" && caller.role != "operator")
    return forbidden("only admins and operators close follow-up tasks");
  if (note.find_first_not_of(" \t\r\n") == std::string::npos)
    return invalid("note", "closing a follow-up task needs a note saying what was done");
  auto t = load(ticketId);
  if (!t.ok())
    return t.error();
  std::optional<FollowUp> closed;
  const EpochMillis now = clock_.now();
  auto done = store_.withDatabase(
      [&](storage::StatementDatabase& db) -> Result<void> {
        auto c = MajorReportLedger(db).close(ticketId, n, caller.label(), note, now);
        if (!c.ok())
          return c.error();
        closed = c.value();
        return {};
      },
      true);
  if (!done.ok())
    return done.error();
  rapidjson::Document after(rapidjson::kObjectType);
  auto& a = after.GetAllocator();
  after.AddMember("follow_up", n, a);
  after.AddMember("action", json::string(closed->action, a), a);
  after.AddMember("owner", json::string(closed->owner, a), a);
  after.AddMember("due", json::string(formatDate(closed->due), a), a);
  after.AddMember("status", "closed", a);
  after.AddMember("note", json::string(note, a), a);
  if (auto r = audit(caller, "ticket.follow_up_close", t.value(), "", json::write(after)); !r.ok())
    return r.error();
  return *closed;
}

Result<std::optional<Ticket>> TicketService::recordSla(const std::string& id, EventKind kind,
                                                       const std::string& clockName,
                                                       const std::string& text,
                                                       const std::string& detail) {
  const Caller watcher = Caller::gateway("sla");
  const bool breach = kind == EventKind::kSlaBreach;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = load(id);
    if (!loaded.ok())
      return loaded.error();
    Ticket t = loaded.value();
    auto history = store_.events(id);
    if (!history.ok())
      return history.error();
    for (const auto& h : history.value()) {
      if (h.kind == kind && slaEventClock(h) == clockName)
        return std::optional<Ticket>();
    }
    auto e = event(t, watcher, kind, text);
    e.group = t.group;
    e.assignee = t.assignee;
    e.detail = detail;
    t.updatedAt = clock_.now();
    auto stored = store_.update(t, {e});
    if (!stored.ok()) {
      if (stored.error().code == "ticket.stale")
        continue;
      return stored.error();
    }
    t = stored.value();
    if (auto a = audit(watcher, breach ? "ticket.sla_breach" : "ticket.sla_warning", t, "",
                       eventJson(e));
        !a.ok())
      return a.error();
    notifyAfter(t, breach ? "sla_breach" : "sla_warning", t.id + " " + t.title + ": " + text);
    return std::optional<Ticket>(t);
  }
  return Error{"ticket.busy", "ticket " + id + " kept changing; try again", ""};
}

Result<Ticket> TicketService::get(const std::string& id, const Caller& caller) {
  auto t = load(id);
  if (!t.ok())
    return t.error();
  if (caller.role == "department" && t.value().system != caller.system)
    return forbidden("a department reads its own system's tickets only");
  return t;
}

Result<std::vector<TicketEvent>> TicketService::history(const std::string& id,
                                                        const Caller& caller) {
  auto t = get(id, caller);
  if (!t.ok())
    return t.error();
  return store_.events(id);
}

Result<std::vector<Ticket>> TicketService::list(TicketFilter filter, const Caller& caller) {
  if (caller.role == "department") {
    if (!filter.system.empty() && filter.system != caller.system)
      return forbidden("a department lists its own system's tickets only");
    filter.system = caller.system;
  }
  if (filter.limit < 1 || filter.limit > kMaxTicketPage)
    return invalid("limit", "limit must be 1.." + std::to_string(kMaxTicketPage));
  return store_.list(filter);
}

}  // namespace huitong::faults
