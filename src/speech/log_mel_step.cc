// log_mel: {bands: 80, window_ms: 25, hop_ms: 10}: log-mel features of each
// clip's `audio` (log_mel.h), written as `log_mel` (binary: float32, frame
// after frame, `bands` values each) and `log_mel_frames` (int64). The
// nemo_manifest sink writes them next to the audio as .npy files.
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"
#include "speech/audio_column.h"
#include "speech/log_mel.h"

namespace strata::speech {

namespace {

using data::Block;
using data::Column;
using data::Type;
using json = nlohmann::ordered_json;

class LogMelStep : public data::Step {
 public:
  explicit LogMelStep(LogMelConfig config) : config_(config) {}
  bool row_local() const override { return true; }

  Status Apply(Block* b) override {
    const Column *audio = nullptr, *rate = nullptr;
    if (Status s = AudioColumns(*b, &audio, &rate); !s.ok()) return s;
    Column features = Column::OfType(Type::kBinary), frames = Column::OfType(Type::kInt64);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      const int hz = rate->IsNull(r) ? 0 : static_cast<int>(rate->AsDouble(r));
      if (hz <= 0 || audio->IsNull(r)) {
        return InvalidArgument("row " + std::to_string(r) + " has no audio or sample rate");
      }
      const std::vector<float> mel = ForRate(hz).Compute(SamplesOf(*audio, r));
      AppendSamples(mel, &features);
      frames.AppendInt(static_cast<int64_t>(mel.size() / config_.bands));
    }
    data::PutColumn(b, "log_mel", std::move(features));
    data::PutColumn(b, "log_mel_frames", std::move(frames));
    return OkStatus();
  }

 private:
  // One filterbank and FFT plan per sample rate met (clips decoded with
  // sample_rate: 0 keep their own).
  const LogMel& ForRate(int hz) {
    auto& slot = by_rate_[hz];
    if (!slot) {
      LogMelConfig c = config_;
      c.rate = hz;
      slot = std::make_unique<LogMel>(c);
    }
    return *slot;
  }

  LogMelConfig config_;
  std::map<int, std::unique_ptr<LogMel>> by_rate_;
};

void AddLogMelStep(std::map<std::string, data::StepInfo>* r) {
  (*r)["log_mel"].params = {"bands", "window_ms", "hop_ms"};
  (*r)["log_mel"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    LogMelConfig c;
    c.bands = p.value("bands", 80);
    c.window_ms = p.value("window_ms", 25.0);
    c.hop_ms = p.value("hop_ms", 10.0);
    if (c.bands < 1 || c.bands > 512 || !(c.window_ms > 0 && c.window_ms <= 1000) || !(c.hop_ms > 0 && c.hop_ms <= 1000)) {
      return InvalidArgument("log_mel: bands must be 1 to 512, window_ms and hop_ms in (0, 1000]");
    }
    return std::make_unique<LogMelStep>(c);
  };
}

}  // namespace

const data::StepLibrary kLogMelStep(AddLogMelStep);

}  // namespace strata::speech
