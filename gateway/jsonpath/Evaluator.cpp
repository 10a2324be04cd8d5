#include "gateway/jsonpath/Evaluator.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

#include "gateway/jsonpath/Utf8.h"

namespace huitong::jsonpath::detail {
namespace {

using rapidjson::SizeType;
using rapidjson::Value;

const Value* findMember(const Value& object, const char* name, std::size_t length) {
  for (auto m = object.MemberBegin(); m != object.MemberEnd(); ++m) {
    if (m->name.GetStringLength() == length &&
        (length == 0 || std::memcmp(m->name.GetString(), name, length) == 0)) {
      return &m->value;
    }
  }
  return nullptr;
}

// The whole evaluation of a singular query: no allocation, no paths.
const Value* resolveSingular(const QueryAst& query, const Value& start) {
  const Value* v = &start;
  for (const Step& step : query.steps) {
    if (step.isName) {
      if (!v->IsObject())
        return nullptr;
      v = findMember(*v, step.name.data(), step.name.size());
      if (!v)
        return nullptr;
    } else {
      if (!v->IsArray())
        return nullptr;
      const auto size = static_cast<std::int64_t>(v->Size());
      const std::int64_t i = step.index < 0 ? step.index + size : step.index;
      if (i < 0 || i >= size)
        return nullptr;
      v = &(*v)[static_cast<SizeType>(i)];
    }
  }
  return v;
}

// Where a node sits: a chain of links back to `$`, turned into a string only when emitted.
struct PathLink {
  std::int32_t parent;
  bool isName;
  const char* name;
  std::size_t nameLength;
  std::size_t index;
};

struct Frame {
  const Value* value;
  std::size_t segment;
  std::int32_t link;
};

// Reuses frame stacks across evaluations on this thread; nested evaluations (filters) take
// their own stack from the pool, so the outer stack is never reallocated under them.
class FrameStack {
 public:
  FrameStack() {
    auto& pool = this->pool();
    if (!pool.empty()) {
      frames_ = std::move(pool.back());
      pool.pop_back();
    }
  }
  ~FrameStack() {
    frames_.clear();
    auto& pool = this->pool();
    if (pool.size() < 16 && frames_.capacity() <= 4096)
      pool.push_back(std::move(frames_));
  }
  FrameStack(const FrameStack&) = delete;
  FrameStack& operator=(const FrameStack&) = delete;
  std::vector<Frame>& frames() { return frames_; }

 private:
  static std::vector<std::vector<Frame>>& pool() {
    thread_local std::vector<std::vector<Frame>> frames;
    return frames;
  }
  std::vector<Frame> frames_;
};

long double numberOf(const Value& v) {
  if (v.IsInt64())
    return static_cast<long double>(v.GetInt64());
  if (v.IsUint64())
    return static_cast<long double>(v.GetUint64());
  return static_cast<long double>(v.GetDouble());
}

bool sameString(const Value& a, const Value& b) {
  const SizeType n = a.GetStringLength();
  return n == b.GetStringLength() && (n == 0 || std::memcmp(a.GetString(), b.GetString(), n) == 0);
}

bool scalarEqual(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber())
    return numberOf(a) == numberOf(b);
  if (a.IsString() && b.IsString())
    return sameString(a, b);
  return a.GetType() == b.GetType() && !a.IsNumber() && !a.IsString();
}

// Deep equality (§2.3.5.2.2) with an explicit stack.
bool deepEqual(const Value& a, const Value& b) {
  const bool aContainer = a.IsObject() || a.IsArray();
  const bool bContainer = b.IsObject() || b.IsArray();
  if (!aContainer || !bContainer)
    return !aContainer && !bContainer && scalarEqual(a, b);
  std::vector<std::pair<const Value*, const Value*>> pending{{&a, &b}};
  while (!pending.empty()) {
    const auto [x, y] = pending.back();
    pending.pop_back();
    if (x->IsArray()) {
      if (!y->IsArray() || x->Size() != y->Size())
        return false;
      for (SizeType i = 0; i < x->Size(); ++i)
        pending.emplace_back(&(*x)[i], &(*y)[i]);
    } else if (x->IsObject()) {
      if (!y->IsObject() || x->MemberCount() != y->MemberCount())
        return false;
      for (auto m = x->MemberBegin(); m != x->MemberEnd(); ++m) {
        const Value* other = findMember(*y, m->name.GetString(), m->name.GetStringLength());
        if (!other)
          return false;
        pending.emplace_back(&m->value, other);
      }
    } else if (!scalarEqual(*x, *y)) {
      return false;
    }
  }
  return true;
}

bool lessThan(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber())
    return numberOf(a) < numberOf(b);
  if (a.IsString() && b.IsString()) {
    // UTF-8 byte order is code point order.
    const SizeType n = std::min(a.GetStringLength(), b.GetStringLength());
    const int c = n == 0 ? 0 : std::memcmp(a.GetString(), b.GetString(), n);
    return c < 0 || (c == 0 && a.GetStringLength() < b.GetStringLength());
  }
  return false;
}

// A ValueType result: Nothing, a value in the document or the query, or a computed number.
class Operand {
 public:
  Operand() = default;
  explicit Operand(const Value* ref) : ref_(ref) {}
  explicit Operand(std::uint64_t number) : own_(number), owned_(true) {}
  const Value* get() const { return owned_ ? &own_ : ref_; }

 private:
  const Value* ref_ = nullptr;
  Value own_;
  bool owned_ = false;
};

// §2.3.5.2.2. nullptr is Nothing (an empty nodelist), equal only to Nothing; `<=` and `>=` are
// `<` or `==`, so Nothing <= Nothing holds.
bool equal(const Value* a, const Value* b) {
  return a && b ? deepEqual(*a, *b) : a == b;
}

bool compare(CompareOp op, const Value* a, const Value* b) {
  switch (op) {
    case CompareOp::kEq:
      return equal(a, b);
    case CompareOp::kNe:
      return !equal(a, b);
    case CompareOp::kLt:
      return a && b && lessThan(*a, *b);
    case CompareOp::kLe:
      return (a && b && lessThan(*a, *b)) || equal(a, b);
    case CompareOp::kGt:
      return a && b && lessThan(*b, *a);
    case CompareOp::kGe:
      return (a && b && lessThan(*b, *a)) || equal(a, b);
  }
  return false;
}

// Patterns that come from the document are compiled on first use per thread. nullptr records
// a pattern that is not I-Regexp (the function is then false).
std::shared_ptr<const Regex> dynamicRegex(std::string_view pattern) {
  thread_local std::unordered_map<std::string, std::shared_ptr<const Regex>> cache;
  std::string key(pattern);
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  if (cache.size() >= 256)
    cache.clear();
  auto compiled = Regex::compile(pattern, Regex::Dialect::kIRegexp);
  std::shared_ptr<const Regex> regex;
  if (compiled.ok())
    regex = std::make_shared<const Regex>(std::move(compiled).value());
  cache.emplace(std::move(key), regex);
  return regex;
}

class Evaluator {
 public:
  explicit Evaluator(const Value& root) : root_(root) {}

  // Walks the query depth-first, which yields nodes in nodelist order: a segment's results for
  // one input node are complete before the next input node's. sink(value, link) returns false
  // to stop; run then returns false.
  template <bool kPaths, typename Sink>
  bool run(const QueryAst& query, const Value& start, std::vector<PathLink>* links,
           std::int32_t startLink, Sink&& sink) const {
    FrameStack stack;
    std::vector<Frame>& frames = stack.frames();
    frames.push_back({&start, 0, startLink});
    const std::size_t segments = query.segments.size();
    while (!frames.empty()) {
      const Frame f = frames.back();
      frames.pop_back();
      if (f.segment == segments) {
        if (!sink(f.value, f.link))
          return false;
        continue;
      }
      const Segment& seg = query.segments[f.segment];
      const Value& v = *f.value;
      if (seg.descendant) {
        // desc(v) = select(v) ++ desc(child 1) ++ desc(child 2) ...: children go on the stack
        // first so that v's own selections are popped before them.
        const std::size_t mark = frames.size();
        pushChildren<kPaths>(v, f.segment, f.link, links, frames);
        std::reverse(frames.begin() + static_cast<std::ptrdiff_t>(mark), frames.end());
      }
      const std::size_t mark = frames.size();
      for (const Selector& sel : seg.selectors) {
        applySelector<kPaths>(sel, v, f.segment + 1, f.link, links, frames);
      }
      std::reverse(frames.begin() + static_cast<std::ptrdiff_t>(mark), frames.end());
    }
    return true;
  }

  bool test(const Expr& e, const Value& current) const {
    switch (e.kind) {
      case Expr::Kind::kOr:
        for (const auto& child : e.children) {
          if (test(*child, current))
            return true;
        }
        return false;
      case Expr::Kind::kAnd:
        for (const auto& child : e.children) {
          if (!test(*child, current))
            return false;
        }
        return true;
      case Expr::Kind::kNot:
        return !test(*e.children[0], current);
      case Expr::Kind::kCompare: {
        const Operand lhs = value(*e.children[0], current);
        const Operand rhs = value(*e.children[1], current);
        return compare(e.op, lhs.get(), rhs.get());
      }
      case Expr::Kind::kQuery:
        return exists(*e.query, current);
      case Expr::Kind::kFunction:
        return logicalFunction(e, current);
      case Expr::Kind::kLiteral:
        break;
    }
    return false;
  }

 private:
  template <bool kPaths>
  static std::int32_t link(std::vector<PathLink>* links, std::int32_t parent, const char* name,
                           std::size_t nameLength) {
    if constexpr (kPaths) {
      links->push_back({parent, true, name, nameLength, 0});
      return static_cast<std::int32_t>(links->size() - 1);
    } else {
      (void)links, (void)parent, (void)name, (void)nameLength;
      return -1;
    }
  }
  template <bool kPaths>
  static std::int32_t link(std::vector<PathLink>* links, std::int32_t parent, std::size_t index) {
    if constexpr (kPaths) {
      links->push_back({parent, false, nullptr, 0, index});
      return static_cast<std::int32_t>(links->size() - 1);
    } else {
      (void)links, (void)parent, (void)index;
      return -1;
    }
  }

  template <bool kPaths>
  static void pushMember(const Value::ConstMemberIterator& m, std::size_t segment,
                         std::int32_t parent, std::vector<PathLink>* links,
                         std::vector<Frame>& frames) {
    frames.push_back({&m->value, segment,
                      link<kPaths>(links, parent, m->name.GetString(), m->name.GetStringLength())});
  }
  template <bool kPaths>
  static void pushElement(const Value& array, std::size_t i, std::size_t segment,
                          std::int32_t parent, std::vector<PathLink>* links,
                          std::vector<Frame>& frames) {
    frames.push_back({&array[static_cast<SizeType>(i)], segment, link<kPaths>(links, parent, i)});
  }

  template <bool kPaths>
  static void pushChildren(const Value& v, std::size_t segment, std::int32_t parent,
                           std::vector<PathLink>* links, std::vector<Frame>& frames) {
    if (v.IsObject()) {
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        pushMember<kPaths>(m, segment, parent, links, frames);
      }
    } else if (v.IsArray()) {
      for (SizeType i = 0; i < v.Size(); ++i)
        pushElement<kPaths>(v, i, segment, parent, links, frames);
    }
  }

  template <bool kPaths>
  void applySelector(const Selector& sel, const Value& v, std::size_t segment, std::int32_t parent,
                     std::vector<PathLink>* links, std::vector<Frame>& frames) const {
    switch (sel.kind) {
      case Selector::Kind::kName:
        if (v.IsObject()) {
          for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
            if (m->name.GetStringLength() == sel.name.size() &&
                std::memcmp(m->name.GetString(), sel.name.data(), sel.name.size()) == 0) {
              pushMember<kPaths>(m, segment, parent, links, frames);
              break;
            }
          }
        }
        return;
      case Selector::Kind::kWildcard:
        pushChildren<kPaths>(v, segment, parent, links, frames);
        return;
      case Selector::Kind::kIndex:
        if (v.IsArray()) {
          const auto size = static_cast<std::int64_t>(v.Size());
          const std::int64_t i = sel.index < 0 ? sel.index + size : sel.index;
          if (i >= 0 && i < size) {
            pushElement<kPaths>(v, static_cast<std::size_t>(i), segment, parent, links, frames);
          }
        }
        return;
      case Selector::Kind::kSlice:
        if (v.IsArray())
          applySlice<kPaths>(sel, v, segment, parent, links, frames);
        return;
      case Selector::Kind::kFilter:
        if (v.IsObject()) {
          for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
            if (test(*sel.filter, m->value))
              pushMember<kPaths>(m, segment, parent, links, frames);
          }
        } else if (v.IsArray()) {
          for (SizeType i = 0; i < v.Size(); ++i) {
            if (test(*sel.filter, v[i]))
              pushElement<kPaths>(v, i, segment, parent, links, frames);
          }
        }
        return;
    }
  }

  // §2.3.4.2.2: bounds normalized and clamped, then walked in the step's direction.
  template <bool kPaths>
  static void applySlice(const Selector& sel, const Value& v, std::size_t segment,
                         std::int32_t parent, std::vector<PathLink>* links,
                         std::vector<Frame>& frames) {
    const std::int64_t step = sel.step;
    if (step == 0)
      return;
    const auto len = static_cast<std::int64_t>(v.Size());
    const auto normalize = [len](std::int64_t i) { return i >= 0 ? i : len + i; };
    const std::int64_t start = sel.hasStart ? normalize(sel.start) : (step > 0 ? 0 : len - 1);
    const std::int64_t end = sel.hasEnd ? normalize(sel.end) : (step > 0 ? len : -len - 1);
    if (step > 0) {
      const std::int64_t lower = std::min(std::max(start, std::int64_t{0}), len);
      const std::int64_t upper = std::min(std::max(end, std::int64_t{0}), len);
      for (std::int64_t i = lower; i < upper; i += step) {
        pushElement<kPaths>(v, static_cast<std::size_t>(i), segment, parent, links, frames);
      }
    } else {
      const std::int64_t upper = std::min(std::max(start, std::int64_t{-1}), len - 1);
      const std::int64_t lower = std::min(std::max(end, std::int64_t{-1}), len - 1);
      for (std::int64_t i = upper; lower < i; i += step) {
        pushElement<kPaths>(v, static_cast<std::size_t>(i), segment, parent, links, frames);
      }
    }
  }

  const Value& startOf(const QueryAst& query, const Value& current) const {
    return query.relative ? current : root_;
  }

  bool exists(const QueryAst& query, const Value& current) const {
    const Value& start = startOf(query, current);
    if (query.singular)
      return resolveSingular(query, start) != nullptr;
    bool found = false;
    run<false>(query, start, nullptr, -1, [&found](const Value*, std::int32_t) {
      found = true;
      return false;
    });
    return found;
  }

  Operand value(const Expr& e, const Value& current) const {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return Operand(&e.literal);
      case Expr::Kind::kQuery:
        // The parser admits only singular queries where a value is expected.
        return Operand(resolveSingular(*e.query, startOf(*e.query, current)));
      case Expr::Kind::kFunction:
        return valueFunction(e, current);
      default:
        return Operand();
    }
  }

  Operand valueFunction(const Expr& e, const Value& current) const {
    switch (e.function) {
      case FunctionId::kLength: {
        const Operand arg = value(*e.children[0], current);
        const Value* v = arg.get();
        if (!v)
          return Operand();
        if (v->IsString()) {
          return Operand(static_cast<std::uint64_t>(
              countCodePoints(std::string_view(v->GetString(), v->GetStringLength()))));
        }
        if (v->IsArray())
          return Operand(static_cast<std::uint64_t>(v->Size()));
        if (v->IsObject())
          return Operand(static_cast<std::uint64_t>(v->MemberCount()));
        return Operand();
      }
      case FunctionId::kCount: {
        const QueryAst& query = *e.children[0]->query;
        const Value& start = startOf(query, current);
        std::uint64_t n = 0;
        if (query.singular) {
          n = resolveSingular(query, start) ? 1 : 0;
        } else {
          run<false>(query, start, nullptr, -1, [&n](const Value*, std::int32_t) {
            ++n;
            return true;
          });
        }
        return Operand(n);
      }
      case FunctionId::kValue: {
        const QueryAst& query = *e.children[0]->query;
        const Value& start = startOf(query, current);
        if (query.singular)
          return Operand(resolveSingular(query, start));
        const Value* only = nullptr;
        std::size_t n = 0;
        run<false>(query, start, nullptr, -1, [&](const Value* v, std::int32_t) {
          only = v;
          return ++n < 2;
        });
        return n == 1 ? Operand(only) : Operand();
      }
      default:
        return Operand();
    }
  }

  bool logicalFunction(const Expr& e, const Value& current) const {
    const Operand subject = value(*e.children[0], current);
    const Value* s = subject.get();
    if (!s || !s->IsString())
      return false;
    std::shared_ptr<const Regex> holder;
    const Regex* regex = e.regex.get();
    if (!e.constantPattern) {
      const Operand pattern = value(*e.children[1], current);
      const Value* p = pattern.get();
      if (!p || !p->IsString())
        return false;
      holder = dynamicRegex(std::string_view(p->GetString(), p->GetStringLength()));
      regex = holder.get();
    }
    if (!regex)
      return false;
    const std::string_view text(s->GetString(), s->GetStringLength());
    return e.function == FunctionId::kMatch ? regex->fullMatch(text) : regex->search(text);
  }

  const Value& root_;
};

std::string buildPath(const std::vector<PathLink>& links, std::int32_t at) {
  std::vector<std::int32_t> chain;
  for (std::int32_t i = at; i > 0; i = links[static_cast<std::size_t>(i)].parent) {
    chain.push_back(i);
  }
  std::string path = "$";
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const PathLink& l = links[static_cast<std::size_t>(*it)];
    if (l.isName) {
      appendNameSegment(path, std::string_view(l.name, l.nameLength));
    } else {
      appendIndexSegment(path, l.index);
    }
  }
  return path;
}

}  // namespace

void selectValues(const QueryAst& query, const Value& root, std::vector<const Value*>& out) {
  if (query.singular) {
    if (const Value* v = resolveSingular(query, root))
      out.push_back(v);
    return;
  }
  Evaluator(root).run<false>(query, root, nullptr, -1, [&out](const Value* v, std::int32_t) {
    out.push_back(v);
    return true;
  });
}

std::vector<Node> selectNodes(const QueryAst& query, const Value& root) {
  std::vector<PathLink> links;
  links.push_back({-1, false, nullptr, 0, 0});  // `$`
  std::vector<Node> nodes;
  Evaluator(root).run<true>(query, root, &links, 0, [&](const Value* v, std::int32_t at) {
    nodes.push_back(Node{v, buildPath(links, at)});
    return true;
  });
  return nodes;
}

bool testExpr(const Expr& expr, const Value& root, const Value& current) {
  return Evaluator(root).test(expr, current);
}

}  // namespace huitong::jsonpath::detail
