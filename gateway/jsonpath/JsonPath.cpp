#include "gateway/jsonpath/JsonPath.h"

#include <charconv>

#include "gateway/jsonpath/Ast.h"
#include "gateway/jsonpath/Evaluator.h"
#include "gateway/jsonpath/Parser.h"

namespace huitong::jsonpath {
namespace {

const std::string& emptyText() {
  static const std::string empty;
  return empty;
}

}  // namespace

Result<Query> Query::compile(std::string_view text) {
  auto impl = std::make_shared<QueryImpl>();
  impl->text.assign(text);
  auto parsed = detail::parseQuery(impl->text, impl->ast);
  if (!parsed.ok())
    return parsed.error();
  Query query;
  query.impl_ = std::move(impl);
  return query;
}

void Query::select(const rapidjson::Value& root, std::vector<const rapidjson::Value*>& out) const {
  if (impl_)
    detail::selectValues(impl_->ast, root, out);
}

std::vector<Node> Query::selectWithPaths(const rapidjson::Value& root) const {
  if (!impl_)
    return {};
  return detail::selectNodes(impl_->ast, root);
}

bool Query::isSingular() const {
  return impl_ && impl_->ast.singular;
}

const std::string& Query::text() const {
  return impl_ ? impl_->text : emptyText();
}

Result<Filter> Filter::compile(std::string_view text) {
  auto impl = std::make_shared<FilterImpl>();
  impl->text.assign(text);
  auto parsed = detail::parseFilter(impl->text);
  if (!parsed.ok())
    return parsed.error();
  impl->expr = std::move(parsed).value();
  Filter filter;
  filter.impl_ = std::move(impl);
  return filter;
}

bool Filter::test(const rapidjson::Value& root, const rapidjson::Value& current) const {
  return impl_ && detail::testExpr(*impl_->expr, root, current);
}

const std::string& Filter::text() const {
  return impl_ ? impl_->text : emptyText();
}

void appendNameSegment(std::string& path, std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  path += "['";
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\b':
        path += "\\b";
        break;
      case '\f':
        path += "\\f";
        break;
      case '\n':
        path += "\\n";
        break;
      case '\r':
        path += "\\r";
        break;
      case '\t':
        path += "\\t";
        break;
      case '\'':
        path += "\\'";
        break;
      case '\\':
        path += "\\\\";
        break;
      default:
        if (c < 0x20) {
          path += "\\u00";
          path.push_back(kHex[c >> 4]);
          path.push_back(kHex[c & 0x0F]);
        } else {
          path.push_back(ch);
        }
    }
  }
  path += "']";
}

void appendIndexSegment(std::string& path, std::size_t index) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, index);
  path.push_back('[');
  path.append(digits, r.ptr);
  path.push_back(']');
}

}  // namespace huitong::jsonpath
