// Blocks through the Arrow C data interface: a block becomes a struct array
// ("+s") whose children are its columns, sharing the block's buffers (int64,
// double, utf8 offsets and bytes, validity bitmaps); only booleans are
// re-packed (Arrow keeps them one bit per row). Any Arrow implementation can
// import the result without copying; its release callbacks free what was made.
#pragma once

#include <cstdint>

#include <strata/data_block.h>

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
extern "C" {
// As the Arrow specification defines them (https://arrow.apache.org/docs/format/CDataInterface.html).
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
}
#endif

namespace strata::data {

// Fills `schema` and `array` (the caller's structs) with `block`, which is
// copied into storage the release callbacks own.
void ExportBlock(const Block& block, ArrowSchema* schema, ArrowArray* array);

}  // namespace strata::data
