// Audio steps. Audio travels as columns: `audio` (binary: float32 samples,
// little-endian, mono), `sample_rate` (int64) and `duration` (seconds,
// double), which every audio step keeps current — so a user's own `map` can
// sit between them.
//   decode_audio: {column: audio_path, sample_rate: 16000, channels: 1}:
//     decodes each clip (MP3), downmixes to mono (the mean of the channels)
//     and resamples (libsoxr, high quality). A missing, empty, cut-short or
//     corrupt clip, or one under 0.1 s, is a bad record under the read's
//     on_bad_record (the quarantine names the clip and why).
//   trim_silence: {threshold_dbfs: -40, window_ms: 20}: drops leading and
//     trailing windows whose RMS is below the threshold (full scale 1.0).
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"
#include "speech/audio_codec.h"
#include "speech/audio_column.h"

namespace strata::speech {

namespace {

using data::Block;
using data::Column;
using data::Type;
using json = nlohmann::ordered_json;

class DecodeAudioStep : public data::Step {
 public:
  DecodeAudioStep(std::string column, int rate) : column_(std::move(column)), rate_(rate) {}
  bool row_local() const override { return true; }
  std::map<std::string, int64_t> Counters() const override { return counters_; }
  std::vector<data::BadRecord> TakeBadRecords() override { return std::move(bad_); }

  Status Apply(Block* b) override {
    const Column* paths = b->Get(column_);
    if (paths == nullptr || paths->type != Type::kString) {
      return InvalidArgument(paths == nullptr
                                 ? "no column '" + column_ + "' (the clips' files; common_voice reads give audio_path)"
                                 : "column '" + column_ + "' is not text");
    }
    Column audio = Column::OfType(Type::kBinary), rate = Column::OfType(Type::kInt64),
           duration = Column::OfType(Type::kDouble), keep = Column::OfType(Type::kBool);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      const std::string path = paths->IsNull(r) ? std::string() : std::string(paths->Str(r));
      std::string why;
      Pcm pcm;
      std::vector<float> out;
      Status decoded = path.empty() ? NotFound("no clip path") : DecodeMp3(path, &pcm);
      if (decoded.ok()) decoded = Resample(Downmix(pcm), pcm.rate, rate_ > 0 ? rate_ : pcm.rate, &out);
      if (!decoded.ok()) {
        why = decoded.message();
      } else if (static_cast<double>(out.size()) < 0.1 * (rate_ > 0 ? rate_ : pcm.rate)) {
        why = "decodes to under 0.1 s";
      }
      if (!why.empty()) {
        ++counters_["bad_clip"];
        bad_.push_back({path, 0, "decode_audio: " + why, path});
        keep.AppendBool(false);
        audio.AppendString({}), rate.AppendInt(0), duration.AppendDouble(0);
        continue;
      }
      const int hz = rate_ > 0 ? rate_ : pcm.rate;
      keep.AppendBool(true);
      AppendSamples(out, &audio);
      rate.AppendInt(hz);
      duration.AppendDouble(static_cast<double>(out.size()) / hz);
    }
    data::PutColumn(b, "audio", std::move(audio));
    data::PutColumn(b, "sample_rate", std::move(rate));
    data::PutColumn(b, "duration", std::move(duration));
    *b = b->Filter(keep);
    return OkStatus();
  }

 private:
  std::string column_;
  int rate_;
  std::map<std::string, int64_t> counters_;
  std::vector<data::BadRecord> bad_;
};

class TrimSilenceStep : public data::Step {
 public:
  TrimSilenceStep(double threshold_dbfs, double window_ms) : threshold_(std::pow(10.0, threshold_dbfs / 20)), window_ms_(window_ms) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override {
    const Column *audio = nullptr, *rate = nullptr;
    if (Status s = AudioColumns(*b, &audio, &rate); !s.ok()) return s;
    Column out = Column::OfType(Type::kBinary), duration = Column::OfType(Type::kDouble);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      std::vector<float> s = audio->IsNull(r) ? std::vector<float>() : SamplesOf(*audio, r);
      const double hz = rate->IsNull(r) ? 0 : rate->AsDouble(r);
      if (hz > 0) TrimSilence(&s, static_cast<size_t>(std::llround(window_ms_ * hz / 1000)), threshold_);
      AppendSamples(s, &out);
      duration.AppendDouble(hz > 0 ? static_cast<double>(s.size()) / hz : 0.0);
    }
    data::PutColumn(b, "audio", std::move(out));
    data::PutColumn(b, "duration", std::move(duration));
    return OkStatus();
  }

 private:
  double threshold_, window_ms_;
};

void AddAudioSteps(std::map<std::string, data::StepInfo>* r) {
  (*r)["decode_audio"].params = {"column", "sample_rate", "channels"};
  (*r)["decode_audio"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    const int rate = p.value("sample_rate", 16000), channels = p.value("channels", 1);
    if (rate < 0 || rate > 384000) {
      return InvalidArgument("decode_audio: sample_rate must be 0 (keep the clip's) to 384000");
    }
    if (channels != 1) {
      return InvalidArgument("decode_audio: channels must be 1 (mono; stereo output is not built yet)");
    }
    return std::make_unique<DecodeAudioStep>(p.value("column", std::string("audio_path")), rate);
  };
  (*r)["trim_silence"].params = {"threshold_dbfs", "window_ms"};
  (*r)["trim_silence"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    const double db = p.value("threshold_dbfs", -40.0), ms = p.value("window_ms", 20.0);
    if (!(db < 0) || !(ms > 0 && ms <= 1000)) {
      return InvalidArgument("trim_silence: threshold_dbfs must be below 0 and window_ms in (0, 1000]");
    }
    return std::make_unique<TrimSilenceStep>(db, ms);
  };
}

}  // namespace

const data::StepLibrary kAudioSteps(AddAudioSteps);

}  // namespace strata::speech
