// Parsing the expression language (see expr.h): a hand-written lexer and a
// precedence-climbing parser; errors name the column where they happen.
#include <algorithm>
#include <charconv>

#include "data/expr/expr_node.h"

namespace strata::data {

namespace {

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
          type != "varchar" && type != "timestamp" && type != "binary") {
        Fail("unknown type '" + Peek().text + "' (int64, double, bool, string, timestamp or binary)");
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
}  // namespace

Result<ExprPtr> ParseExpr(const std::string& text) {
  Parser p(text);
  std::string error;
  ExprPtr e = p.Parse(&error);
  if (!e) return InvalidArgument(error);
  return e;
}

void ColumnsOf(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::kColumn) out->push_back(e.name);
  for (const ExprPtr& a : e.args) ColumnsOf(*a, out);
}

}  // namespace strata::data
