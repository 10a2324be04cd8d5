// Unified-style line diffs of two texts, for the drift report of text files (the config JSON,
// mapping files): hunks with three lines of context whose headers name path:line of the current
// file, so an operator jumps from the report to the line.
#pragma once

#include <cstddef>
#include <string>

namespace huitong::ops::baseline {

struct LineDiff {
  std::string text;  // "--- a\n+++ b\n@@ -l,n +l,n @@ path:line\n..." ("" when equal)
  std::size_t added = 0, removed = 0;  // lines
};

// `before` and `after` split at '\n'. Above `maxCells` (lines before x lines after) the diff is
// not computed line by line: one hunk replaces everything (still correct, less precise).
LineDiff unifiedDiff(const std::string& before, const std::string& after, const std::string& path,
                     const std::string& beforeLabel, const std::string& afterLabel,
                     std::size_t maxCells = 16u * 1024u * 1024u);

}  // namespace huitong::ops::baseline
