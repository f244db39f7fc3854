// Transcript steps for speech corpora.
//   normalize_transcript: {column: sentence, output: text}: Unicode
//     lowercase (per code point: Über -> über, ß stays), the typographic
//     apostrophe ’ -> ', every other punctuation character (Unicode P*) a
//     space, whitespace collapsed and trimmed. keep_punctuation: true skips
//     the punctuation rule; alphabet: "abc... '" drops clips whose text has
//     another character (outside_alphabet); min/max_chars_per_second (on
//     the `duration` column, seconds) drop clips read too fast or too slow;
//     an empty text is dropped (empty_transcript).
//   vote_filter: {min_up_votes: 2}: keeps clips with at least that many up
//     votes and more up than down votes (for other.tsv-like input).
#include <utf8proc.h>

#include <nlohmann/json.hpp>

#include "data/ops/operators.h"
#include "data/ops/steps.h"

namespace strata::speech {

namespace {

using data::Block;
using data::Column;
using data::Type;
using json = nlohmann::ordered_json;

bool IsSpace(utf8proc_int32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
}

bool IsPunctuation(utf8proc_int32_t c) {
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

void Append(utf8proc_int32_t c, std::string* out) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(c, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace

// Exposed for the tests.
std::string NormalizeTranscript(std::string_view text, bool keep_punctuation) {
  std::string out;
  bool space = false;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
    if (n <= 0) {  // a broken byte becomes the replacement character
      n = 1;
      c = 0xFFFD;
    }
    p += n;
    left -= n;
    if (c == 0x2019) c = '\'';
    if (IsSpace(c) || (!keep_punctuation && c != '\'' && IsPunctuation(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    Append(utf8proc_tolower(c), &out);
  }
  return out;
}

namespace {

class NormalizeTranscriptStep : public data::Step {
 public:
  NormalizeTranscriptStep(std::string column, std::string output, bool keep_punctuation, std::string alphabet,
                          double min_cps, double max_cps)
      : column_(std::move(column)), output_(std::move(output)), keep_punctuation_(keep_punctuation),
        min_cps_(min_cps), max_cps_(max_cps) {
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(alphabet.data());
    utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(alphabet.size());
    while (left > 0) {
      utf8proc_int32_t c;
      const utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
      if (n <= 0) break;
      alphabet_.push_back(c);
      p += n;
      left -= n;
    }
    if (!alphabet_.empty()) alphabet_.push_back(' ');
  }
  bool row_local() const override { return true; }
  std::map<std::string, int64_t> Counters() const override { return counters_; }

  Status Apply(Block* b) override {
    const Column* text = b->Get(column_);
    if (text == nullptr || (text->type != Type::kString && text->type != Type::kNull)) {
      return InvalidArgument(text == nullptr ? "no column '" + column_ + "'"
                             : "column '" + column_ + "' is not text");
    }
    const Column* duration = nullptr;
    if (min_cps_ > 0 || max_cps_ > 0) {
      duration = b->Get("duration");
      if (duration == nullptr) {
        return InvalidArgument("characters per second need a 'duration' column (seconds; decode_audio writes it)");
      }
    }
    Column out = Column::OfType(Type::kString), keep = Column::OfType(Type::kBool);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      const std::string norm = text->IsNull(r) ? std::string() : NormalizeTranscript(text->Str(r), keep_punctuation_);
      const char* why = Judge(norm, duration, r);
      if (why != nullptr) ++counters_[why];
      keep.AppendBool(why == nullptr);
      out.AppendString(norm);
    }
    data::PutColumn(b, output_, std::move(out));
    *b = b->Filter(keep);
    return OkStatus();
  }

 private:
  const char* Judge(const std::string& norm, const Column* duration, int64_t r) const {
    if (norm.empty()) return "empty_transcript";
    int64_t chars = 0;
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(norm.data());
    utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(norm.size());
    while (left > 0) {
      utf8proc_int32_t c;
      const utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
      p += n;
      left -= n;
      ++chars;
      if (!alphabet_.empty() && std::find(alphabet_.begin(), alphabet_.end(), c) == alphabet_.end()) {
        return "outside_alphabet";
      }
    }
    if (duration != nullptr) {
      const double seconds = duration->IsNull(r) ? 0.0 : duration->AsDouble(r);
      const double cps = seconds > 0 ? static_cast<double>(chars) / seconds : 1e300;
      if (min_cps_ > 0 && cps < min_cps_) return "too_few_chars_per_second";
      if (max_cps_ > 0 && cps > max_cps_) return "too_many_chars_per_second";
    }
    return nullptr;
  }

  std::string column_, output_;
  bool keep_punctuation_;
  std::vector<utf8proc_int32_t> alphabet_;
  double min_cps_, max_cps_;
  std::map<std::string, int64_t> counters_;
};

class VoteFilterStep : public data::Step {
 public:
  explicit VoteFilterStep(int64_t min_up) : min_up_(min_up) {}
  bool row_local() const override { return true; }
  std::map<std::string, int64_t> Counters() const override { return counters_; }
  Status Apply(Block* b) override {
    const Column* up = b->Get("up_votes");
    const Column* down = b->Get("down_votes");
    if (up == nullptr || down == nullptr) {
      return InvalidArgument("needs up_votes and down_votes columns (a Common Voice TSV has them)");
    }
    Column keep = Column::OfType(Type::kBool);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      const double u = up->IsNull(r) ? 0 : up->AsDouble(r), d = down->IsNull(r) ? 0 : down->AsDouble(r);
      const char* why = u < static_cast<double>(min_up_) ? "too_few_up_votes" : u <= d ? "not_more_up_than_down" : nullptr;
      if (why != nullptr) ++counters_[why];
      keep.AppendBool(why == nullptr);
    }
    *b = b->Filter(keep);
    return OkStatus();
  }

 private:
  int64_t min_up_;
  std::map<std::string, int64_t> counters_;
};

void AddTranscriptSteps(std::map<std::string, data::StepInfo>* r) {
  (*r)["normalize_transcript"].params = {"column", "output", "keep_punctuation", "alphabet",
                                         "min_chars_per_second", "max_chars_per_second"};
  (*r)["normalize_transcript"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    const std::string column = p.value("column", std::string("sentence"));
    const double min_cps = p.value("min_chars_per_second", 0.0), max_cps = p.value("max_chars_per_second", 0.0);
    if (min_cps < 0 || max_cps < 0 || (max_cps > 0 && min_cps > max_cps)) {
      return InvalidArgument("normalize_transcript: characters-per-second bounds must be >= 0, min <= max");
    }
    return std::make_unique<NormalizeTranscriptStep>(column, p.value("output", column),
                                                     p.value("keep_punctuation", false),
                                                     p.value("alphabet", std::string()), min_cps, max_cps);
  };
  (*r)["vote_filter"].params = {"min_up_votes"};
  (*r)["vote_filter"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    const int64_t min_up = p.value("min_up_votes", int64_t{0});
    if (min_up < 0) {
      return InvalidArgument("vote_filter: min_up_votes must be >= 0");
    }
    return std::make_unique<VoteFilterStep>(min_up);
  };
}

}  // namespace

const data::StepLibrary kTranscriptSteps(AddTranscriptSteps);

}  // namespace strata::speech
