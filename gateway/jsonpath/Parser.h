// Internal: the RFC 9535 parser. Turns query or filter text into the immutable AST of Ast.h,
// checking syntax and well-typedness (§2.4.3). Bad input yields an Error, never an exception.
#pragma once

#include <memory>
#include <string_view>

#include "gateway/core/Error.h"
#include "gateway/jsonpath/Ast.h"

namespace huitong::jsonpath::detail {

// A whole query: `$` followed by segments, no surrounding whitespace.
Result<void> parseQuery(std::string_view text, QueryAst& out);
// A logical expression as written inside `[?...]`; surrounding whitespace is allowed.
Result<std::unique_ptr<Expr>> parseFilter(std::string_view text);

// 1-based code point column of byte offset `offset` in `text`.
std::size_t columnOf(std::string_view text, std::size_t offset);

}  // namespace huitong::jsonpath::detail
