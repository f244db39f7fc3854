// Evaluating expressions a column at a time, with SQL's null semantics.
#include <charconv>
#include <cmath>

#include "data/expr/expr_node.h"
#include "data/timestamp.h"

namespace strata::data {

namespace {

using expr_internal::CallFunction;
using expr_internal::Row;

bool Arithmetic(const std::string& op, const Column& a, const Column& b, int64_t n, Column* out,
                std::string* error) {
  if (a.type == Type::kTimestamp || b.type == Type::kTimestamp) {
    *error = "'" + op + "' needs numbers, not timestamps (year(), month(), day(), hour() take parts)";
    return false;
  }
  if (IsBytes(a.type) || IsBytes(b.type) || a.type == Type::kList || b.type == Type::kList) {
    if (op == "+" && a.type == Type::kString && b.type == Type::kString) {
      *out = Column::OfType(Type::kString);
      for (int64_t i = 0; i < n; ++i) {
        if (a.IsNull(Row(a, i)) || b.IsNull(Row(b, i))) {
          out->AppendNull();
        } else {
          std::string s(a.Str(Row(a, i)));
          s.append(b.Str(Row(b, i)));
          out->AppendString(s);
        }
      }
      return true;
    }
    *error = "'" + op + "' needs numbers, not " + TypeName(IsBytes(a.type) || a.type == Type::kList ? a.type : b.type);
    return false;
  }
  const bool ints = a.type != Type::kDouble && b.type != Type::kDouble && op != "/";
  *out = Column::OfType(ints ? Type::kInt64 : Type::kDouble);
  if (a.type == Type::kNull || b.type == Type::kNull) {
    for (int64_t i = 0; i < n; ++i) out->AppendNull();
    return true;
  }
  if (ints) {
    out->i64.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t ra = Row(a, i), rb = Row(b, i);
      if (a.IsNull(ra) || b.IsNull(rb)) {
        out->AppendNull();
        continue;
      }
      const int64_t x = a.type == Type::kInt64 ? a.i64[ra] : a.b[ra];
      const int64_t y = b.type == Type::kInt64 ? b.i64[rb] : b.b[rb];
      if (op == "%" && y == 0) {
        out->AppendNull();  // as SQL engines do: no value, not a crash
        continue;
      }
      out->AppendInt(op == "+" ? x + y : op == "-" ? x - y : op == "*" ? x * y : x % y);
    }
    return true;
  }
  out->f64.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t ra = Row(a, i), rb = Row(b, i);
    if (a.IsNull(ra) || b.IsNull(rb)) {
      out->AppendNull();
      continue;
    }
    const double x = a.AsDouble(ra), y = b.AsDouble(rb);
    if ((op == "/" || op == "%") && y == 0) {
      out->AppendNull();
      continue;
    }
    out->AppendDouble(op == "+" ? x + y : op == "-" ? x - y : op == "*" ? x * y
                      : op == "/" ? x / y : std::fmod(x, y));
  }
  return true;
}

// -1, 0, 1; both values present.
int Compare(const Column& a, int64_t ra, const Column& b, int64_t rb) {
  if (IsBytes(a.type) && IsBytes(b.type)) {
    const int c = a.Str(ra).compare(b.Str(rb));
    return (c > 0) - (c < 0);
  }
  if (IsI64(a.type) && IsI64(b.type)) {
    return (a.i64[ra] > b.i64[rb]) - (a.i64[ra] < b.i64[rb]);
  }
  const double x = a.AsDouble(ra), y = b.AsDouble(rb);
  return (x > y) - (x < y);
}

bool Comparable(const Column& a, const Column& b) {
  if (a.type == Type::kNull || b.type == Type::kNull) return true;
  if ((a.type == Type::kTimestamp) != (b.type == Type::kTimestamp)) return false;
  if (a.type == Type::kList || b.type == Type::kList) return false;
  return IsBytes(a.type) == IsBytes(b.type);
}

bool Cast(const std::string& type, const Column& v, int64_t n, Column* out);

bool CompareOp(const std::string& op, const Column& a_in, const Column& b_in, int64_t n, Column* out,
               std::string* error) {
  // A timestamp compares with text by reading the text as a timestamp
  // ("ts >= '2024-01-01'").
  Column converted;
  const bool cast_a = a_in.type == Type::kString && b_in.type == Type::kTimestamp;
  const bool cast_b = b_in.type == Type::kString && a_in.type == Type::kTimestamp;
  if (cast_a || cast_b) {
    const Column& text = cast_a ? a_in : b_in;
    Cast("timestamp", text, text.length, &converted);
    for (int64_t r = 0; r < text.length; ++r) {
      if (!text.IsNull(r) && converted.IsNull(r)) {
        *error = "'" + std::string(text.Str(r)) + "' is not a timestamp (YYYY-MM-DD[ HH:MM[:SS[.ffffff]]])";
        return false;
      }
    }
  }
  const Column& a = cast_a ? converted : a_in;
  const Column& b = cast_b ? converted : b_in;
  if (!Comparable(a, b)) {
    *error = std::string("cannot compare ") + TypeName(a.type) + " with " + TypeName(b.type) +
             " (cast one of them)";
    return false;
  }
  *out = Column::OfType(Type::kBool);
  out->b.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t ra = Row(a, i), rb = Row(b, i);
    if (a.IsNull(ra) || b.IsNull(rb)) {
      out->AppendNull();
      continue;
    }
    const int c = Compare(a, ra, b, rb);
    out->AppendBool(op == "=" ? c == 0 : op == "!=" ? c != 0 : op == "<" ? c < 0
                    : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0);
  }
  return true;
}

bool Truth(const Column& c, int64_t r, bool* value) {
  if (c.IsNull(r)) return false;
  *value = c.type == Type::kBool ? c.b[r] != 0 : c.AsDouble(r) != 0;
  return true;
}

bool Cast(const std::string& type, const Column& v, int64_t n, Column* out) {
  const Type t = (type == "int64" || type == "int" || type == "bigint") ? Type::kInt64
                 : (type == "double" || type == "float")                ? Type::kDouble
                 : (type == "bool" || type == "boolean")                ? Type::kBool
                 : type == "timestamp"                                  ? Type::kTimestamp
                 : type == "binary"                                     ? Type::kBinary
                                                                        : Type::kString;
  *out = Column::OfType(t);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = Row(v, i);
    if (v.IsNull(r)) {
      out->AppendNull();
      continue;
    }
    if (IsBytes(t)) {
      out->AppendString(IsBytes(v.type)              ? std::string(v.Str(r))
                        : v.type == Type::kTimestamp ? FormatTimestamp(v.i64[r])
                                                     : JsonValue(v, r));
      continue;
    }
    if (t == Type::kTimestamp || v.type == Type::kTimestamp) {
      // Between timestamps and numbers: seconds since 1970-01-01 UTC.
      int64_t us = 0;
      if (t == Type::kTimestamp && v.type == Type::kTimestamp) out->AppendInt(v.i64[r]);
      else if (t == Type::kTimestamp && v.type == Type::kString && ParseTimestamp(v.Str(r), &us)) out->AppendInt(us);
      else if (t == Type::kTimestamp && expr_internal::IsNumeric(v.type)) out->AppendInt(static_cast<int64_t>(std::floor(v.AsDouble(r) * 1e6)));
      else if (t == Type::kInt64) out->AppendInt(v.i64[r] / 1'000'000 - (v.i64[r] % 1'000'000 < 0));
      else if (t == Type::kDouble) out->AppendDouble(static_cast<double>(v.i64[r]) / 1e6);
      else out->AppendNull();
      continue;
    }
    if (IsBytes(v.type)) {
      // Text that does not convert becomes null, as TRY_CAST does.
      const std::string_view s = v.Str(r);
      int64_t iv;
      double dv;
      if (t == Type::kInt64 && std::from_chars(s.data(), s.data() + s.size(), iv).ec == std::errc()) {
        out->AppendInt(iv);
      } else if (t == Type::kDouble && std::from_chars(s.data(), s.data() + s.size(), dv).ec == std::errc()) {
        out->AppendDouble(dv);
      } else if (t == Type::kBool && (s == "true" || s == "false")) {
        out->AppendBool(s == "true");
      } else {
        out->AppendNull();
      }
      continue;
    }
    const double d = v.AsDouble(r);
    if (t == Type::kInt64) out->AppendInt(v.type == Type::kInt64 ? v.i64[r] : static_cast<int64_t>(d));
    else if (t == Type::kDouble) out->AppendDouble(d);
    else out->AppendBool(d != 0);
  }
  return true;
}

}  // namespace

namespace {

bool Evaluate(const Expr& e, const Block& block, Column* out, std::string* error) {
  const int64_t n = block.num_rows;
  switch (e.kind) {
    case Expr::kLiteral:
      *out = e.literal;
      return true;
    case Expr::kColumn: {
      const Column* c = block.Get(e.name);
      if (c == nullptr) {
        std::string names;
        for (const std::string& s : block.names) names += (names.empty() ? "" : ", ") + s;
        *error = "unknown column '" + e.name + "' (columns: " + names + ")";
        return false;
      }
      *out = *c;
      return true;
    }
    default:
      break;
  }
  std::vector<Column> a(e.args.size());
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (!Evaluate(*e.args[i], block, &a[i], error)) return false;
  }
  // and / or / not and case-when conditions take true/false (or numbers,
  // nonzero being true), never text, timestamps or lists.
  auto logical = [&](const Column& c, const std::string& what) {
    if (c.type == Type::kBool || c.type == Type::kNull || c.type == Type::kInt64 || c.type == Type::kDouble) return true;
    *error = "'" + what + "' needs true/false, not " + TypeName(c.type);
    return false;
  };
  switch (e.kind) {
    case Expr::kUnary:
      if (e.name == "not") {
        if (!logical(a[0], "not")) return false;
        *out = Column::OfType(Type::kBool);
        for (int64_t i = 0; i < n; ++i) {
          bool v;
          if (Truth(a[0], Row(a[0], i), &v)) out->AppendBool(!v);
          else out->AppendNull();
        }
        return true;
      } else {
        Column zero = Column::OfType(Type::kInt64);
        zero.AppendInt(0);
        return Arithmetic("-", zero, a[0], n, out, error);
      }
    case Expr::kBinary:
      if (e.name == "and" || e.name == "or") {
        if (!logical(a[0], e.name) || !logical(a[1], e.name)) return false;
        const bool is_and = e.name == "and";
        *out = Column::OfType(Type::kBool);
        out->b.reserve(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
          bool x = false, y = false;
          const bool hx = Truth(a[0], Row(a[0], i), &x), hy = Truth(a[1], Row(a[1], i), &y);
          // Kleene logic: false and null = false; true or null = true.
          if (is_and) {
            if ((hx && !x) || (hy && !y)) out->AppendBool(false);
            else if (hx && hy) out->AppendBool(true);
            else out->AppendNull();
          } else {
            if ((hx && x) || (hy && y)) out->AppendBool(true);
            else if (hx && hy) out->AppendBool(false);
            else out->AppendNull();
          }
        }
        return true;
      }
      if (e.name == "+" || e.name == "-" || e.name == "*" || e.name == "/" || e.name == "%") {
        return Arithmetic(e.name, a[0], a[1], n, out, error);
      }
      return CompareOp(e.name, a[0], a[1], n, out, error);
    case Expr::kIsNull:
      *out = Column::OfType(Type::kBool);
      for (int64_t i = 0; i < n; ++i) out->AppendBool(a[0].IsNull(Row(a[0], i)) != e.negated);
      return true;
    case Expr::kIn: {
      for (size_t k = 1; k < a.size(); ++k) {
        if (!Comparable(a[0], a[k])) {
          *error = std::string("cannot compare ") + TypeName(a[0].type) + " with " + TypeName(a[k].type) + " in 'in (...)'";
          return false;
        }
      }
      *out = Column::OfType(Type::kBool);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t r = Row(a[0], i);
        if (a[0].IsNull(r)) {
          out->AppendNull();
          continue;
        }
        bool found = false;
        for (size_t k = 1; k < a.size() && !found; ++k) {
          const int64_t rk = Row(a[k], i);
          found = !a[k].IsNull(rk) && Compare(a[0], r, a[k], rk) == 0;
        }
        out->AppendBool(found != e.negated);
      }
      return true;
    }
    case Expr::kCase: {
      const size_t pairs = (a.size() - (e.has_else ? 1 : 0)) / 2;
      for (size_t k = 0; k < pairs; ++k) {
        if (!logical(a[2 * k], "when")) return false;
      }
      Type t = Type::kNull;
      for (size_t k = 0; k < pairs; ++k) {
        const Type v = a[2 * k + 1].type;
        if (v != Type::kNull && (t == Type::kNull || (t == Type::kInt64 && v == Type::kDouble))) t = v;
      }
      if (e.has_else && a.back().type != Type::kNull && (t == Type::kNull || (t == Type::kInt64 && a.back().type == Type::kDouble))) {
        t = a.back().type;
      }
      *out = Column::OfType(t);
      for (int64_t i = 0; i < n; ++i) {
        bool done = false;
        for (size_t k = 0; k < pairs && !done; ++k) {
          bool v;
          if (Truth(a[2 * k], Row(a[2 * k], i), &v) && v) {
            out->AppendFrom(a[2 * k + 1], Row(a[2 * k + 1], i));
            done = true;
          }
        }
        if (!done) {
          if (e.has_else) out->AppendFrom(a.back(), Row(a.back(), i));
          else out->AppendNull();
        }
      }
      return true;
    }
    case Expr::kCast:
      return Cast(e.name, a[0], n, out);
    case Expr::kCall:
      return CallFunction(e.name, a, n, out, error);
    default:
      return false;
  }
}

}  // namespace

Status EvalExpr(const Expr& e, const Block& block, Column* out) {
  std::string error;
  if (!Evaluate(e, block, out, &error)) return InvalidArgument(error);
  return OkStatus();
}

}  // namespace strata::data
