// An audit entry as an auditor takes it away: one CSV row (RFC 4180, formula cells defused)
// or one JSON object (before/after embedded as JSON). `huitong audit query` and the operator
// API's export write the same bytes.
#pragma once

#include <ostream>
#include <string>

#include "gateway/registry/AuditChain.h"

namespace huitong::registry {

inline constexpr const char* kAuditCsvHeader =
    "seq,at,actor,role,action,target,system,item,before,after,alg,prev_hash,hash\r\n";

// RFC 4180 quoting; a cell a spreadsheet would run as a formula gets a leading apostrophe.
std::string csvCell(const std::string& s);
void writeAuditCsv(std::ostream& out, const AuditEntry& e);
void writeAuditJson(std::ostream& out, const AuditEntry& e);

}  // namespace huitong::registry
