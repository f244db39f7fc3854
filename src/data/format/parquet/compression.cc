#include "data/format/parquet/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

namespace strata::data::parquet {

bool CodecByName(const std::string& name, Codec* codec) {
  if (name == "snappy") *codec = Codec::kSnappy;
  else if (name == "gzip") *codec = Codec::kGzip;
  else if (name == "zstd") *codec = Codec::kZstd;
  else if (name == "none" || name == "uncompressed") *codec = Codec::kNone;
  else return false;
  return true;
}

const char* CodecName(int codec) {
  switch (codec) {
    case 0: return "uncompressed";
    case 1: return "snappy";
    case 2: return "gzip";
    case 3: return "lzo";
    case 4: return "brotli";
    case 5: return "lz4";
    case 6: return "zstd";
    case 7: return "lz4_raw";
  }
  return "unknown";
}

Status Decompress(int codec, std::string_view in, size_t size, std::string* out) {
  out->resize(size);
  switch (codec) {
    case 0:
      if (in.size() != size) {
        return DataLoss("page size mismatch");
      }
      out->assign(in);
      return OkStatus();
    case 1: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != size ||
          !snappy::RawUncompress(in.data(), in.size(), out->data())) {
        return DataLoss("corrupt snappy page");
      }
      return OkStatus();
    }
    case 2: {
      z_stream z{};
      if (inflateInit2(&z, 15 + 32) != Z_OK) {  // gzip or zlib header
        return InternalError("zlib init failed");
      }
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out->data());
      z.avail_out = static_cast<uInt>(size);
      const int rc = inflate(&z, Z_FINISH);
      const bool ok = rc == Z_STREAM_END && z.total_out == size;
      inflateEnd(&z);
      return ok ? OkStatus() : DataLoss("corrupt gzip page");
    }
    case 6: {
      const size_t n = ZSTD_decompress(out->data(), size, in.data(), in.size());
      if (ZSTD_isError(n) || n != size) {
        return DataLoss("corrupt zstd page");
      }
      return OkStatus();
    }
  }
  return InvalidArgument(std::string("compression ") + CodecName(codec) + " is not supported (snappy, gzip, zstd, none are)");
}

void Compress(Codec codec, std::string_view in, std::string* out) {
  switch (codec) {
    case Codec::kNone:
      out->assign(in);
      return;
    case Codec::kSnappy: {
      out->resize(snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data(), &n);
      out->resize(n);
      return;
    }
    case Codec::kGzip: {
      z_stream z{};
      deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
      out->resize(deflateBound(&z, static_cast<uLong>(in.size())) + 32);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out->data());
      z.avail_out = static_cast<uInt>(out->size());
      deflate(&z, Z_FINISH);
      out->resize(z.total_out);
      deflateEnd(&z);
      return;
    }
    case Codec::kZstd: {
      out->resize(ZSTD_compressBound(in.size()));
      const size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), 1);
      out->resize(ZSTD_isError(n) ? 0 : n);
      return;
    }
  }
}

}  // namespace strata::data::parquet
