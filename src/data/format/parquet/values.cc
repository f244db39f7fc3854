// Decoding one page's values of a leaf column (see leaf.h).
#include <cmath>
#include <cstring>
#include <type_traits>

#include "data/format/parquet/leaf.h"
#include "data/timestamp.h"

namespace strata::data::parquet {

using PT = pf::Type;

namespace {

// `count` little-endian values of Src into `out` (widened to Dst).
template <class Src, class Dst>
bool Widen(Bytes in, size_t count, std::vector<Dst>* out) {
  if (in.left() < count * sizeof(Src)) return false;
  out->resize(count);
  if constexpr (std::is_same_v<Src, Dst>) {
    if (count > 0) std::memcpy(out->data(), in.p, count * sizeof(Src));
  } else {
    for (size_t i = 0; i < count; ++i) {
      Src v;
      std::memcpy(&v, in.p + sizeof(Src) * i, sizeof(Src));
      (*out)[i] = v;
    }
  }
  return true;
}

}  // namespace

bool DecodePlain(const Leaf& l, Bytes in, int64_t n, Column* c) {
  const size_t count = static_cast<size_t>(n);
  switch (l.physical) {
    case PT::BOOLEAN: {
      if (in.left() < (count + 7) / 8) return false;
      *c = Column::OfType(Type::kBool);
      c->b.resize(count);
      for (size_t i = 0; i < count; ++i) c->b[i] = (in.p[i >> 3] >> (i & 7)) & 1;
      break;
    }
    case PT::INT32:
      *c = Column::OfType(Type::kInt64);
      if (!Widen<int32_t>(in, count, &c->i64)) return false;
      break;
    case PT::INT64:
      *c = Column::OfType(Type::kInt64);
      if (!Widen<int64_t>(in, count, &c->i64)) return false;
      break;
    case PT::INT96: {
      if (in.left() < count * 12) return false;
      *c = Column::OfType(Type::kInt64);
      c->i64.resize(count);
      for (size_t i = 0; i < count; ++i) {
        int64_t nanos;
        int32_t julian;
        std::memcpy(&nanos, in.p + 12 * i, 8);
        std::memcpy(&julian, in.p + 12 * i + 8, 4);
        c->i64[i] = (static_cast<int64_t>(julian) - 2440588) * kMicrosPerDay + nanos / 1000;
      }
      break;
    }
    case PT::FLOAT:
      *c = Column::OfType(Type::kDouble);
      if (!Widen<float>(in, count, &c->f64)) return false;
      break;
    case PT::DOUBLE:
      *c = Column::OfType(Type::kDouble);
      if (!Widen<double>(in, count, &c->f64)) return false;
      break;
    case PT::BYTE_ARRAY:
      *c = Column::OfType(Type::kString);
      if (count > in.left() / 4) return false;  // each value has a 4-byte length
      c->offsets.reserve(count + 1);
      for (size_t i = 0; i < count; ++i) {
        uint32_t len;
        if (in.left() < 4) return false;
        std::memcpy(&len, in.p, 4);
        in.p += 4;
        if (in.left() < len) return false;
        c->AppendString(std::string_view(reinterpret_cast<const char*>(in.p), len));
        in.p += len;
      }
      return true;
    case PT::FIXED_LEN_BYTE_ARRAY: {
      const size_t w = static_cast<size_t>(l.type_length);
      if (l.type_length <= 0 || in.left() < count * w) return false;
      *c = Column::OfType(Type::kString);
      for (size_t i = 0; i < count; ++i) {
        c->AppendString(std::string_view(reinterpret_cast<const char*>(in.p + i * w), w));
      }
      return true;
    }
  }
  c->length = n;
  return true;
}

// Every value times `factor`, or false if one leaves int64.
bool ScaleAll(std::vector<int64_t>* values, int64_t factor) {
  for (int64_t& v : *values) {
    if (__builtin_mul_overflow(v, factor, &v)) return false;
  }
  return true;
}

Status Convert(const Leaf& l, Column* c) {
  switch (l.conversion) {
    case Conversion::kNone: break;  // the type may still change (bytes → binary)
    case Conversion::kDate:
      if (!ScaleAll(&c->i64, kMicrosPerDay)) return DataLoss("a DATE value past the range of timestamps");
      break;
    case Conversion::kMillis:
      if (!ScaleAll(&c->i64, 1000)) return DataLoss("a TIMESTAMP_MILLIS value past the range of timestamps");
      break;
    case Conversion::kNanos:
      for (int64_t& v : c->i64) v = v / 1000 - (v % 1000 < 0);
      break;
    case Conversion::kMicros:
    case Conversion::kInt96: break;
    case Conversion::kDecimal: {
      const double div = std::pow(10.0, l.scale);
      Column d = Column::OfType(Type::kDouble);
      d.f64.resize(static_cast<size_t>(c->length));
      for (int64_t i = 0; i < c->length; ++i) {
        if (c->type == Type::kInt64) {
          d.f64[static_cast<size_t>(i)] = static_cast<double>(c->i64[static_cast<size_t>(i)]) / div;
        } else {
          // Big-endian two's complement: start from -1 when negative and
          // shift the bytes in, which sign-extends.
          const std::string_view s = c->Str(i);
          double v = !s.empty() && (static_cast<uint8_t>(s[0]) & 0x80) ? -1 : 0;
          for (char ch : s) v = v * 256 + static_cast<uint8_t>(ch);
          d.f64[static_cast<size_t>(i)] = v / div;
        }
      }
      d.length = c->length;
      *c = std::move(d);
      return OkStatus();
    }
  }
  c->type = l.type;
  return OkStatus();
}

Status DecodeValues(const Leaf& l, int encoding, Bytes in, int64_t n, const Column* dict, Column* out) {
  switch (encoding) {
    case pf::Encoding::PLAIN:
      if (!DecodePlain(l, in, n, out)) return DataLoss("PLAIN values run past the page");
      break;
    case pf::Encoding::PLAIN_DICTIONARY:
    case pf::Encoding::RLE_DICTIONARY: {
      if (dict == nullptr) return DataLoss("dictionary-encoded page without a dictionary page");
      if (n == 0) {
        *out = Column::OfType(dict->type);
        return OkStatus();
      }
      if (in.left() < 1) return DataLoss("dictionary page indices missing");
      const int width = *in.p++;
      std::vector<uint32_t> idx(static_cast<size_t>(n));
      if (!DecodeHybrid(in, width, n, idx.data())) return DataLoss("corrupt dictionary indices");
      std::vector<int64_t> rows(idx.begin(), idx.end());
      for (int64_t r : rows) {
        if (r >= dict->length) return DataLoss("dictionary index " + std::to_string(r) + " out of range");
      }
      *out = Gather(*dict, rows);
      return OkStatus();  // the dictionary is converted already
    }
    case pf::Encoding::RLE: {
      if (l.physical != PT::BOOLEAN) return DataLoss("RLE encoding for a non-boolean column");
      if (in.left() < 4) return DataLoss("RLE booleans without a length");
      uint32_t len;
      std::memcpy(&len, in.p, 4);
      in.p += 4;
      if (in.left() < len) return DataLoss("RLE booleans run past the page");
      in.end = in.p + len;
      std::vector<uint32_t> v(static_cast<size_t>(n));
      if (!DecodeHybrid(in, 1, n, v.data())) return DataLoss("corrupt RLE booleans");
      *out = Column::OfType(Type::kBool);
      out->b.assign(v.begin(), v.end());
      out->length = n;
      break;
    }
    case pf::Encoding::DELTA_BINARY_PACKED: {
      if (l.physical != PT::INT32 && l.physical != PT::INT64) return DataLoss("DELTA_BINARY_PACKED for a non-integer column");
      *out = Column::OfType(Type::kInt64);
      if (!DecodeDeltaBinaryPacked(&in, n, &out->i64)) return DataLoss("corrupt DELTA_BINARY_PACKED values");
      if (l.physical == PT::INT32) {
        for (int64_t& v : out->i64) v = static_cast<int32_t>(v);
      }
      out->length = n;
      break;
    }
    case pf::Encoding::DELTA_LENGTH_BYTE_ARRAY:
    case pf::Encoding::DELTA_BYTE_ARRAY: {
      *out = Column::OfType(Type::kString);
      if (encoding == pf::Encoding::DELTA_LENGTH_BYTE_ARRAY) {
        std::vector<std::string_view> v;
        if (!DecodeDeltaLengthByteArray(&in, n, &v)) return DataLoss("corrupt DELTA_LENGTH_BYTE_ARRAY values");
        for (auto s : v) out->AppendString(s);
      } else {
        std::vector<std::string> v;
        if (!DecodeDeltaByteArray(&in, n, &v)) return DataLoss("corrupt DELTA_BYTE_ARRAY values");
        for (const auto& s : v) out->AppendString(s);
      }
      break;
    }
    case pf::Encoding::BYTE_STREAM_SPLIT: {
      const int width = l.physical == PT::FLOAT || l.physical == PT::INT32 ? 4
                        : l.physical == PT::FIXED_LEN_BYTE_ARRAY ? l.type_length : 8;
      std::string plain(static_cast<size_t>(width) * static_cast<size_t>(n), '\0');
      if (width <= 0 || !DecodeByteStreamSplit(in, width, n, reinterpret_cast<uint8_t*>(plain.data()))) {
        return DataLoss("corrupt BYTE_STREAM_SPLIT values");
      }
      const auto* p = reinterpret_cast<const uint8_t*>(plain.data());
      DecodePlain(l, Bytes{p, p + plain.size()}, n, out);
      break;
    }
    default:
      return InvalidArgument("encoding " + std::to_string(encoding) + " is not supported");
  }
  return Convert(l, out);
}

}  // namespace strata::data::parquet
