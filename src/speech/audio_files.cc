#include "speech/audio_files.h"

#include <sndfile.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <vector>

namespace strata::speech {

namespace {

void PutLe(uint32_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::vector<int16_t> Pcm16(std::string_view samples) {
  std::vector<int16_t> out(samples.size() / sizeof(float));
  for (size_t i = 0; i < out.size(); ++i) {
    float x;
    std::memcpy(&x, samples.data() + i * sizeof(float), sizeof x);
    out[i] = static_cast<int16_t>(std::lround(std::fmax(-1.f, std::fmin(1.f, x)) * 32767.f));
  }
  return out;
}

std::string Wav(const std::vector<int16_t>& pcm, uint32_t rate) {
  const size_t n = pcm.size();
  std::string out;
  out.reserve(44 + 2 * n);
  out += "RIFF";
  PutLe(static_cast<uint32_t>(36 + 2 * n), 4, &out);
  out += "WAVEfmt ";
  PutLe(16, 4, &out);
  PutLe(1, 2, &out);  // PCM
  PutLe(1, 2, &out);  // mono
  PutLe(rate, 4, &out);
  PutLe(rate * 2, 4, &out);
  PutLe(2, 2, &out);
  PutLe(16, 2, &out);
  out += "data";
  PutLe(static_cast<uint32_t>(2 * n), 4, &out);
  for (int16_t s : pcm) PutLe(static_cast<uint16_t>(s), 2, &out);
  return out;
}

Status WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    return Unavailable("cannot write " + path);
  }
  return OkStatus();
}

Status WriteFlac(const std::string& path, const std::vector<int16_t>& pcm, uint32_t rate) {
  SF_INFO info{};
  info.samplerate = static_cast<int>(rate);
  info.channels = 1;
  info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (f == nullptr) {
    return Unavailable("cannot write " + path + ": " + sf_strerror(nullptr));
  }
  const sf_count_t wrote = sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  const int closed = sf_close(f);
  if (wrote != static_cast<sf_count_t>(pcm.size()) || closed != 0) {
    return InternalError("cannot write " + path + " (FLAC encoding failed)");
  }
  return OkStatus();
}

}  // namespace

Status WriteAudioFile(const std::string& path, std::string_view samples, uint32_t rate, const std::string& format) {
  const std::vector<int16_t> pcm = Pcm16(samples);
  if (format == "flac") return WriteFlac(path, pcm, rate);
  return WriteBytes(path, Wav(pcm, rate));
}

Status WriteNpy(const std::string& path, std::string_view values, int64_t rows, int64_t cols) {
  // Format 1.0: magic, version, header length, a Python dict literal padded
  // with spaces so the data starts at a multiple of 64 bytes.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + "), }";
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  PutLe(static_cast<uint32_t>(header.size()), 2, &bytes);
  bytes += header;
  bytes.append(values.data(), values.size());
  return WriteBytes(path, bytes);
}

}  // namespace strata::speech
