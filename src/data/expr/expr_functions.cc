// The expression language's functions: strings, regular expressions (RE2),
// numbers, date/time parts, lists (size, element_at, contains, split), coalesce.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>

#include <re2/re2.h>

#include "data/expr/expr_node.h"
#include "data/ops/text_split.h"
#include "data/timestamp.h"

namespace strata::data::expr_internal {

bool CallFunction(const std::string& f, const std::vector<Column>& a, int64_t n, Column* out,
          std::string* error) {
  auto arity = [&](size_t lo, size_t hi) {
    if (a.size() >= lo && a.size() <= hi) return true;
    *error = f + "() takes " + std::to_string(lo) + (hi != lo ? " to " + std::to_string(hi) : "") +
             " argument(s), not " + std::to_string(a.size());
    return false;
  };
  auto need_string = [&](size_t k) {
    if (a[k].type == Type::kString || a[k].type == Type::kNull) return true;
    *error = f + "() needs a string, not " + TypeName(a[k].type) +
             (a[k].type == Type::kBinary ? " (cast(x as string) reads its bytes as text)" : "");
    return false;
  };
  auto strings = [&](auto fn) {
    *out = Column::OfType(Type::kString);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = Row(a[0], i);
      if (a[0].IsNull(r)) {
        out->AppendNull();
      } else {
        out->AppendString(fn(std::string(a[0].Str(r))));
      }
    }
    return true;
  };
  // Functions of two strings: fn(s, t) for each row where both are present,
  // a null where either is not.
  auto string_pairs = [&](auto fn) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r0 = Row(a[0], i), r1 = Row(a[1], i);
      if (a[0].IsNull(r0) || a[1].IsNull(r1)) out->AppendNull();
      else fn(a[0].Str(r0), a[1].Str(r1));
    }
    return true;
  };
  if (f == "year" || f == "month" || f == "day" || f == "hour" || f == "minute" || f == "second") {
    // Parts of a timestamp (or of text that reads as one), in UTC.
    if (!arity(1, 1)) return false;
    if (a[0].type != Type::kTimestamp && a[0].type != Type::kString && a[0].type != Type::kNull) {
      *error = f + "() needs a timestamp, not " + TypeName(a[0].type);
      return false;
    }
    *out = Column::OfType(Type::kInt64);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = Row(a[0], i);
      int64_t us = 0;
      if (a[0].IsNull(r) || (a[0].type == Type::kString ? !ParseTimestamp(a[0].Str(r), &us)
                                                          : (us = a[0].i64[r], false))) {
        out->AppendNull();
        continue;
      }
      const DateParts p = PartsOf(us);
      out->AppendInt(f == "year" ? p.year : f == "month" ? p.month : f == "day" ? p.day
                     : f == "hour" ? p.hour : f == "minute" ? p.minute : p.second);
    }
    return true;
  }
  if (f == "lower" || f == "upper") {
    if (!arity(1, 1) || !need_string(0)) return false;
    const bool up = f == "upper";
    return strings([up](std::string s) {
      for (char& c : s) c = static_cast<char>(up ? std::toupper(static_cast<unsigned char>(c))
                                                 : std::tolower(static_cast<unsigned char>(c)));
      return s;
    });
  }
  if (f == "trim") {
    if (!arity(1, 1) || !need_string(0)) return false;
    return strings([](std::string s) {
      const size_t b = s.find_first_not_of(" \t\r\n");
      if (b == std::string::npos) return std::string();
      return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
    });
  }
  if (f == "length") {
    if (!arity(1, 1) || !need_string(0)) return false;
    *out = Column::OfType(Type::kInt64);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = Row(a[0], i);
      if (a[0].IsNull(r)) {
        out->AppendNull();
        continue;
      }
      // Characters, not bytes: count UTF-8 lead bytes.
      int64_t chars = 0;
      for (unsigned char c : a[0].Str(r)) chars += (c & 0xC0) != 0x80;
      out->AppendInt(chars);
    }
    return true;
  }
  if (f == "substr" || f == "substring") {
    if (!arity(2, 3) || !need_string(0)) return false;
    *out = Column::OfType(Type::kString);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = Row(a[0], i);
      if (a[0].IsNull(r) || a[1].IsNull(Row(a[1], i)) || (a.size() == 3 && a[2].IsNull(Row(a[2], i)))) {
        out->AppendNull();
        continue;
      }
      const std::string_view s = a[0].Str(r);
      const int64_t start = std::max<int64_t>(1, static_cast<int64_t>(a[1].AsDouble(Row(a[1], i))));
      const int64_t len = a.size() == 3 ? std::max<int64_t>(0, static_cast<int64_t>(a[2].AsDouble(Row(a[2], i))))
                                        : static_cast<int64_t>(s.size());
      if (start - 1 >= static_cast<int64_t>(s.size())) {
        out->AppendString("");
      } else {
        out->AppendString(s.substr(static_cast<size_t>(start - 1), static_cast<size_t>(len)));
      }
    }
    return true;
  }
  if (f == "size" || f == "element_at" || (f == "contains" && !a.empty() && a[0].type == Type::kList)) {
    // Lists: how many values, the value at a 1-based position (negative:
    // from the end), whether a value is in it.
    if (!arity(f == "size" ? 1 : 2, f == "size" ? 1 : 2)) return false;
    if (a[0].type != Type::kList && a[0].type != Type::kNull) {
      *error = f + "() needs a list, not " + TypeName(a[0].type);
      return false;
    }
    if (f == "element_at" && a[1].type != Type::kInt64 && a[1].type != Type::kNull) {
      *error = "element_at() takes a whole-number position";
      return false;
    }
    const Type element = a[0].type == Type::kList ? a[0].ElementType() : Type::kNull;
    *out = Column::OfType(f == "size" ? Type::kInt64 : f == "contains" ? Type::kBool : element);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = Row(a[0], i);
      if (a[0].IsNull(r) || (a.size() > 1 && a[1].IsNull(Row(a[1], i)))) {
        out->AppendNull();
        continue;
      }
      const int32_t from = a[0].offsets[r], to = a[0].offsets[r + 1];
      if (f == "size") {
        out->AppendInt(to - from);
      } else if (f == "element_at") {
        const int64_t at = a[1].i64[Row(a[1], i)];
        const int64_t k = at > 0 ? from + at - 1 : to + at;
        if (at == 0 || k < from || k >= to) out->AppendNull();
        else out->AppendFrom(a[0].Values(), k);
      } else {
        bool found = false;
        const std::string want = JsonValue(a[1], Row(a[1], i));
        for (int32_t k = from; k < to && !found; ++k) found = JsonValue(a[0].Values(), k) == want;
        out->AppendBool(found);
      }
    }
    return true;
  }
  if (f == "split") {
    if (!arity(2, 2) || !need_string(0) || !need_string(1)) return false;
    *out = Column::ListOf(Type::kString);
    return string_pairs([&](std::string_view s, std::string_view sep) {
      ForEachPiece(s, sep, [&](std::string_view piece) { out->Values().AppendString(piece); });
      out->EndList();
    });
  }
  if (f == "contains" || f == "starts_with" || f == "ends_with") {
    if (!arity(2, 2) || !need_string(0) || !need_string(1)) return false;
    *out = Column::OfType(Type::kBool);
    return string_pairs([&](std::string_view s, std::string_view t) {
      out->AppendBool(f == "contains" ? s.find(t) != std::string_view::npos
                      : f == "starts_with" ? s.substr(0, t.size()) == t
                      : s.size() >= t.size() && s.substr(s.size() - t.size()) == t);
    });
  }
  if (f == "abs" || f == "round") {
    if (!arity(1, f == "round" ? 2 : 1)) return false;
    if (!IsNumeric(a[0].type) && a[0].type != Type::kNull) {
      *error = f + "() needs a number, not " + TypeName(a[0].type);
      return false;
    }
    const bool ints = a[0].type == Type::kInt64 && (f == "abs" || a.size() == 1);
    *out = Column::OfType(ints ? Type::kInt64 : Type::kDouble);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = Row(a[0], i);
      if (a[0].IsNull(r)) {
        out->AppendNull();
      } else if (ints) {
        out->AppendInt(f == "abs" ? std::llabs(a[0].i64[r]) : a[0].i64[r]);
      } else if (f == "abs") {
        out->AppendDouble(std::fabs(a[0].AsDouble(r)));
      } else {
        const double scale = a.size() == 2 ? std::pow(10.0, a[1].AsDouble(Row(a[1], i))) : 1.0;
        out->AppendDouble(std::round(a[0].AsDouble(r) * scale) / scale);
      }
    }
    return true;
  }
  if (f == "regexp_matches" || f == "regexp_replace") {
    const bool replace = f == "regexp_replace";
    if (!arity(replace ? 3 : 2, replace ? 3 : 2) || !need_string(0) || !need_string(1) ||
        (replace && !need_string(2))) {
      return false;
    }
    // Patterns are usually literals: compile each distinct one once.
    std::map<std::string, std::unique_ptr<re2::RE2>> compiled;
    auto pattern = [&](std::string_view p, std::string* err) -> re2::RE2* {
      auto& re = compiled[std::string(p)];
      if (!re) {
        re = std::make_unique<re2::RE2>(p, re2::RE2::Quiet);
        if (!re->ok()) {
          *err = f + "(): bad pattern '" + std::string(p) + "': " + re->error();
          return nullptr;
        }
      }
      return re.get();
    };
    *out = Column::OfType(replace ? Type::kString : Type::kBool);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r0 = Row(a[0], i), r1 = Row(a[1], i);
      if (a[0].IsNull(r0) || a[1].IsNull(r1) || (replace && a[2].IsNull(Row(a[2], i)))) {
        out->AppendNull();
        continue;
      }
      re2::RE2* re = pattern(a[1].Str(r1), error);
      if (re == nullptr) return false;
      if (!replace) {
        out->AppendBool(re2::RE2::PartialMatch(a[0].Str(r0), *re));
        continue;
      }
      std::string s(a[0].Str(r0));
      re2::RE2::GlobalReplace(&s, *re, a[2].Str(Row(a[2], i)));
      out->AppendString(s);
    }
    return true;
  }
  if (f == "coalesce") {
    if (a.empty()) return arity(1, 64);
    Type t = Type::kNull;
    for (const Column& c : a) {
      if (c.type == Type::kNull) continue;
      if (t == Type::kNull || (t == Type::kInt64 && c.type == Type::kDouble)) t = c.type;
    }
    *out = Column::OfType(t);
    for (int64_t i = 0; i < n; ++i) {
      bool done = false;
      for (const Column& c : a) {
        if (!c.IsNull(Row(c, i))) {
          out->AppendFrom(c, Row(c, i));
          done = true;
          break;
        }
      }
      if (!done) out->AppendNull();
    }
    return true;
  }
  *error = "unknown function '" + f + "'";
  return false;
}

}  // namespace strata::data::expr_internal
