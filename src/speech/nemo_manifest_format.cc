// The `nemo_manifest` sink: `write: {format: nemo_manifest, path: out/manifest,
// audio_dir: out/audio, audio_format: wav}`. Each kept clip's audio (the
// `audio` column) is written as 16-bit mono WAV or FLAC at its sample rate,
// named after the Common Voice clip (common_voice_en_1.mp3 ->
// common_voice_en_1.wav), in one of 256 shard directories (by a hash of the
// name, so no directory grows past what a file system lists comfortably);
// with a `log_mel` column (the log_mel step) the features go next to it as
// <name>.npy. Parts hold NeMo manifest lines: audio_filepath (absolute),
// duration (of the written audio), text (`text`, else `sentence`), and
// path, client_id, locale, up_votes, down_votes, gender, age when the data
// has them (and feature_filepath). At the end the parts become one file,
// <path>/manifest.json, in part order, and the summary says how many hours
// of audio were kept.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "data/format/format_registry.h"
#include "speech/audio_files.h"

namespace strata::speech {

namespace {

using data::Block;
using data::Column;
namespace fs = std::filesystem;

// FNV-1a: the same shard for the same name on every build and machine.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string AudioFormat(const data::WriteSpec& w) {
  const auto it = w.options.find("audio_format");
  return it == w.options.end() || it->second.empty() ? "wav" : it->second;
}

// Merges the part files in `dir`, in part order, into `into` and sums their
// durations; false with nothing written when `dir` holds no parts.
bool MergeParts(const fs::path& dir, const fs::path& into, int64_t* clips, double* seconds, std::string* error) {
  std::vector<fs::path> parts;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("part-", 0) == 0 && e.path().extension() == ".json") parts.push_back(e.path());
  }
  std::sort(parts.begin(), parts.end());
  if (parts.empty()) return false;
  const fs::path tmp = into.string() + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  std::string line;
  for (const fs::path& p : parts) {
    std::ifstream in(p, std::ios::binary);
    while (std::getline(in, line)) {
      const size_t at = line.find("\"duration\":");
      if (at != std::string::npos) *seconds += std::strtod(line.c_str() + at + 11, nullptr);
      ++*clips;
      out << line << '\n';
    }
  }
  out.close();
  if (!out) {
    *error = "nemo_manifest: cannot write " + tmp.string();
  } else if (fs::rename(tmp, into, ec); ec) {
    *error = "nemo_manifest: cannot write " + into.string() + ": " + ec.message();
  } else {
    for (const fs::path& p : parts) fs::remove(p, ec);
  }
  return true;
}

class NemoManifestSink : public data::SinkFormat {
 public:
  std::string extension() const override { return "json"; }
  std::vector<std::string> option_names() const override { return {"audio_dir", "audio_format"}; }

  Status Encode(const Block& b, const data::WriteSpec& w, std::string* bytes) const override {
    const auto dir_it = w.options.find("audio_dir");
    if (dir_it == w.options.end() || dir_it->second.empty()) {
      return InvalidArgument("nemo_manifest: needs audio_dir (where the clips' audio files go)");
    }
    const std::string format = AudioFormat(w);
    if (format != "wav" && format != "flac") {
      return InvalidArgument("nemo_manifest: audio_format must be wav or flac, not '" + format + "'");
    }
    const Column* audio = b.Get("audio");
    const Column* rate = b.Get("sample_rate");
    const Column* path = b.Get("path");
    const Column* text = b.Get("text") != nullptr ? b.Get("text") : b.Get("sentence");
    if (audio == nullptr || rate == nullptr || path == nullptr || text == nullptr) {
      return InvalidArgument(
          "nemo_manifest: needs audio, sample_rate (decode_audio), path and text or sentence columns");
    }
    const Column* mel = b.Get("log_mel");
    const Column* mel_frames = b.Get("log_mel_frames");
    std::error_code ec;
    const fs::path dir = fs::absolute(dir_it->second, ec);
    static const char* const kCarried[] = {"path", "client_id", "locale", "up_votes", "down_votes", "gender", "age"};
    for (int64_t r = 0; r < b.num_rows; ++r) {
      const std::string stem = fs::path(std::string(path->Str(r))).stem().string();
      const auto hz = static_cast<uint32_t>(rate->IsNull(r) ? 0 : rate->AsDouble(r));
      if (hz == 0 || audio->IsNull(r)) {
        return InvalidArgument("nemo_manifest: clip " + std::string(path->Str(r)) + " has no audio");
      }
      char shard[8];
      std::snprintf(shard, sizeof shard, "%02x", static_cast<unsigned>(Fnv1a(stem + "." + format) & 0xFF));
      const fs::path file = dir / shard / (stem + "." + format);
      fs::create_directories(file.parent_path(), ec);
      if (Status s = WriteAudioFile(file.string(), audio->Str(r), hz, format); !s.ok()) {
        return s;
      }
      nlohmann::ordered_json line;
      line["audio_filepath"] = file.string();
      line["duration"] = static_cast<double>(audio->Str(r).size() / sizeof(float)) / hz;
      line["text"] = text->IsNull(r) ? "" : std::string(text->Str(r));
      for (const char* col : kCarried) {
        const Column* c = b.Get(col);
        if (c != nullptr) line[col] = nlohmann::ordered_json::parse(data::JsonValue(*c, r));
      }
      if (mel != nullptr && mel_frames != nullptr && !mel->IsNull(r)) {
        const fs::path features = dir / shard / (stem + ".npy");
        const int64_t frames = static_cast<int64_t>(mel_frames->AsDouble(r));
        const int64_t bands = frames > 0 ? static_cast<int64_t>(mel->Str(r).size() / sizeof(float)) / frames : 0;
        if (Status s = WriteNpy(features.string(), mel->Str(r), frames, bands); !s.ok()) {
          return s;
        }
        line["feature_filepath"] = features.string();
      }
      *bytes += line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      *bytes += '\n';
    }
    return OkStatus();
  }

  Status Finish(const data::WriteSpec& w, std::string* note) const override {
    // partition_by (a re-split by speaker) leaves parts in subdirectories:
    // each directory with parts gets its own manifest.json.
    std::vector<fs::path> dirs = {w.path};
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(w.path, ec)) {
      if (e.is_directory()) dirs.push_back(e.path());
    }
    int64_t clips = 0;
    double seconds = 0;
    int manifests = 0;
    std::string why;
    for (const fs::path& dir : dirs) {
      manifests += MergeParts(dir, dir / "manifest.json", &clips, &seconds, &why);
      if (!why.empty()) {
        return InvalidArgument(why);
      }
    }
    if (manifests == 0) std::ofstream(fs::path(w.path) / "manifest.json");  // no clip kept: an empty manifest
    char hours[64];
    std::snprintf(hours, sizeof hours, "%.2f", seconds / 3600);
    *note = "kept " + std::string(hours) + " hours of audio in " + std::to_string(clips) + " clips; NeMo manifest" +
            (w.partition_by.empty() ? " " + (fs::path(w.path) / "manifest.json").string()
                                    : "s: manifest.json in each partition under " + w.path);
    return OkStatus();
  }
};

const bool kRegistered = [] {
  data::FormatRegistry()["nemo_manifest"].sink = std::make_unique<NemoManifestSink>();
  return true;
}();

}  // namespace

}  // namespace strata::speech
