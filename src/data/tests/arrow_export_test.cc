#include "data/format/arrow_export.h"

#include <cstring>

#include <gtest/gtest.h>

namespace strata::data {
namespace {

bool Bit(const void* buf, int64_t i) {
  return (static_cast<const uint8_t*>(buf)[i >> 3] >> (i & 7)) & 1;
}

TEST(ArrowExport, ABlockReadsBackThroughTheCDataInterface) {
  Block b;
  Column id = Column::OfType(Type::kInt64), x = Column::OfType(Type::kDouble),
         s = Column::OfType(Type::kString), f = Column::OfType(Type::kBool);
  id.AppendInt(7), id.AppendInt(8), id.AppendInt(9);
  x.AppendDouble(1.5), x.AppendNull(), x.AppendDouble(-2);
  s.AppendString("ab"), s.AppendString(""), s.AppendString("xyz");
  f.AppendBool(true), f.AppendBool(false), f.AppendBool(true);
  b.Add("id", id), b.Add("x", x), b.Add("s", s), b.Add("f", f);
  b.num_rows = 3;

  ArrowSchema schema;
  ArrowArray array;
  ExportBlock(b, &schema, &array);
  b = Block();  // the export owns its copy

  EXPECT_STREQ(schema.format, "+s");
  ASSERT_EQ(schema.n_children, 4);
  EXPECT_STREQ(schema.children[0]->format, "l");
  EXPECT_STREQ(schema.children[1]->format, "g");
  EXPECT_STREQ(schema.children[2]->format, "u");
  EXPECT_STREQ(schema.children[3]->format, "b");
  EXPECT_STREQ(schema.children[2]->name, "s");
  ASSERT_EQ(array.length, 3);
  ASSERT_EQ(array.n_children, 4);

  const ArrowArray* ids = array.children[0];
  EXPECT_EQ(ids->null_count, 0);
  EXPECT_EQ(ids->buffers[0], nullptr) << "no validity buffer when nothing is null";
  EXPECT_EQ(static_cast<const int64_t*>(ids->buffers[1])[2], 9);

  const ArrowArray* xs = array.children[1];
  EXPECT_EQ(xs->null_count, 1);
  EXPECT_TRUE(Bit(xs->buffers[0], 0));
  EXPECT_FALSE(Bit(xs->buffers[0], 1));
  EXPECT_EQ(static_cast<const double*>(xs->buffers[1])[2], -2);

  const ArrowArray* ss = array.children[2];
  ASSERT_EQ(ss->n_buffers, 3);
  const int32_t* off = static_cast<const int32_t*>(ss->buffers[1]);
  const char* chars = static_cast<const char*>(ss->buffers[2]);
  EXPECT_EQ(std::string(chars + off[2], off[3] - off[2]), "xyz");
  EXPECT_EQ(off[1], off[2]) << "the empty string";

  const ArrowArray* fs = array.children[3];
  EXPECT_TRUE(Bit(fs->buffers[1], 0));
  EXPECT_FALSE(Bit(fs->buffers[1], 1));
  EXPECT_TRUE(Bit(fs->buffers[1], 2));

  array.release(&array);
  schema.release(&schema);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(schema.release, nullptr);
}

}  // namespace
}  // namespace strata::data

namespace strata::data {
namespace {

TEST(ArrowExport, ListsAndTimestampsExportWithTheirChildren) {
  Block b;
  Column tags = Column::ListOf(Type::kString), at = Column::OfType(Type::kTimestamp);
  tags.Values().AppendString("a"), tags.Values().AppendString("b"), tags.EndList();
  tags.AppendNull();
  tags.EndList();  // empty
  at.AppendInt(1'000'000), at.AppendNull(), at.AppendInt(-5);
  b.Add("tags", tags), b.Add("at", at);
  b.num_rows = 3;
  ArrowSchema schema;
  ArrowArray array;
  ExportBlock(b, &schema, &array);
  ASSERT_EQ(schema.n_children, 2);
  EXPECT_STREQ(schema.children[0]->format, "+l");
  ASSERT_EQ(schema.children[0]->n_children, 1);
  EXPECT_STREQ(schema.children[0]->children[0]->format, "u");
  EXPECT_STREQ(schema.children[0]->children[0]->name, "item");
  EXPECT_STREQ(schema.children[1]->format, "tsu:UTC");
  const ArrowArray* list = array.children[0];
  EXPECT_EQ(list->length, 3);
  EXPECT_EQ(list->null_count, 1);
  const auto* offsets = static_cast<const int32_t*>(list->buffers[1]);
  EXPECT_EQ(offsets[0], 0);
  EXPECT_EQ(offsets[1], 2);
  EXPECT_EQ(offsets[2], 2);
  EXPECT_EQ(offsets[3], 2);
  ASSERT_EQ(list->n_children, 1);
  EXPECT_EQ(list->children[0]->length, 2);
  const char* chars = static_cast<const char*>(list->children[0]->buffers[2]);
  EXPECT_EQ(std::string(chars, 2), "ab");
  EXPECT_EQ(static_cast<const int64_t*>(array.children[1]->buffers[1])[2], -5);
  array.release(&array);
  schema.release(&schema);
}

}  // namespace
}  // namespace strata::data
