#include "gateway/ops/baseline/LineDiff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace huitong::ops::baseline {
namespace {

std::vector<std::string> splitLines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto nl = s.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(s.substr(start));
      break;
    }
    lines.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// One line of the edit script: ' ' kept, '-' removed (index in a), '+' added (index in b).
struct Op {
  char kind;
  std::size_t a, b;
};

std::vector<Op> script(const std::vector<std::string>& a, const std::vector<std::string>& b,
                       std::size_t maxCells) {
  // Common prefix and suffix first: an edit of a few lines in a long file stays cheap.
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre])
    ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<Op> ops;
  for (std::size_t i = 0; i < pre; ++i)
    ops.push_back({' ', i, i});
  if (n != 0 && m != 0 && n * m <= maxCells) {
    // Longest common subsequence table over the middle, then walked forwards.
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        lcs[i * (m + 1) + j] = a[pre + i] == b[pre + j]
                                   ? lcs[(i + 1) * (m + 1) + j + 1] + 1
                                   : std::max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    std::size_t i = 0, j = 0;
    while (i < n && j < m) {
      if (a[pre + i] == b[pre + j]) {
        ops.push_back({' ', pre + i, pre + j});
        ++i;
        ++j;
      } else if (lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
        ops.push_back({'-', pre + i, pre + j});
        ++i;
      } else {
        ops.push_back({'+', pre + i, pre + j});
        ++j;
      }
    }
    for (; i < n; ++i)
      ops.push_back({'-', pre + i, pre + m});
    for (; j < m; ++j)
      ops.push_back({'+', pre + n, pre + j});
  } else {
    for (std::size_t i = 0; i < n; ++i)
      ops.push_back({'-', pre + i, pre});
    for (std::size_t j = 0; j < m; ++j)
      ops.push_back({'+', pre + n, pre + j});
  }
  for (std::size_t k = 0; k < suf; ++k)
    ops.push_back({' ', pre + n + k, pre + m + k});
  return ops;
}

std::string range(std::size_t start, std::size_t count) {
  // Unified diff: a range of 0 lines names the line before it.
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

LineDiff unifiedDiff(const std::string& before, const std::string& after, const std::string& path,
                     const std::string& beforeLabel, const std::string& afterLabel,
                     std::size_t maxCells) {
  LineDiff out;
  if (before == after)
    return out;
  const auto a = splitLines(before), b = splitLines(after);
  const auto ops = script(a, b, maxCells);
  constexpr std::size_t kContext = 3;
  out.text = "--- " + beforeLabel + "\n+++ " + afterLabel + "\n";
  std::size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext kept lines before the change to kContext after the last change
    // that is not more than 2*kContext kept lines from the next.
    const std::size_t first = k >= kContext ? k - kContext : 0;
    std::size_t last = k;
    std::size_t kept = 0;
    for (std::size_t x = k; x < ops.size(); ++x) {
      if (ops[x].kind != ' ') {
        last = x;
        kept = 0;
      } else if (++kept > 2 * kContext) {
        break;
      }
    }
    const std::size_t end = std::min(ops.size(), last + 1 + kContext);
    std::size_t aStart = ops[first].a, bStart = ops[first].b, aCount = 0, bCount = 0;
    std::string body;
    std::size_t changedLine = 0;
    for (std::size_t x = first; x < end; ++x) {
      const Op& op = ops[x];
      if (op.kind == ' ') {
        body += " " + a[op.a] + "\n";
        ++aCount;
        ++bCount;
      } else if (op.kind == '-') {
        body += "-" + a[op.a] + "\n";
        ++aCount;
        ++out.removed;
        if (changedLine == 0)
          changedLine = op.b + 1;
      } else {
        body += "+" + b[op.b] + "\n";
        ++bCount;
        ++out.added;
        if (changedLine == 0)
          changedLine = op.b + 1;
      }
    }
    out.text += "@@ -" + range(aStart, aCount) + " +" + range(bStart, bCount) + " @@ " + path +
                ":" + std::to_string(std::max<std::size_t>(changedLine, 1)) + "\n" + body;
    k = end;
  }
  return out;
}

}  // namespace huitong::ops::baseline
