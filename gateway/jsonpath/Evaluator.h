// Internal: evaluates the AST of Ast.h against RapidJSON values (RFC 9535 §2.3-§2.5).
// Stateless between calls and reentrant; descendant segments walk with an explicit stack, so
// document depth does not consume the C++ stack.
#pragma once

#include <vector>

#include <rapidjson/document.h>

#include "gateway/jsonpath/Ast.h"
#include "gateway/jsonpath/JsonPath.h"

namespace huitong::jsonpath::detail {

// Appends the nodelist's values in RFC order.
void selectValues(const QueryAst& query, const rapidjson::Value& root,
                  std::vector<const rapidjson::Value*>& out);
// The nodelist with normalized paths.
std::vector<Node> selectNodes(const QueryAst& query, const rapidjson::Value& root);
// A logical expression with `@` = current and `$` = root.
bool testExpr(const Expr& expr, const rapidjson::Value& root, const rapidjson::Value& current);

}  // namespace huitong::jsonpath::detail
