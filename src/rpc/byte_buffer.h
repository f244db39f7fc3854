// A growable byte buffer for socket input: unlike std::string::resize it does
// not zero the space it reserves for a read, which on a 4 MiB object chunk
// would double the memory traffic of receiving it.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace strata::rpc {

class ByteBuffer {
 public:
  const char* data() const { return data_.get() + begin_; }
  size_t size() const { return end_ - begin_; }
  // Room for at least `n` more bytes after the data; returns where they go.
  char* Reserve(size_t n) {
    if (cap_ - end_ >= n) return data_.get() + end_;
    const size_t used = size();
    if (begin_ > 0 && cap_ - used >= n) {
      std::memmove(data_.get(), data_.get() + begin_, used);
    } else {
      size_t cap = cap_ == 0 ? 64 * 1024 : cap_;
      while (cap - used < n) cap *= 2;
      std::unique_ptr<char[]> grown(new char[cap]);
      if (used > 0) std::memcpy(grown.get(), data_.get() + begin_, used);
      data_ = std::move(grown);
      cap_ = cap;
    }
    begin_ = 0;
    end_ = used;
    return data_.get() + end_;
  }
  void Commit(size_t n) { end_ += n; }
  // Drops `n` bytes from the front (no copying until space is needed).
  void Consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace strata::rpc
