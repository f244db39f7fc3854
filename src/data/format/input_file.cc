#include "data/format/input_file.h"

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

Status ReadGzip(const std::string& path, size_t max_bytes, std::string* out) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return CannotRead(path);
  std::vector<char> buf(1 << 20);
  Status status;
  while (out->size() < max_bytes) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    int code = Z_OK;
    const char* message = gzerror(f, &code);
    // zlib reads a file without the gzip magic as plain bytes ("transparent"
    // mode); a name that promises gzip and holds something else is an error.
    if (gzdirect(f)) {
      status = InvalidArgument(path + " is named .gz but is not gzip (no gzip header); rename it or compress it");
      break;
    }
    // A stream cut short reads as data then Z_BUF_ERROR ("unexpected end of
    // file"): the last record would be kept cut, so the file is refused.
    if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
      status = DataLoss(code == Z_BUF_ERROR ? path + " ends in the middle of a gzip stream (truncated?)"
                                            : path + " is not valid gzip: " + message);
      break;
    }
    if (n == 0) break;
    out->append(buf.data(), static_cast<size_t>(n));
  }
  gzclose(f);
  if (out->size() > max_bytes) out->resize(max_bytes);
  return status;
}

Status ReadZstd(const std::string& path, size_t max_bytes, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return CannotRead(path);
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  std::vector<char> inbuf(ZSTD_DStreamInSize()), outbuf(ZSTD_DStreamOutSize());
  Status status;
  size_t last = 0;
  bool any = false;
  while (status.ok() && out->size() < max_bytes) {
    in.read(inbuf.data(), static_cast<std::streamsize>(inbuf.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    any = true;
    ZSTD_inBuffer input{inbuf.data(), n, 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{outbuf.data(), outbuf.size(), 0};
      last = ZSTD_decompressStream(ctx, &output, &input);
      if (ZSTD_isError(last)) {
        status = DataLoss(path + " is not valid zstd: " + ZSTD_getErrorName(last));
        break;
      }
      out->append(outbuf.data(), output.pos);
    }
  }
  ZSTD_freeDCtx(ctx);
  if (status.ok() && !any) status = DataLoss(path + " is empty: not a zstd stream");
  if (status.ok() && last != 0 && out->size() < max_bytes) {
    status = DataLoss(path + " ends in the middle of a zstd frame (truncated?)");
  }
  if (out->size() > max_bytes) out->resize(max_bytes);
  return status;
}

}  // namespace

void StripByteOrderMark(std::string* text) {
  if (text->compare(0, 3, "\xEF\xBB\xBF") == 0) text->erase(0, 3);
}

bool IsCompressed(const std::string& path) { return EndsWith(path, ".gz") || EndsWith(path, ".zst"); }

Status ReadHead(const std::string& path, size_t max_bytes, std::string* out) {
  out->clear();
  if (EndsWith(path, ".gz")) return ReadGzip(path, max_bytes, out);
  if (EndsWith(path, ".zst")) return ReadZstd(path, max_bytes, out);
  std::ifstream in(path, std::ios::binary);
  if (!in) return CannotRead(path);
  out->resize(max_bytes);
  in.read(out->data(), static_cast<std::streamsize>(max_bytes));
  out->resize(static_cast<size_t>(in.gcount()));
  return OkStatus();
}

Status ReadRange(const FileRange& range, std::string* out) {
  if (IsCompressed(range.path)) {
    STRATA_RETURN_IF_ERROR(ReadHead(range.path, SIZE_MAX, out));
    if (range.offset > 0) out->erase(0, static_cast<size_t>(range.offset));  // the header
    else StripByteOrderMark(out);
    return OkStatus();
  }
  std::ifstream in(range.path, std::ios::binary);
  // Sized without filling when `out` held as much before (a reader's buffer
  // reused range after range): the bytes are read over it.
  out->resize(static_cast<size_t>(range.length));
  in.seekg(range.offset);
  in.read(out->data(), range.length);
  if (in.gcount() != range.length) {
    return DataLoss("cannot read " + range.path + " at byte " + std::to_string(range.offset));
  }
  if (range.offset == 0) StripByteOrderMark(out);
  return OkStatus();
}

}  // namespace strata::data
