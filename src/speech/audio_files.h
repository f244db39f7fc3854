// Writing clips and their features to files: 16-bit PCM WAV (written here),
// FLAC (libsndfile, 16-bit), and float32 matrices as NumPy .npy files (what
// speech toolkits load features from).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata::speech {

// `samples`: float32 mono, full scale 1.0 (clipped). `format`: wav or flac.
Status WriteAudioFile(const std::string& path, std::string_view samples, uint32_t rate, const std::string& format);
// `values`: float32, `rows` x `cols`, row after row.
Status WriteNpy(const std::string& path, std::string_view values, int64_t rows, int64_t cols);

}  // namespace strata::speech
