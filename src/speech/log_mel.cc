#include "speech/log_mel.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>

namespace strata::speech {

namespace {

constexpr double kMinLogHz = 1000.0;
constexpr double kHzPerMelBelow = 200.0 / 3;
const double kMinLogMel = kMinLogHz / kHzPerMelBelow;
const double kLogStep = std::log(6.4) / 27.0;

// FFTW's planner is not thread-safe; executing a plan on new arrays is.
std::mutex& PlannerMutex() {
  static std::mutex m;
  return m;
}

int NextPowerOfTwo(int n) {
  int p = 1;
  while (p < n) p *= 2;
  return p;
}

}  // namespace

double HzToMel(double hz) {
  return hz < kMinLogHz ? hz / kHzPerMelBelow : kMinLogMel + std::log(hz / kMinLogHz) / kLogStep;
}

double MelToHz(double mel) {
  return mel < kMinLogMel ? mel * kHzPerMelBelow : kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel));
}

struct LogMel::Fft {
  fftwf_plan plan = nullptr;
};

LogMel::LogMel(const LogMelConfig& c) : bands_(c.bands), fft_(std::make_unique<Fft>()) {
  const int window = std::max(1, static_cast<int>(std::lround(c.window_ms * c.rate / 1000)));
  hop_ = std::max<size_t>(1, static_cast<size_t>(std::llround(c.hop_ms * c.rate / 1000)));
  n_fft_ = NextPowerOfTwo(window);
  window_.assign(n_fft_, 0.f);
  const int left = (n_fft_ - window) / 2;
  for (int i = 0; i < window; ++i) {
    window_[left + i] = static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / window));
  }
  // Triangles between neighbouring points equally spaced in mel, each
  // scaled to unit area (2 / its width in Hz).
  const int bins = n_fft_ / 2 + 1;
  std::vector<double> edges(bands_ + 2);
  const double top = HzToMel(c.rate / 2.0);
  for (int i = 0; i < bands_ + 2; ++i) edges[i] = MelToHz(top * i / (bands_ + 1));
  filters_.assign(bands_, std::vector<float>(bins, 0.f));
  for (int m = 0; m < bands_; ++m) {
    const double lo = edges[m], mid = edges[m + 1], hi = edges[m + 2];
    for (int k = 0; k < bins; ++k) {
      const double f = static_cast<double>(k) * c.rate / n_fft_;
      const double w = std::max(0.0, std::min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      filters_[m][k] = static_cast<float>(w * 2.0 / (hi - lo));
    }
    // Each triangle covers a few bins: sum only those.
    int first = 0, last = bins;
    while (first < bins && filters_[m][first] == 0.f) ++first;
    while (last > first && filters_[m][last - 1] == 0.f) --last;
    support_.emplace_back(first, last);
  }
  std::lock_guard<std::mutex> lock(PlannerMutex());
  float* in = fftwf_alloc_real(n_fft_);
  fftwf_complex* out = fftwf_alloc_complex(bins);
  fft_->plan = fftwf_plan_dft_r2c_1d(n_fft_, in, out, FFTW_ESTIMATE);
  fftwf_free(in);
  fftwf_free(out);
}

LogMel::~LogMel() {
  std::lock_guard<std::mutex> lock(PlannerMutex());
  if (fft_->plan != nullptr) fftwf_destroy_plan(fft_->plan);
}

std::vector<float> LogMel::Compute(const std::vector<float>& samples) const {
  const int bins = n_fft_ / 2 + 1;
  const size_t frames = 1 + samples.size() / hop_;
  const long pad = n_fft_ / 2;
  // fftwf_malloc'd arrays keep the plan's alignment on every call.
  float* frame = fftwf_alloc_real(n_fft_);
  fftwf_complex* spectrum = fftwf_alloc_complex(bins);
  std::vector<float> power(bins);
  std::vector<float> out(frames * bands_);
  for (size_t t = 0; t < frames; ++t) {
    const long start = static_cast<long>(t * hop_) - pad;
    for (int i = 0; i < n_fft_; ++i) {
      const long at = start + i;
      const float x = at >= 0 && at < static_cast<long>(samples.size()) ? samples[at] : 0.f;
      frame[i] = x * window_[i];
    }
    fftwf_execute_dft_r2c(fft_->plan, frame, spectrum);
    for (int k = 0; k < bins; ++k) power[k] = spectrum[k][0] * spectrum[k][0] + spectrum[k][1] * spectrum[k][1];
    for (int m = 0; m < bands_; ++m) {
      const std::vector<float>& w = filters_[m];
      double e = 0;
      for (int k = support_[m].first; k < support_[m].second; ++k) e += w[k] * power[k];
      out[t * bands_ + m] = static_cast<float>(std::log(e + 0x1p-24));
    }
  }
  fftwf_free(frame);
  fftwf_free(spectrum);
  return out;
}

}  // namespace strata::speech
