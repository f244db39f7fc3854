// The `nemo_manifest` sink: `write: {format: nemo_manifest, path: out/manifest,
// audio_dir: out/audio}`. Each kept clip's audio (the `audio` column) is
// written as a 16-bit mono WAV at its sample rate, named after the Common
// Voice clip (common_voice_en_1.mp3 -> common_voice_en_1.wav), in one of 256
// shard directories (by a hash of the name, so no directory grows past
// what a file system lists comfortably); the part files are NeMo manifest
// lines: audio_filepath (absolute), duration (of the written audio), text
// (`text`, else `sentence`), and path, client_id, locale, up_votes,
// down_votes, gender, age when the data has them.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "data/format/format_registry.h"

namespace strata::speech {

namespace {

using data::Block;
using data::Column;

void PutLe(uint32_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A 16-bit PCM mono WAV of `samples` (float, full scale 1.0; clipped).
std::string Wav(std::string_view samples, uint32_t rate) {
  const size_t n = samples.size() / sizeof(float);
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
  for (size_t i = 0; i < n; ++i) {
    float x;
    std::memcpy(&x, samples.data() + i * sizeof(float), sizeof x);
    const float clipped = std::fmax(-1.f, std::fmin(1.f, x));
    PutLe(static_cast<uint16_t>(static_cast<int16_t>(std::lround(clipped * 32767.f))), 2, &out);
  }
  return out;
}

// FNV-1a: the same shard for the same name on every build and machine.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

class NemoManifestSink : public data::SinkFormat {
 public:
  std::string extension() const override { return "json"; }
  std::vector<std::string> option_names() const override { return {"audio_dir", "audio_format"}; }

  bool Encode(const Block& b, const data::WriteSpec& w, std::string* bytes, std::string* error) const override {
    const auto dir_it = w.options.find("audio_dir");
    if (dir_it == w.options.end() || dir_it->second.empty()) {
      *error = "nemo_manifest: needs audio_dir (where the clips' WAV files go)";
      return false;
    }
    if (w.options.count("audio_format") && w.options.at("audio_format") != "wav") {
      *error = "nemo_manifest: audio_format must be wav (flac is not built yet)";
      return false;
    }
    const Column* audio = b.Get("audio");
    const Column* rate = b.Get("sample_rate");
    const Column* path = b.Get("path");
    const Column* text = b.Get("text") != nullptr ? b.Get("text") : b.Get("sentence");
    if (audio == nullptr || rate == nullptr || path == nullptr || text == nullptr) {
      *error = "nemo_manifest: needs audio, sample_rate (decode_audio), path and text or sentence columns";
      return false;
    }
    std::error_code ec;
    const std::filesystem::path dir = std::filesystem::absolute(dir_it->second, ec);
    static const char* const kCarried[] = {"path", "client_id", "locale", "up_votes", "down_votes", "gender", "age"};
    for (int64_t r = 0; r < b.num_rows; ++r) {
      const std::string name = std::filesystem::path(std::string(path->Str(r))).stem().string() + ".wav";
      const auto hz = static_cast<uint32_t>(rate->IsNull(r) ? 0 : rate->AsDouble(r));
      if (hz == 0 || audio->IsNull(r)) {
        *error = "nemo_manifest: clip " + std::string(path->Str(r)) + " has no audio";
        return false;
      }
      char shard[8];
      std::snprintf(shard, sizeof shard, "%02x", static_cast<unsigned>(Fnv1a(name) & 0xFF));
      const std::filesystem::path file = dir / shard / name;
      std::filesystem::create_directories(file.parent_path(), ec);
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << Wav(audio->Str(r), hz);
      if (!out.good()) {
        *error = "nemo_manifest: cannot write " + file.string();
        return false;
      }
      nlohmann::ordered_json line;
      line["audio_filepath"] = file.string();
      line["duration"] = static_cast<double>(audio->Str(r).size() / sizeof(float)) / hz;
      line["text"] = text->IsNull(r) ? "" : std::string(text->Str(r));
      for (const char* col : kCarried) {
        const Column* c = b.Get(col);
        if (c != nullptr) line[col] = nlohmann::ordered_json::parse(data::JsonValue(*c, r));
      }
      *bytes += line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      *bytes += '\n';
    }
    return true;
  }
};

const bool kRegistered = [] {
  data::FormatRegistry()["nemo_manifest"].sink = std::make_unique<NemoManifestSink>();
  return true;
}();

}  // namespace

}  // namespace strata::speech
