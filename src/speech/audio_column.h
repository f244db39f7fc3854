// The `audio` column's cells: float32 samples, little-endian, as bytes.
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "data/block.h"

namespace strata::speech {

inline std::vector<float> SamplesOf(const data::Column& c, int64_t r) {
  const std::string_view bytes = c.Str(r);
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

inline void AppendSamples(const std::vector<float>& s, data::Column* c) {
  c->AppendString(std::string_view(reinterpret_cast<const char*>(s.data()), s.size() * sizeof(float)));
}

// The `audio` and `sample_rate` columns an audio step reads; an error
// when decode_audio has not run.
inline Status AudioColumns(const data::Block& b, const data::Column** audio, const data::Column** rate) {
  *audio = b.Get("audio");
  *rate = b.Get("sample_rate");
  if (*audio == nullptr || *rate == nullptr) {
    return InvalidArgument("needs the audio and sample_rate columns (decode_audio writes them)");
  }
  return OkStatus();
}

}  // namespace strata::speech
