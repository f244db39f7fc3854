#include "data/input_file.h"

#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace strata::data {

namespace {

bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

bool ReadGzip(const std::string& path, size_t max_bytes, std::string* out, std::string* error) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<char> buf(1 << 20);
  while (out->size() < max_bytes) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int code = 0;
      *error = path + " is not valid gzip: " + gzerror(f, &code);
      gzclose(f);
      return false;
    }
    if (n == 0) break;
    out->append(buf.data(), static_cast<size_t>(n));
  }
  gzclose(f);
  if (out->size() > max_bytes) out->resize(max_bytes);
  return true;
}

bool ReadZstd(const std::string& path, size_t max_bytes, std::string* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  std::vector<char> inbuf(ZSTD_DStreamInSize()), outbuf(ZSTD_DStreamOutSize());
  bool ok = true;
  size_t last = 0;
  while (ok && out->size() < max_bytes) {
    in.read(inbuf.data(), static_cast<std::streamsize>(inbuf.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    ZSTD_inBuffer input{inbuf.data(), n, 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{outbuf.data(), outbuf.size(), 0};
      last = ZSTD_decompressStream(ctx, &output, &input);
      if (ZSTD_isError(last)) {
        *error = path + " is not valid zstd: " + ZSTD_getErrorName(last);
        ok = false;
        break;
      }
      out->append(outbuf.data(), output.pos);
    }
  }
  ZSTD_freeDCtx(ctx);
  if (ok && last != 0 && out->size() < max_bytes) {
    *error = path + " ends in the middle of a zstd frame (truncated?)";
    ok = false;
  }
  if (out->size() > max_bytes) out->resize(max_bytes);
  return ok;
}

}  // namespace

bool IsCompressed(const std::string& path) { return EndsWith(path, ".gz") || EndsWith(path, ".zst"); }

bool ReadHead(const std::string& path, size_t max_bytes, std::string* out, std::string* error) {
  out->clear();
  if (EndsWith(path, ".gz")) return ReadGzip(path, max_bytes, out, error);
  if (EndsWith(path, ".zst")) return ReadZstd(path, max_bytes, out, error);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  out->resize(max_bytes);
  in.read(out->data(), static_cast<std::streamsize>(max_bytes));
  out->resize(static_cast<size_t>(in.gcount()));
  return true;
}

bool ReadRange(const FileRange& range, std::string* out, std::string* error) {
  if (IsCompressed(range.path)) {
    if (!ReadHead(range.path, SIZE_MAX, out, error)) return false;
    if (range.offset > 0) out->erase(0, static_cast<size_t>(range.offset));  // the header
    return true;
  }
  std::ifstream in(range.path, std::ios::binary);
  out->assign(static_cast<size_t>(range.length), '\0');
  in.seekg(range.offset);
  in.read(out->data(), range.length);
  if (in.gcount() != range.length) {
    *error = "cannot read " + range.path + " at byte " + std::to_string(range.offset);
    return false;
  }
  return true;
}

}  // namespace strata::data
