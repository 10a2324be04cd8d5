#define PCRE2_CODE_UNIT_WIDTH 8
#include "gateway/monitor/probe/Pattern.h"

#include <pcre2.h>

namespace huitong::monitor::probe {
namespace {

constexpr uint32_t kMatchLimit = 1000000;  // backtracking steps (PCRE2's default is 10M)
constexpr uint32_t kDepthLimit = 10000;

}  // namespace

Result<Pattern> Pattern::compile(const std::string& text) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(),
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    return Error{"probe.regex",
                 "regex /" + text + "/: " + reinterpret_cast<const char*>(buf) + " at offset " +
                     std::to_string(offset),
                 ""};
  }
  Pattern p;
  p.code_ =
      std::shared_ptr<void>(code, [](void* c) { pcre2_code_free(static_cast<pcre2_code*>(c)); });
  p.text_ = text;
  uint32_t n = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n);
  p.groups_ = n;
  return p;
}

Pattern::Match Pattern::search(std::string_view subject) const {
  Match m;
  auto* code = static_cast<pcre2_code*>(code_.get());
  std::unique_ptr<pcre2_match_context, void (*)(pcre2_match_context*)> ctx(
      pcre2_match_context_create(nullptr), pcre2_match_context_free);
  pcre2_set_match_limit(ctx.get(), kMatchLimit);
  pcre2_set_depth_limit(ctx.get(), kDepthLimit);
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> data(
      pcre2_match_data_create_from_pattern(code, nullptr), pcre2_match_data_free);
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                             0, data.get(), ctx.get());
  if (rc == PCRE2_ERROR_NOMATCH)
    return m;
  if (rc < 0) {
    m.gaveUp = true;
    return m;
  }
  m.found = true;
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
  for (int i = 0; i < rc; ++i) {
    if (ov[2 * i] == PCRE2_UNSET)
      m.groups.emplace_back();
    else
      m.groups.emplace_back(subject.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
  }
  return m;
}

}  // namespace huitong::monitor::probe
