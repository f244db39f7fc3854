// The expression language of filters and derived columns, SQL-like and
// evaluated a column at a time:
//
//   fare > 50 and passenger_count is not null
//   case when tip > 5 then 'good' else 'ok' end
//   lower(trim(name)) in ('a', 'b')      cast(id as string)      -x % 7
//
// Arithmetic (+ - * / %), comparison (= == != <> < <= > >=), and / or / not
// (three-valued, as SQL), is [not] null, [not] in (...), case when, cast(x
// as int64|double|bool|string), and the functions lower, upper, length,
// trim, substr(s, start[, len]) (1-based), contains, starts_with, ends_with,
// regexp_matches(s, pattern), regexp_replace(s, pattern, with) (RE2 syntax;
// \1 in `with` is a group), abs, round, coalesce. Parse errors name the
// column of the expression.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/block.h"

namespace strata::data {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

// Parses `text`; an error ("at column N: ...") on a syntax error.
Result<ExprPtr> ParseExpr(const std::string& text);
// Evaluates over every row of `block`; an error for an unknown column, a
// function given the wrong arguments, or a type that does not fit.
Status EvalExpr(const Expr& e, const Block& block, Column* out);
// Column names the expression reads.
void ColumnsOf(const Expr& e, std::vector<std::string>* out);

}  // namespace strata::data
