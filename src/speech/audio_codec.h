// Audio in and out of samples: MP3 decoding (libmpg123, gapless), downmix,
// resampling (libsoxr, high quality), and silence trimming. Samples are
// float32 in [-1, 1] (full scale = 1.0). Each call owns its decoder and
// resampler: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace strata::speech {

struct Pcm {
  std::vector<float> samples;  // interleaved when channels > 1
  int rate = 0;
  int channels = 0;
};

// Decodes the MP3 at `path`. A missing, empty, cut-short or undecodable file
// is an error saying which (a file whose Xing/LAME header promises more
// samples than its frames hold is cut short).
Status DecodeMp3(const std::string& path, Pcm* out);
// The mean of the channels.
std::vector<float> Downmix(const Pcm& pcm);
// `in` at `from` Hz, resampled to `to` Hz (libsoxr, SOXR_HQ).
Status Resample(const std::vector<float>& in, int from, int to, std::vector<float>* out);
// The samples between the first and the last window of `window` samples
// whose RMS is at or above `threshold` (linear); none when all are below.
// Pauses inside stay.
void TrimSilence(std::vector<float>* samples, size_t window, double threshold);

}  // namespace strata::speech
