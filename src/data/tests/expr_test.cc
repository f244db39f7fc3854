#include "data/expr/expr.h"

#include <gtest/gtest.h>

namespace strata::data {
namespace {

Block Sample() {
  Block b;
  Column x = Column::OfType(Type::kInt64), y = Column::OfType(Type::kDouble),
         s = Column::OfType(Type::kString), ts = Column::OfType(Type::kTimestamp),
         tags = Column::ListOf(Type::kString);
  x.AppendInt(1), x.AppendInt(2), x.AppendNull(), x.AppendInt(4);
  y.AppendDouble(0.5), y.AppendDouble(0), y.AppendDouble(2), y.AppendNull();
  s.AppendString("Apple"), s.AppendString(" b "), s.AppendNull(), s.AppendString("cherry");
  // 2024-02-29 23:59:59.5, 1969-12-31 00:00, null, 2024-03-01 12:00.
  ts.AppendInt(1709251199500000), ts.AppendInt(-86400000000), ts.AppendNull(), ts.AppendInt(1709294400000000);
  tags.Values().AppendString("a"), tags.Values().AppendString("b"), tags.EndList();
  tags.EndList();
  tags.AppendNull();
  tags.Values().AppendNull(), tags.Values().AppendString("c"), tags.EndList();
  b.Add("x", x), b.Add("y", y), b.Add("s", s), b.Add("ts", ts), b.Add("tags", tags);
  b.num_rows = 4;
  return b;
}

// The Status API in the shape these tests were written in: nullptr or
// false, with the message in `error`.
ExprPtr ParseExpr(const std::string& text, std::string* error) {
  auto e = data::ParseExpr(text);
  if (!e.ok()) {
    *error = e.status().message();
    return nullptr;
  }
  return *e;
}
bool EvalExpr(const Expr& e, const Block& block, Column* out, std::string* error) {
  const Status s = data::EvalExpr(e, block, out);
  *error = s.message();
  return s.ok();
}

std::vector<std::string> Eval(const std::string& text) {
  std::string error;
  ExprPtr e = ParseExpr(text, &error);
  EXPECT_TRUE(e) << text << ": " << error;
  if (!e) return {};
  Column c;
  EXPECT_TRUE(EvalExpr(*e, Sample(), &c, &error)) << text << ": " << error;
  std::vector<std::string> out;
  for (int64_t i = 0; i < c.length; ++i) out.push_back(JsonValue(c, i));
  return out;
}

using V = std::vector<std::string>;

TEST(Expr, ArithmeticFollowsPrecedenceAndNulls) {
  EXPECT_EQ(Eval("x + 2 * 3"), (V{"7", "8", "null", "10"}));
  EXPECT_EQ(Eval("(x + 2) * 3"), (V{"9", "12", "null", "18"}));
  EXPECT_EQ(Eval("x / y"), (V{"2", "null", "null", "null"})) << "division by zero is null";
  EXPECT_EQ(Eval("-x % 3"), (V{"-1", "-2", "null", "-1"}));
}

TEST(Expr, ThreeValuedLogicAsSql) {
  EXPECT_EQ(Eval("x > 1 and y > 1"), (V{"false", "false", "null", "null"}));
  EXPECT_EQ(Eval("x > 1 or y > 1"), (V{"false", "true", "true", "true"}));
  EXPECT_EQ(Eval("not x >= 2"), (V{"true", "false", "null", "false"}));
  EXPECT_EQ(Eval("x is null"), (V{"false", "false", "true", "false"}));
  EXPECT_EQ(Eval("x in (1, 4)"), (V{"true", "false", "null", "true"}));
  EXPECT_EQ(Eval("x not in (1, 4)"), (V{"false", "true", "null", "false"}));
}

TEST(Expr, StringsCastsAndCase) {
  EXPECT_EQ(Eval("lower(s)"), (V{"\"apple\"", "\" b \"", "null", "\"cherry\""}));
  EXPECT_EQ(Eval("length(trim(s))"), (V{"5", "1", "null", "6"}));
  EXPECT_EQ(Eval("substr(s, 2, 3)"), (V{"\"ppl\"", "\"b \"", "null", "\"her\""}));
  EXPECT_EQ(Eval("starts_with(s, 'ch') or contains(s, 'pp')"), (V{"true", "false", "null", "true"}));
  EXPECT_EQ(Eval("cast(x as string) + '!'"), (V{"\"1!\"", "\"2!\"", "null", "\"4!\""}));
  EXPECT_EQ(Eval("cast('12' as int64) + x"), (V{"13", "14", "null", "16"}));
  EXPECT_EQ(Eval("case when x > 1 then 'big' when x is null then 'none' else 'small' end"),
            (V{"\"small\"", "\"big\"", "\"none\"", "\"big\""}));
  EXPECT_EQ(Eval("coalesce(x, 0)"), (V{"1", "2", "0", "4"}));
  EXPECT_EQ(Eval("regexp_matches(s, '^[a-z]+$')"), (V{"false", "false", "null", "true"}));
  EXPECT_EQ(Eval("regexp_replace(s, '([aeiou])', '<\\1>')"),
            (V{"\"Appl<e>\"", "\" b \"", "null", "\"ch<e>rry\""}));
  EXPECT_EQ(Eval("`x` = 2"), (V{"false", "true", "null", "false"}));
}

TEST(Expr, ErrorsNameTheColumnOrTheProblem) {
  std::string error;
  EXPECT_FALSE(ParseExpr("x > ", &error));
  EXPECT_EQ(error, "at column 5: expected a value at the end");
  EXPECT_FALSE(ParseExpr("x >> 1", &error));
  EXPECT_EQ(error.rfind("at column 4:", 0), 0u) << error;
  EXPECT_FALSE(ParseExpr("'open", &error));
  EXPECT_EQ(error, "at column 1: unclosed string");
  EXPECT_FALSE(ParseExpr("cast(x as money)", &error));
  EXPECT_NE(error.find("unknown type 'money'"), std::string::npos);
  ExprPtr e = ParseExpr("nope + 1", &error);
  ASSERT_TRUE(e);
  Column c;
  EXPECT_FALSE(EvalExpr(*e, Sample(), &c, &error));
  EXPECT_EQ(error, "unknown column 'nope' (columns: x, y, s, ts, tags)");
  e = ParseExpr("s > 1", &error);
  EXPECT_FALSE(EvalExpr(*e, Sample(), &c, &error));
  EXPECT_NE(error.find("cannot compare string with int64"), std::string::npos);
  e = ParseExpr("frob(x)", &error);
  EXPECT_FALSE(EvalExpr(*e, Sample(), &c, &error));
  EXPECT_EQ(error, "unknown function 'frob'");
  e = ParseExpr("regexp_matches(s, '(')", &error);
  EXPECT_FALSE(EvalExpr(*e, Sample(), &c, &error));
  EXPECT_NE(error.find("bad pattern '('"), std::string::npos) << error;
}

TEST(Expr, TimestampPartsComparisonsAndCasts) {
  EXPECT_EQ(Eval("year(ts)"), (V{"2024", "1969", "null", "2024"}));
  EXPECT_EQ(Eval("month(ts) * 100 + day(ts)"), (V{"229", "1231", "null", "301"}));
  EXPECT_EQ(Eval("hour(ts)"), (V{"23", "0", "null", "12"}));
  EXPECT_EQ(Eval("ts >= '2024-03-01'"), (V{"false", "false", "null", "true"}));
  EXPECT_EQ(Eval("cast(ts as string)"),
            (V{"\"2024-02-29 23:59:59.5\"", "\"1969-12-31 00:00:00\"", "null", "\"2024-03-01 12:00:00\""}));
  EXPECT_EQ(Eval("cast('2024-01-02T03:04:05Z' as timestamp) < ts"), (V{"true", "false", "null", "true"}));
  EXPECT_EQ(Eval("cast(ts as int64)"), (V{"1709251199", "-86400", "null", "1709294400"}));
  std::string error;
  ExprPtr e = ParseExpr("ts + 1", &error);
  ASSERT_TRUE(e);
  Column c;
  EXPECT_FALSE(EvalExpr(*e, Sample(), &c, &error));
  EXPECT_NE(error.find("not timestamps"), std::string::npos) << error;
  e = ParseExpr("ts > 'yesterday'", &error);
  ASSERT_TRUE(e);
  EXPECT_FALSE(EvalExpr(*e, Sample(), &c, &error));
  EXPECT_NE(error.find("'yesterday' is not a timestamp"), std::string::npos) << error;
}

TEST(Expr, LogicOnTextIsAnErrorNotARead) {
  for (const std::string text : {"not s", "s and x > 1", "x > 1 or tags", "case when ts then 1 end"}) {
    std::string error;
    ExprPtr e = ParseExpr(text, &error);
    ASSERT_TRUE(e) << text << ": " << error;
    Column c;
    EXPECT_FALSE(EvalExpr(*e, Sample(), &c, &error)) << text;
    EXPECT_NE(error.find("needs true/false"), std::string::npos) << text << ": " << error;
  }
  EXPECT_EQ(Eval("not x"), (V{"false", "false", "null", "false"})) << "numbers: nonzero is true";
}

TEST(Expr, BinaryComparesAsBytesAndCastsToText) {
  Block b;
  Column raw = Column::OfType(Type::kBinary);
  raw.AppendString(std::string("a\0b", 3)), raw.AppendString("abc"), raw.AppendNull();
  b.Add("raw", raw);
  b.num_rows = 3;
  std::string error;
  auto eval = [&](const std::string& text) {
    ExprPtr e = ParseExpr(text, &error);
    Column c;
    EXPECT_TRUE(e && EvalExpr(*e, b, &c, &error)) << text << ": " << error;
    std::vector<std::string> out;
    for (int64_t i = 0; i < c.length; ++i) out.push_back(JsonValue(c, i));
    return out;
  };
  EXPECT_EQ(eval("raw"), (V{"\"YQBi\"", "\"YWJj\"", "null"})) << "JSON shows bytes as base64";
  EXPECT_EQ(eval("raw = 'abc'"), (V{"false", "true", "null"}));
  EXPECT_EQ(eval("length(cast(raw as string))"), (V{"3", "3", "null"}));
  EXPECT_EQ(eval("cast('xy' as binary) < raw"), (V{"false", "false", "null"}));
  ExprPtr e = ParseExpr("upper(raw)", &error);
  Column c;
  EXPECT_FALSE(EvalExpr(*e, b, &c, &error));
  EXPECT_NE(error.find("needs a string, not binary"), std::string::npos) << error;
}

TEST(Expr, ListFunctions) {
  EXPECT_EQ(Eval("size(tags)"), (V{"2", "0", "null", "2"}));
  EXPECT_EQ(Eval("element_at(tags, 1)"), (V{"\"a\"", "null", "null", "null"}));
  EXPECT_EQ(Eval("element_at(tags, -1)"), (V{"\"b\"", "null", "null", "\"c\""}));
  EXPECT_EQ(Eval("contains(tags, 'c')"), (V{"false", "false", "null", "true"}));
  EXPECT_EQ(Eval("split(s, 'p')"), (V{"[\"A\",\"\",\"le\"]", "[\" b \"]", "null", "[\"cherry\"]"}));
  EXPECT_EQ(Eval("size(split(s, 'r'))"), (V{"1", "1", "null", "3"}));
}

}  // namespace
}  // namespace strata::data
