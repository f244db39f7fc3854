// Log-mel filterbank features, the input most speech models train on
// (NeMo's AudioToMelSpectrogramPreprocessor without its dither,
// pre-emphasis and normalisation): frames every `hop` samples, centred
// (zero padding of n_fft/2 at both ends), a periodic Hann window of
// `window` samples in the middle of n_fft, the power spectrum (FFTW), a
// Slaney-style mel filterbank (librosa's default: Slaney mel scale and area
// normalisation, 0 Hz to rate/2) and log(x + 2^-24).
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace strata::speech {

struct LogMelConfig {
  int rate = 16000;
  int bands = 80;
  double window_ms = 25;
  double hop_ms = 10;
};

class LogMel {
 public:
  explicit LogMel(const LogMelConfig& c);
  ~LogMel();
  LogMel(const LogMel&) = delete;
  LogMel& operator=(const LogMel&) = delete;

  int bands() const { return bands_; }
  int n_fft() const { return n_fft_; }
  // Frames of `samples`, `bands()` values each, frame after frame:
  // 1 + samples.size() / hop frames.
  std::vector<float> Compute(const std::vector<float>& samples) const;

 private:
  int bands_, n_fft_;
  size_t hop_;
  std::vector<float> window_;                 // n_fft long, the Hann window centred, zeros around
  std::vector<std::vector<float>> filters_;   // bands x (n_fft/2 + 1)
  std::vector<std::pair<int, int>> support_;  // per band: the bins [first, last) it weighs
  struct Fft;
  std::unique_ptr<Fft> fft_;
};

// librosa's Slaney mel scale: linear below 1 kHz, logarithmic above.
double HzToMel(double hz);
double MelToHz(double mel);

}  // namespace strata::speech
