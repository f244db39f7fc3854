// The inside of an expression: its tree, shared by the parser
// (expr_parse.cc), the evaluator (expr.cc) and the functions
// (expr_functions.cc).
#pragma once

#include <string>
#include <vector>

#include "data/expr/expr.h"

namespace strata::data {

struct Expr {
  enum Kind { kLiteral, kColumn, kUnary, kBinary, kIsNull, kIn, kCase, kCast, kCall } kind;
  std::string name;                 // column, operator, function, cast type
  Column literal;                   // kLiteral: one row
  std::vector<ExprPtr> args;        // operands / arguments / case: when,then,...,[else]
  bool negated = false;             // is not null, not in
  bool has_else = false;
};

namespace expr_internal {

// A literal is one row; everything else has the block's row count. `Row`
// maps a row of the block to the row of a column that may be a literal.
inline int64_t Row(const Column& c, int64_t i) { return c.length == 1 ? 0 : i; }
inline bool IsNumeric(Type t) { return t == Type::kInt64 || t == Type::kDouble || t == Type::kBool; }

// Function `f` over argument columns `a` for `n` rows (expr_functions.cc).
bool CallFunction(const std::string& f, const std::vector<Column>& a, int64_t n, Column* out,
                  std::string* error);

}  // namespace expr_internal
}  // namespace strata::data
