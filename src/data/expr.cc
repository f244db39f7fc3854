#include "data/expr.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include <re2/re2.h>

namespace strata::data {

struct Expr {
  enum Kind { kLiteral, kColumn, kUnary, kBinary, kIsNull, kIn, kCase, kCast, kCall } kind;
  std::string name;                 // column, operator, function, cast type
  Column literal;                   // kLiteral: one row
  std::vector<ExprPtr> args;        // operands / arguments / case: when,then,...,[else]
  bool negated = false;             // is not null, not in
  bool has_else = false;
};

namespace {

// ---------------------------------------------------------------- parsing

struct Token {
  enum Kind { kEnd, kNumber, kString, kIdent, kSymbol } kind = kEnd;
  std::string text;
  size_t column = 0;  // 1-based
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) { Lex(); }

  ExprPtr Parse(std::string* error) {
    if (!error_.empty()) {
      *error = error_;
      return nullptr;
    }
    ExprPtr e = Or();
    if (e && Peek().kind != Token::kEnd) Fail("unexpected '" + Peek().text + "'");
    if (!error_.empty()) {
      *error = error_;
      return nullptr;
    }
    return e;
  }

 private:
  void Lex() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.column = i + 1;
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '.' && i + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t j = i;
        while (j < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[j])) || text_[j] == '.' ||
                                    ((text_[j] == '+' || text_[j] == '-') && (text_[j - 1] == 'e' || text_[j - 1] == 'E')))) {
          ++j;
        }
        t.kind = Token::kNumber;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (c == '\'' || c == '"') {
        size_t j = i + 1;
        std::string s;
        for (;; ++j) {
          if (j >= text_.size()) {
            error_ = "at column " + std::to_string(i + 1) + ": unclosed string";
            return;
          }
          if (text_[j] == c) {
            if (j + 1 < text_.size() && text_[j + 1] == c) {
              s += c;
              ++j;
              continue;
            }
            break;
          }
          s += text_[j];
        }
        t.kind = Token::kString;
        t.text = s;
        i = j + 1;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[j])) || text_[j] == '_')) ++j;
        t.kind = Token::kIdent;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (c == '`') {
        const size_t j = text_.find('`', i + 1);
        if (j == std::string::npos) {
          error_ = "at column " + std::to_string(i + 1) + ": unclosed `";
          return;
        }
        t.kind = Token::kIdent;
        t.text = text_.substr(i + 1, j - i - 1);
        quoted_.push_back(tokens_.size());
        i = j + 1;
      } else {
        static const char* kTwo[] = {"<=", ">=", "!=", "<>", "=="};
        t.kind = Token::kSymbol;
        t.text = std::string(1, c);
        for (const char* two : kTwo) {
          if (text_.compare(i, 2, two) == 0) t.text = two;
        }
        if (std::string("+-*/%()<>=,").find(c) == std::string::npos && t.text.size() == 1) {
          error_ = "at column " + std::to_string(i + 1) + ": unexpected character '" + t.text + "'";
          return;
        }
        i += t.text.size();
      }
      tokens_.push_back(t);
    }
    Token end;
    end.column = text_.size() + 1;
    tokens_.push_back(end);
  }

  const Token& Peek() const { return tokens_[pos_]; }
  bool IsWord(const char* w) const {
    return Peek().kind == Token::kIdent && Lower(Peek().text) == w &&
           std::find(quoted_.begin(), quoted_.end(), pos_) == quoted_.end();
  }
  bool IsSymbol(const char* s) const { return Peek().kind == Token::kSymbol && Peek().text == s; }
  void Fail(const std::string& what) {
    if (error_.empty()) error_ = "at column " + std::to_string(Peek().column) + ": " + what;
  }
  bool Expect(const char* symbol_or_word) {
    if (IsSymbol(symbol_or_word) || IsWord(symbol_or_word)) {
      ++pos_;
      return true;
    }
    Fail(std::string("expected '") + symbol_or_word + "'" +
         (Peek().kind == Token::kEnd ? " at the end" : ", found '" + Peek().text + "'"));
    return false;
  }

  static ExprPtr Make(Expr::Kind k, std::string name, std::vector<ExprPtr> args) {
    auto e = std::make_shared<Expr>();
    e->kind = k;
    e->name = std::move(name);
    e->args = std::move(args);
    return e;
  }

  ExprPtr Or() {
    ExprPtr l = And();
    while (l && IsWord("or")) {
      ++pos_;
      l = Make(Expr::kBinary, "or", {l, And()});
    }
    return l;
  }
  ExprPtr And() {
    ExprPtr l = Not();
    while (l && IsWord("and")) {
      ++pos_;
      l = Make(Expr::kBinary, "and", {l, Not()});
    }
    return l;
  }
  ExprPtr Not() {
    if (IsWord("not")) {
      ++pos_;
      return Make(Expr::kUnary, "not", {Not()});
    }
    return Comparison();
  }
  ExprPtr Comparison() {
    ExprPtr l = Additive();
    if (!l) return l;
    static const char* kOps[] = {"=", "==", "!=", "<>", "<", "<=", ">", ">="};
    for (const char* op : kOps) {
      if (IsSymbol(op)) {
        ++pos_;
        std::string name = op;
        if (name == "==") name = "=";
        if (name == "<>") name = "!=";
        return Make(Expr::kBinary, name, {l, Additive()});
      }
    }
    if (IsWord("is")) {
      ++pos_;
      auto e = std::make_shared<Expr>();
      e->kind = Expr::kIsNull;
      e->args = {l};
      if (IsWord("not")) {
        ++pos_;
        e->negated = true;
      }
      Expect("null");
      return e;
    }
    bool negated = false;
    if (IsWord("not")) {
      ++pos_;
      negated = true;
      if (!IsWord("in")) Fail("expected 'in' after 'not'");
    }
    if (IsWord("in")) {
      ++pos_;
      auto e = std::make_shared<Expr>();
      e->kind = Expr::kIn;
      e->negated = negated;
      e->args = {l};
      Expect("(");
      do {
        if (ExprPtr v = Additive()) e->args.push_back(v);
      } while (error_.empty() && IsSymbol(",") && (++pos_, true));
      Expect(")");
      return e;
    }
    return l;
  }
  ExprPtr Additive() {
    ExprPtr l = Multiplicative();
    while (l && (IsSymbol("+") || IsSymbol("-"))) {
      const std::string op = Peek().text;
      ++pos_;
      l = Make(Expr::kBinary, op, {l, Multiplicative()});
    }
    return l;
  }
  ExprPtr Multiplicative() {
    ExprPtr l = Unary();
    while (l && (IsSymbol("*") || IsSymbol("/") || IsSymbol("%"))) {
      const std::string op = Peek().text;
      ++pos_;
      l = Make(Expr::kBinary, op, {l, Unary()});
    }
    return l;
  }
  ExprPtr Unary() {
    if (IsSymbol("-")) {
      ++pos_;
      return Make(Expr::kUnary, "-", {Unary()});
    }
    return Primary();
  }
  ExprPtr Literal(Column c) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::kLiteral;
    e->literal = std::move(c);
    return e;
  }
  ExprPtr Primary() {
    const Token t = Peek();
    if (t.kind == Token::kNumber) {
      ++pos_;
      int64_t iv;
      double dv;
      auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), iv);
      if (ec == std::errc() && p == t.text.data() + t.text.size()) {
        Column c = Column::OfType(Type::kInt64);
        c.AppendInt(iv);
        return Literal(std::move(c));
      }
      auto [p2, ec2] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), dv);
      if (ec2 != std::errc() || p2 != t.text.data() + t.text.size()) {
        --pos_;
        Fail("'" + t.text + "' is not a number");
        return nullptr;
      }
      Column c = Column::OfType(Type::kDouble);
      c.AppendDouble(dv);
      return Literal(std::move(c));
    }
    if (t.kind == Token::kString) {
      ++pos_;
      Column c = Column::OfType(Type::kString);
      c.AppendString(t.text);
      return Literal(std::move(c));
    }
    if (IsSymbol("(")) {
      ++pos_;
      ExprPtr e = Or();
      Expect(")");
      return e;
    }
    if (t.kind != Token::kIdent) {
      Fail(t.kind == Token::kEnd ? "expected a value at the end" : "expected a value, found '" + t.text + "'");
      return nullptr;
    }
    if (IsWord("true") || IsWord("false")) {
      ++pos_;
      Column c = Column::OfType(Type::kBool);
      c.AppendBool(Lower(t.text) == "true");
      return Literal(std::move(c));
    }
    if (IsWord("null")) {
      ++pos_;
      Column c;
      c.AppendNull();
      return Literal(std::move(c));
    }
    if (IsWord("case")) {
      ++pos_;
      auto e = std::make_shared<Expr>();
      e->kind = Expr::kCase;
      if (!IsWord("when")) Fail("expected 'when' after 'case'");
      while (error_.empty() && IsWord("when")) {
        ++pos_;
        e->args.push_back(Or());
        Expect("then");
        e->args.push_back(Or());
      }
      if (IsWord("else")) {
        ++pos_;
        e->args.push_back(Or());
        e->has_else = true;
      }
      Expect("end");
      return e;
    }
    if (IsWord("cast")) {
      ++pos_;
      Expect("(");
      ExprPtr v = Or();
      Expect("as");
      const std::string type = Lower(Peek().text);
      if (type != "int64" && type != "int" && type != "bigint" && type != "double" &&
          type != "float" && type != "bool" && type != "boolean" && type != "string" &&
          type != "varchar") {
        Fail("unknown type '" + Peek().text + "' (int64, double, bool or string)");
        return nullptr;
      }
      ++pos_;
      Expect(")");
      return Make(Expr::kCast, type, {v});
    }
    ++pos_;
    if (IsSymbol("(")) {
      ++pos_;
      std::vector<ExprPtr> args;
      if (!IsSymbol(")")) {
        do {
          args.push_back(Or());
        } while (error_.empty() && IsSymbol(",") && (++pos_, true));
      }
      Expect(")");
      return Make(Expr::kCall, Lower(t.text), std::move(args));
    }
    return Make(Expr::kColumn, t.text, {});
  }

  const std::string& text_;
  std::vector<Token> tokens_;
  std::vector<size_t> quoted_;
  size_t pos_ = 0;
  std::string error_;
};

// ------------------------------------------------------------- evaluation

// A literal is one row; everything else has the block's row count. `Row`
// maps a row of the block to the row of a column that may be a literal.
inline int64_t Row(const Column& c, int64_t i) { return c.length == 1 ? 0 : i; }

bool IsNumeric(Type t) { return t == Type::kInt64 || t == Type::kDouble || t == Type::kBool; }

bool Arithmetic(const std::string& op, const Column& a, const Column& b, int64_t n, Column* out,
                std::string* error) {
  if (a.type == Type::kString || b.type == Type::kString) {
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
    *error = "'" + op + "' needs numbers, not strings";
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
  if (a.type == Type::kString && b.type == Type::kString) {
    const int c = a.Str(ra).compare(b.Str(rb));
    return (c > 0) - (c < 0);
  }
  if (a.type == Type::kInt64 && b.type == Type::kInt64) {
    return (a.i64[ra] > b.i64[rb]) - (a.i64[ra] < b.i64[rb]);
  }
  const double x = a.AsDouble(ra), y = b.AsDouble(rb);
  return (x > y) - (x < y);
}

bool Comparable(const Column& a, const Column& b) {
  if (a.type == Type::kNull || b.type == Type::kNull) return true;
  return (a.type == Type::kString) == (b.type == Type::kString);
}

bool CompareOp(const std::string& op, const Column& a, const Column& b, int64_t n, Column* out,
               std::string* error) {
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

bool Cast(const std::string& type, const Column& v, int64_t n, Column* out, std::string* error) {
  const Type t = (type == "int64" || type == "int" || type == "bigint") ? Type::kInt64
                 : (type == "double" || type == "float")                ? Type::kDouble
                 : (type == "bool" || type == "boolean")                ? Type::kBool
                                                                        : Type::kString;
  *out = Column::OfType(t);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = Row(v, i);
    if (v.IsNull(r)) {
      out->AppendNull();
      continue;
    }
    if (t == Type::kString) {
      out->AppendString(v.type == Type::kString ? std::string(v.Str(r)) : JsonValue(v, r));
      continue;
    }
    if (v.type == Type::kString) {
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
  (void)error;
  return true;
}

bool Call(const std::string& f, const std::vector<Column>& a, int64_t n, Column* out,
          std::string* error) {
  auto arity = [&](size_t lo, size_t hi) {
    if (a.size() >= lo && a.size() <= hi) return true;
    *error = f + "() takes " + std::to_string(lo) + (hi != lo ? " to " + std::to_string(hi) : "") +
             " argument(s), not " + std::to_string(a.size());
    return false;
  };
  auto need_string = [&](size_t k) {
    if (a[k].type == Type::kString || a[k].type == Type::kNull) return true;
    *error = f + "() needs a string, not " + TypeName(a[k].type);
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
  if (f == "contains" || f == "starts_with" || f == "ends_with") {
    if (!arity(2, 2) || !need_string(0) || !need_string(1)) return false;
    *out = Column::OfType(Type::kBool);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r0 = Row(a[0], i), r1 = Row(a[1], i);
      if (a[0].IsNull(r0) || a[1].IsNull(r1)) {
        out->AppendNull();
        continue;
      }
      const std::string_view s = a[0].Str(r0), t = a[1].Str(r1);
      out->AppendBool(f == "contains" ? s.find(t) != std::string_view::npos
                      : f == "starts_with" ? s.substr(0, t.size()) == t
                      : s.size() >= t.size() && s.substr(s.size() - t.size()) == t);
    }
    return true;
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

}  // namespace

ExprPtr ParseExpr(const std::string& text, std::string* error) {
  Parser p(text);
  return p.Parse(error);
}

void ColumnsOf(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::kColumn) out->push_back(e.name);
  for (const ExprPtr& a : e.args) ColumnsOf(*a, out);
}

bool EvalExpr(const Expr& e, const Block& block, Column* out, std::string* error) {
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
    if (!EvalExpr(*e.args[i], block, &a[i], error)) return false;
  }
  switch (e.kind) {
    case Expr::kUnary:
      if (e.name == "not") {
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
      return Cast(e.name, a[0], n, out, error);
    case Expr::kCall:
      return Call(e.name, a, n, out, error);
    default:
      return false;
  }
}

}  // namespace strata::data
