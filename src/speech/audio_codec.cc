#include "speech/audio_codec.h"

#include <mpg123.h>
#include <soxr.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>

namespace strata::speech {

namespace {

struct HandleCloser {
  void operator()(mpg123_handle* h) const {
    mpg123_close(h);
    mpg123_delete(h);
  }
};

}  // namespace

Status DecodeMp3(const std::string& path, Pcm* out) {
  static std::once_flag init;
  std::call_once(init, [] { mpg123_init(); });
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFound("missing clip");
  }
  if (std::filesystem::file_size(path, ec) == 0) {
    return InvalidArgument("empty clip (0 bytes)");
  }
  int err = MPG123_OK;
  std::unique_ptr<mpg123_handle, HandleCloser> h(mpg123_new(nullptr, &err));
  if (!h) {
    return InvalidArgument(std::string("mpg123: ") + mpg123_plain_strerror(err));
  }
  mpg123_param(h.get(), MPG123_ADD_FLAGS, MPG123_QUIET | MPG123_FORCE_FLOAT | MPG123_GAPLESS, 0.);
  if (mpg123_open(h.get(), path.c_str()) != MPG123_OK) {
    return InvalidArgument(std::string("cannot open: ") + mpg123_strerror(h.get()));
  }
  long rate = 0;
  int channels = 0, encoding = 0;
  if (mpg123_getformat(h.get(), &rate, &channels, &encoding) != MPG123_OK || rate <= 0 || channels <= 0) {
    return InvalidArgument("not an MP3 (no audio frames found)");
  }
  // Keep that format for the whole stream.
  mpg123_format_none(h.get());
  mpg123_format(h.get(), rate, channels, MPG123_ENC_FLOAT_32);
  const off_t promised = mpg123_length(h.get());  // samples per channel, from the Xing/LAME header if any
  out->rate = static_cast<int>(rate);
  out->channels = channels;
  out->samples.clear();
  std::vector<unsigned char> buf(1 << 16);
  for (;;) {
    size_t done = 0;
    const int rc = mpg123_read(h.get(), buf.data(), buf.size(), &done);
    const size_t n = done / sizeof(float);
    const auto* f = reinterpret_cast<const float*>(buf.data());
    out->samples.insert(out->samples.end(), f, f + n);
    if (rc == MPG123_DONE) break;
    if (rc == MPG123_NEW_FORMAT || rc == MPG123_OK) continue;
    return DataLoss(std::string("corrupt MP3: ") + mpg123_strerror(h.get()));
  }
  const auto frames = static_cast<int64_t>(out->samples.size() / static_cast<size_t>(channels));
  // mpg123 scans the header for the promised length only when it has one
  // (MPG123_ERR otherwise); a shortfall of more than a frame is a cut.
  if (promised > 0 && frames + 1152 < static_cast<int64_t>(promised)) {
    return DataLoss("cut short: " + std::to_string(frames) + " of the " + std::to_string(promised) +
                    " samples its header promises");
  }
  if (frames == 0) {
    return DataLoss("corrupt MP3: no samples decoded");
  }
  return OkStatus();
}

std::vector<float> Downmix(const Pcm& pcm) {
  if (pcm.channels <= 1) return pcm.samples;
  const size_t c = static_cast<size_t>(pcm.channels);
  std::vector<float> mono(pcm.samples.size() / c);
  for (size_t i = 0; i < mono.size(); ++i) {
    float sum = 0;
    for (size_t k = 0; k < c; ++k) sum += pcm.samples[i * c + k];
    mono[i] = sum / static_cast<float>(c);
  }
  return mono;
}

Status Resample(const std::vector<float>& in, int from, int to, std::vector<float>* out) {
  if (from == to) {
    *out = in;
    return OkStatus();
  }
  out->assign(static_cast<size_t>(std::ceil(static_cast<double>(in.size()) * to / from)) + 16, 0.f);
  size_t done = 0;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_error_t e = soxr_oneshot(from, to, 1, in.data(), in.size(), nullptr, out->data(), out->size(), &done,
                                      &io, &quality, nullptr);
  if (e != nullptr) {
    return InternalError(std::string("resampling: ") + e);
  }
  out->resize(done);
  return OkStatus();
}

void TrimSilence(std::vector<float>* samples, size_t window, double threshold) {
  if (window == 0) window = 1;
  const size_t windows = (samples->size() + window - 1) / window;
  auto loud = [&](size_t w) {
    const size_t begin = w * window, end = std::min(samples->size(), begin + window);
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += static_cast<double>((*samples)[i]) * (*samples)[i];
    return std::sqrt(sum / static_cast<double>(end - begin)) >= threshold;
  };
  size_t first = 0;
  while (first < windows && !loud(first)) ++first;
  if (first == windows) {
    samples->clear();
    return;
  }
  size_t last = windows - 1;
  while (last > first && !loud(last)) --last;
  const size_t end = std::min(samples->size(), (last + 1) * window);
  samples->erase(samples->begin() + static_cast<std::ptrdiff_t>(end), samples->end());
  samples->erase(samples->begin(), samples->begin() + static_cast<std::ptrdiff_t>(first * window));
}

}  // namespace strata::speech
