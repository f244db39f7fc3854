#include "data/format/parquet/encoding.h"

#include <cstring>

namespace strata::data::parquet {

bool ReadUleb(Bytes* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->p >= in->end) return false;
    const uint8_t b = *in->p++;
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

void WriteUleb(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

namespace {

// Unpacks `n` values of `w` bits (w <= 64), least significant bit first.
template <class T>
void Unpack(const uint8_t* src, int w, int64_t n, T* out) {
  if (w == 0) {
    for (int64_t i = 0; i < n; ++i) out[i] = 0;
    return;
  }
  uint64_t bitpos = 0;
  for (int64_t i = 0; i < n; ++i, bitpos += static_cast<uint64_t>(w)) {
    uint64_t v = 0;
    int got = 0;
    uint64_t byte = bitpos >> 3;
    int skip = static_cast<int>(bitpos & 7);
    while (got < w) {
      const uint64_t bits = static_cast<uint64_t>(src[byte++]) >> skip;
      v |= bits << got;
      got += 8 - skip;
      skip = 0;
    }
    if (w < 64) v &= (uint64_t{1} << w) - 1;
    out[i] = static_cast<T>(v);
  }
}

void Pack(const uint32_t* values, size_t n, int w, std::string* out) {
  const size_t start = out->size();
  out->resize(start + (n * static_cast<size_t>(w) + 7) / 8, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + start);
  uint64_t bitpos = 0;
  for (size_t i = 0; i < n; ++i, bitpos += static_cast<uint64_t>(w)) {
    uint64_t v = values[i];
    for (int done = 0; done < w;) {
      const int off = static_cast<int>((bitpos + static_cast<uint64_t>(done)) & 7);
      dst[(bitpos + static_cast<uint64_t>(done)) >> 3] |= static_cast<uint8_t>((v << off) & 0xff);
      const int wrote = 8 - off;
      v >>= wrote;
      done += wrote;
    }
  }
}

}  // namespace

bool DecodeHybrid(Bytes in, int bit_width, int64_t n, uint32_t* out) {
  if (bit_width < 0 || bit_width > 32) return false;
  const size_t value_bytes = static_cast<size_t>((bit_width + 7) / 8);
  int64_t done = 0;
  while (done < n) {
    uint64_t header;
    if (!ReadUleb(&in, &header)) return false;
    if (header & 1) {
      const uint64_t groups = header >> 1;
      if (groups == 0 || groups > (uint64_t{1} << 40)) return false;
      const uint64_t bytes = groups * static_cast<uint64_t>(bit_width);
      if (in.left() < bytes) {
        // The last run may be cut short after the values actually needed.
        const int64_t fit = static_cast<int64_t>(in.left() * 8 / static_cast<size_t>(bit_width ? bit_width : 1));
        if (bit_width != 0 && fit < n - done) return false;
      }
      const int64_t count = std::min<int64_t>(static_cast<int64_t>(groups * 8), n - done);
      Unpack(in.p, bit_width, count, out + done);
      in.p += std::min<uint64_t>(bytes, in.left());
      done += count;
    } else {
      const uint64_t count = header >> 1;
      if (in.left() < value_bytes) return false;
      uint32_t v = 0;
      std::memcpy(&v, in.p, value_bytes);
      in.p += value_bytes;
      const int64_t take = std::min<int64_t>(static_cast<int64_t>(count), n - done);
      for (int64_t i = 0; i < take; ++i) out[done + i] = v;
      done += take;
      if (count == 0) return false;
    }
  }
  return true;
}

void EncodeRepeated(uint32_t value, int64_t n, int bit_width, std::string* out) {
  WriteUleb(static_cast<uint64_t>(n) << 1, out);
  const int bytes = (bit_width + 7) / 8;
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void EncodeHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  std::vector<uint32_t> literals;
  auto flush = [&] {
    if (literals.empty()) return;
    literals.resize((literals.size() + 7) / 8 * 8, 0);  // only ever padded at the end
    WriteUleb((literals.size() / 8) << 1 | 1, out);
    Pack(literals.data(), literals.size(), bit_width, out);
    literals.clear();
  };
  size_t i = 0;
  while (i < n) {
    size_t run = 1;
    while (i + run < n && values[i + run] == values[i]) ++run;
    // Literal groups hold multiples of 8 values: the run's first values top
    // the pending group up, the rest is one repeated run (a list column's
    // repetition levels 0,1,1,...,1 stay short, and each run is scanned once).
    const size_t fill = (8 - literals.size() % 8) % 8;
    if (run >= fill + 8) {
      for (size_t k = 0; k < fill; ++k) literals.push_back(values[i++]);
      run -= fill;
      flush();
      EncodeRepeated(values[i], static_cast<int64_t>(run), bit_width, out);
      i += run;
    } else {
      for (size_t k = 0; k < run; ++k) literals.push_back(values[i++]);
    }
  }
  flush();
}

bool DecodeDeltaBinaryPacked(Bytes* in, int64_t n, std::vector<int64_t>* out) {
  uint64_t block_size, miniblocks, total, first_zz;
  if (!ReadUleb(in, &block_size) || !ReadUleb(in, &miniblocks) || !ReadUleb(in, &total) ||
      !ReadUleb(in, &first_zz)) {
    return false;
  }
  if (block_size == 0 || miniblocks == 0 || block_size % miniblocks != 0 ||
      (block_size / miniblocks) % 8 != 0 || block_size > (1u << 20) || static_cast<int64_t>(total) < n ||
      total > static_cast<uint64_t>(n) + block_size) {  // a corrupt count: no huge reserve or loop
    return false;
  }
  const uint64_t per_mini = block_size / miniblocks;
  auto unzigzag = [](uint64_t z) { return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1)); };
  uint64_t last = static_cast<uint64_t>(unzigzag(first_zz));
  const size_t base = out->size();
  out->reserve(base + static_cast<size_t>(total));
  if (total > 0) out->push_back(static_cast<int64_t>(last));
  std::vector<uint64_t> deltas(per_mini);
  int64_t have = total > 0 ? 1 : 0;
  while (have < static_cast<int64_t>(total)) {
    uint64_t min_zz;
    if (!ReadUleb(in, &min_zz) || in->left() < miniblocks) return false;
    const uint64_t min_delta = static_cast<uint64_t>(unzigzag(min_zz));
    const uint8_t* widths = in->p;
    in->p += miniblocks;
    for (uint64_t m = 0; m < miniblocks && have < static_cast<int64_t>(total); ++m) {
      const int w = widths[m];
      if (w > 64) return false;
      const size_t bytes = static_cast<size_t>(per_mini) * static_cast<size_t>(w) / 8;
      if (in->left() < bytes) return false;
      Unpack(in->p, w, static_cast<int64_t>(per_mini), deltas.data());
      in->p += bytes;
      for (uint64_t k = 0; k < per_mini && have < static_cast<int64_t>(total); ++k, ++have) {
        last += min_delta + deltas[k];  // wraps, as the encoder's arithmetic did
        out->push_back(static_cast<int64_t>(last));
      }
    }
  }
  out->resize(base + static_cast<size_t>(n));
  return true;
}

bool DecodeDeltaLengthByteArray(Bytes* in, int64_t n, std::vector<std::string_view>* out) {
  std::vector<int64_t> lengths;
  if (!DecodeDeltaBinaryPacked(in, n, &lengths)) return false;
  for (int64_t len : lengths) {
    if (len < 0 || static_cast<size_t>(len) > in->left()) return false;
    out->emplace_back(reinterpret_cast<const char*>(in->p), static_cast<size_t>(len));
    in->p += len;
  }
  return true;
}

bool DecodeDeltaByteArray(Bytes* in, int64_t n, std::vector<std::string>* out) {
  std::vector<int64_t> prefixes;
  std::vector<std::string_view> suffixes;
  if (!DecodeDeltaBinaryPacked(in, n, &prefixes) || !DecodeDeltaLengthByteArray(in, n, &suffixes)) {
    return false;
  }
  std::string last;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t p = prefixes[static_cast<size_t>(i)];
    if (p < 0 || static_cast<size_t>(p) > last.size()) return false;
    last.resize(static_cast<size_t>(p));
    last.append(suffixes[static_cast<size_t>(i)]);
    out->push_back(last);
  }
  return true;
}

bool DecodeByteStreamSplit(Bytes in, int width, int64_t n, uint8_t* out) {
  if (in.left() < static_cast<size_t>(width) * static_cast<size_t>(n)) return false;
  for (int64_t i = 0; i < n; ++i) {
    for (int b = 0; b < width; ++b) out[i * width + b] = in.p[b * n + i];
  }
  return true;
}

}  // namespace strata::data::parquet
