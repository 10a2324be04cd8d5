#include "gateway/faults/Ticket.h"

#include <array>
#include <cstdio>
#include <utility>

namespace huitong::faults {
namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<Channel, 6> kChannels{{{Channel::kPhone, "phone"},
                                       {Channel::kFax, "fax"},
                                       {Channel::kEmail, "email"},
                                       {Channel::kApi, "api"},
                                       {Channel::kAlert, "alert"},
                                       {Channel::kHealth, "health"}}};
constexpr Names<TicketType, 7> kTypes{{{TicketType::kApplication, "application"},
                                       {TicketType::kDatabase, "database"},
                                       {TicketType::kNetwork, "network"},
                                       {TicketType::kExchange, "exchange"},
                                       {TicketType::kSecurity, "security"},
                                       {TicketType::kBug, "bug"},
                                       {TicketType::kOther, "other"}}};
constexpr Names<Severity, 2> kSeverities{
    {{Severity::kGeneral, "general"}, {Severity::kMajor, "major"}}};
constexpr Names<TicketStatus, 6> kStatuses{
    {{TicketStatus::kNew, "new"},
     {TicketStatus::kAssigned, "assigned"},
     {TicketStatus::kInProgress, "in_progress"},
     {TicketStatus::kWaitingForReporter, "waiting_for_reporter"},
     {TicketStatus::kResolved, "resolved"},
     {TicketStatus::kClosed, "closed"}}};
constexpr Names<EventKind, 17> kKinds{{{EventKind::kCreated, "created"},
                                       {EventKind::kClassified, "classified"},
                                       {EventKind::kAssigned, "assigned"},
                                       {EventKind::kReassigned, "reassigned"},
                                       {EventKind::kEscalated, "escalated"},
                                       {EventKind::kStatus, "status"},
                                       {EventKind::kOnSiteDispatched, "on_site_dispatched"},
                                       {EventKind::kOnSiteArrived, "on_site_arrived"},
                                       {EventKind::kComment, "comment"},
                                       {EventKind::kAlert, "alert"},
                                       {EventKind::kAlertResolved, "alert_resolved"},
                                       {EventKind::kNobodyOnDuty, "nobody_on_duty"},
                                       {EventKind::kUpdated, "updated"},
                                       {EventKind::kNotified, "notified"},
                                       {EventKind::kSlaWarning, "sla_warning"},
                                       {EventKind::kSlaBreach, "sla_breach"},
                                       {EventKind::kMajorReport, "major_report"}}};

template <typename E, std::size_t N>
std::string_view nameOf(const Names<E, N>& names, E v) {
  for (const auto& [e, s] : names) {
    if (e == v)
      return s;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> valueOf(const Names<E, N>& names, std::string_view s) {
  for (const auto& [e, n] : names) {
    if (n == s)
      return e;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string listOf(const Names<E, N>& names) {
  std::string out;
  for (const auto& [e, n] : names) {
    if (!out.empty())
      out += '|';
    out += n;
  }
  return out;
}

}  // namespace

std::string_view toString(Channel v) {
  return nameOf(kChannels, v);
}
std::string_view toString(TicketType v) {
  return nameOf(kTypes, v);
}
std::string_view toString(Severity v) {
  return nameOf(kSeverities, v);
}
std::string_view toString(TicketStatus v) {
  return nameOf(kStatuses, v);
}
std::string_view toString(EventKind v) {
  return nameOf(kKinds, v);
}
std::optional<Channel> parseChannel(std::string_view s) {
  return valueOf(kChannels, s);
}
std::optional<TicketType> parseTicketType(std::string_view s) {
  return valueOf(kTypes, s);
}
std::optional<Severity> parseSeverity(std::string_view s) {
  return valueOf(kSeverities, s);
}
std::optional<TicketStatus> parseTicketStatus(std::string_view s) {
  return valueOf(kStatuses, s);
}
std::optional<EventKind> parseEventKind(std::string_view s) {
  return valueOf(kKinds, s);
}
std::string allChannels() {
  return listOf(kChannels);
}
std::string allTicketTypes() {
  return listOf(kTypes);
}
std::string allSeverities() {
  return listOf(kSeverities);
}
std::string allTicketStatuses() {
  return listOf(kStatuses);
}

bool isOpen(TicketStatus s) {
  return s != TicketStatus::kResolved && s != TicketStatus::kClosed;
}

bool canMove(TicketStatus from, TicketStatus to) {
  if (from == to || from == TicketStatus::kClosed)
    return false;
  if (from == TicketStatus::kResolved) {
    return to == TicketStatus::kInProgress || to == TicketStatus::kClosed;
  }
  return to != TicketStatus::kNew;
}

std::string formatTicketId(int year, std::int64_t number) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "T-%04d-%06lld", year, static_cast<long long>(number));
  return buf;
}

bool parseTicketId(std::string_view s, int& year, std::int64_t& number) {
  if (s.size() < 13 || s.size() > 20 || s.substr(0, 2) != "T-" || s[6] != '-')
    return false;
  int y = 0;
  for (std::size_t i = 2; i < 6; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    y = y * 10 + (s[i] - '0');
  }
  std::int64_t n = 0;
  for (std::size_t i = 7; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    n = n * 10 + (s[i] - '0');
  }
  if (n <= 0)
    return false;
  year = y;
  number = n;
  return true;
}

}  // namespace huitong::faults
