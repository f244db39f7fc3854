// Hashed and counted features (scikit-learn's FeatureHasher, HashingVectorizer,
// CountVectorizer), each into one list column (`output_column_name`):
//   feature_hasher: {columns, n_features (default 1024, at most 65536)}: a row as the mapping column ->
//     value (a text value v as "column=v" -> 1), as FeatureHasher(input_type
//     "dict") hashes it: MurmurHash3 (x86, 32-bit, seed 0), index |h| mod
//     n_features, sign of h (alternate_sign).
//   hashing_vectorizer: {columns: [text], n_features, norm}: the text's
//     tokens (lowercased; runs of two or more word characters, as the
//     pattern (?u)\b\w\w+\b finds them) hashed alike, rows l2-normalized.
//   count_vectorizer: {columns: [text], max_features}: token counts over the
//     fitted vocabulary (sorted; with max_features the most frequent in the
//     whole dataset, ties to the earlier token).
#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "ml/preprocessor.h"

namespace strata::ml {

namespace {

using data::Type;

// scikit-learn's default is 2^20 features in a sparse matrix; the output here
// is a dense list per row, so the default is smaller and the width bounded.
constexpr int64_t kDefaultFeatures = 1024;
constexpr int64_t kMaxFeatures = 65536;

int32_t Murmur3(std::string_view key) {
  const auto* data = reinterpret_cast<const uint8_t*>(key.data());
  const size_t blocks = key.size() / 4;
  uint32_t h = 0;  // seed 0
  const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k;
    std::memcpy(&k, data + i * 4, 4);
    k *= c1;
    k = (k << 15) | (k >> 17);
    k *= c2;
    h ^= k;
    h = (h << 13) | (h >> 19);
    h = h * 5 + 0xe6546b64;
  }
  const uint8_t* tail = data + blocks * 4;
  uint32_t k = 0;
  switch (key.size() & 3) {
    case 3: k ^= static_cast<uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: k ^= static_cast<uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = (k << 15) | (k >> 17);
      k *= c2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(key.size());
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

// Adds `value` for feature `name` to `row` as scikit-learn's hashing does.
void AddHashed(std::string_view name, double value, std::vector<double>* row) {
  const int32_t h = Murmur3(name);
  const int64_t index = std::abs(static_cast<int64_t>(h)) % static_cast<int64_t>(row->size());
  (*row)[static_cast<size_t>(index)] += h >= 0 ? value : -value;
}

bool IsWordChar(utf8proc_int32_t c) {
  if (c == '_') return true;
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// The lowercased tokens of `text`: runs of at least two word characters.
void Tokens(std::string_view text, std::vector<std::string>* out) {
  out->clear();
  std::string token;
  size_t chars = 0;
  auto flush = [&] {
    if (chars >= 2) out->push_back(token);
    token.clear();
    chars = 0;
  };
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
    if (n <= 0) {  // a broken byte: not a word character
      n = 1;
      c = -1;
    }
    p += n;
    left -= n;
    if (c >= 0 && IsWordChar(c)) {
      utf8proc_uint8_t buf[4];
      const utf8proc_ssize_t w = utf8proc_encode_char(utf8proc_tolower(c), buf);
      token.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(w));
      ++chars;
    } else {
      flush();
    }
  }
  flush();
}

// Base: one output list column of doubles, `width` wide.
class ListFeatures : public Preprocessor {
 protected:
  Status ConfigureOutput(const json& p, const std::string& fallback) {
    output_ = p.value("output_column_name", fallback);
    if (!outputs_.empty()) {
      return InvalidArgument("writes one column: name it with output_column_name");
    }
    return OkStatus();
  }
  bool Writes(const std::string& name) const override { return name == output_; }
  void Emit(Block* b, const std::vector<std::vector<double>>& rows, size_t width) const {
    Column list = Column::ListOf(Type::kDouble);
    Column& values = list.Values();
    values.f64.reserve(rows.size() * width);
    for (const auto& row : rows) values.f64.insert(values.f64.end(), row.begin(), row.end());
    values.length = static_cast<int64_t>(values.f64.size());
    list.offsets.resize(rows.size() + 1);
    for (size_t r = 0; r <= rows.size(); ++r) list.offsets[r] = static_cast<int32_t>(r * width);
    list.length = static_cast<int64_t>(rows.size());
    PutColumn(b, output_, std::move(list));
  }
  Result<const Column*> TextOf(const Block& b, size_t i) const {
    STRATA_ASSIGN_OR_RETURN(const Column* c, Need(b, columns_[i]));
    if (c->type != Type::kString && c->type != Type::kNull) {
      return InvalidArgument(Fail("column '" + columns_[i] + "' is " + data::TypeName(c->type) + ", not text"));
    }
    return c;
  }
  std::string output_;
};

class FeatureHasher : public ListFeatures {
 public:
  bool needs_fit() const override { return false; }
  Status Configure(const json& p) override {
    n_features_ = p.value("n_features", kDefaultFeatures);
    if (n_features_ < 1 || n_features_ > kMaxFeatures) {
      return InvalidArgument("n_features must be between 1 and 65536 (the output is a dense list)");
    }
    return ConfigureOutput(p, "hashed_features");
  }
  Status Accumulate(const Block&, FitPartial*) const override { return OkStatus(); }
  Status EndRound(const FitPartial&) override { return OkStatus(); }
  Status Transform(Block* b) const override {
    std::vector<const Column*> cols;
    for (const std::string& name : columns_) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, name));
      cols.push_back(c);
    }
    std::vector<std::vector<double>> rows(static_cast<size_t>(b->num_rows),
                                          std::vector<double>(static_cast<size_t>(n_features_), 0.0));
    std::string name;
    for (size_t i = 0; i < cols.size(); ++i) {
      const Column& c = *cols[i];
      for (int64_t r = 0; r < b->num_rows; ++r) {
        if (c.IsNull(r)) continue;
        if (data::IsBytes(c.type)) {
          name = columns_[i] + "=" + std::string(c.Str(r));
          AddHashed(name, 1.0, &rows[static_cast<size_t>(r)]);
        } else {
          const double x = c.AsDouble(r);
          if (!std::isnan(x)) AddHashed(columns_[i], x, &rows[static_cast<size_t>(r)]);
        }
      }
    }
    Emit(b, rows, static_cast<size_t>(n_features_));
    return OkStatus();
  }

 private:
  int64_t n_features_ = kDefaultFeatures;
};

class HashingVectorizer : public ListFeatures {
 public:
  bool needs_fit() const override { return false; }
  Status Configure(const json& p) override {
    n_features_ = p.value("n_features", int64_t{1} << 20);
    norm_ = p.value("norm", std::string("l2"));
    if (n_features_ < 1 || n_features_ > (int64_t{1} << 24)) {
      return InvalidArgument("n_features must be between 1 and 2^24 (the output is a dense list)");
    }
    if (norm_ != "l2" && norm_ != "l1" && norm_ != "none") {
      return InvalidArgument("norm must be l2, l1 or none");
    }
    if (columns_.size() != 1) {
      return InvalidArgument("reads one text column");
    }
    return ConfigureOutput(p, "hashed_tokens");
  }
  Status Accumulate(const Block&, FitPartial*) const override { return OkStatus(); }
  Status EndRound(const FitPartial&) override { return OkStatus(); }
  Status Transform(Block* b) const override {
    STRATA_ASSIGN_OR_RETURN(const Column* c, TextOf(*b, 0));
    std::vector<std::vector<double>> rows(static_cast<size_t>(b->num_rows),
                                          std::vector<double>(static_cast<size_t>(n_features_), 0.0));
    std::vector<std::string> tokens;
    for (int64_t r = 0; r < b->num_rows; ++r) {
      if (c->IsNull(r)) continue;
      std::vector<double>& row = rows[static_cast<size_t>(r)];
      Tokens(c->Str(r), &tokens);
      for (const std::string& t : tokens) AddHashed(t, 1.0, &row);
      double norm = 0;
      for (double x : row) norm += norm_ == "l2" ? x * x : std::fabs(x);
      if (norm_ == "l2") norm = std::sqrt(norm);
      if (norm_ != "none" && norm > 0) {
        for (double& x : row) x /= norm;
      }
    }
    Emit(b, rows, static_cast<size_t>(n_features_));
    return OkStatus();
  }

 private:
  int64_t n_features_ = kDefaultFeatures;
  std::string norm_ = "l2";
};

class CountVectorizer : public ListFeatures {
 public:
  Status Configure(const json& p) override {
    max_features_ = p.value("max_features", int64_t{0});
    if (p.contains("max_features") && max_features_ < 1) {
      return InvalidArgument("max_features must be at least 1");
    }
    if (columns_.size() != 1) {
      return InvalidArgument("reads one text column");
    }
    return ConfigureOutput(p, "token_counts");
  }
  Status Accumulate(const Block& b, FitPartial* partial) const override {
    STRATA_ASSIGN_OR_RETURN(const Column* c, TextOf(b, 0));
    partial->counts.resize(1);
    std::unordered_map<std::string, int64_t> local;
    std::vector<std::string> tokens;
    for (int64_t r = 0; r < b.num_rows; ++r) {
      if (c->IsNull(r)) continue;
      Tokens(c->Str(r), &tokens);
      for (std::string& t : tokens) ++local[std::move(t)];
    }
    for (auto& [t, n] : local) partial->counts[0].strings[t] += n;
    return OkStatus();
  }
  Status EndRound(const FitPartial& merged) override {
    vocabulary_.clear();
    if (merged.counts.empty()) {
      fitted_ = true;
      return OkStatus();
    }
    std::vector<std::pair<std::string, int64_t>> terms(merged.counts[0].strings.begin(), merged.counts[0].strings.end());
    if (max_features_ > 0 && static_cast<int64_t>(terms.size()) > max_features_) {
      std::stable_sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      terms.resize(static_cast<size_t>(max_features_));
      std::sort(terms.begin(), terms.end());
    }
    for (const auto& [t, n] : terms) vocabulary_.push_back(t);
    fitted_ = true;
    return OkStatus();
  }
  Status Transform(Block* b) const override {
    STRATA_ASSIGN_OR_RETURN(const Column* c, TextOf(*b, 0));
    std::unordered_map<std::string_view, size_t> index;
    for (size_t i = 0; i < vocabulary_.size(); ++i) index[vocabulary_[i]] = i;
    std::vector<std::vector<double>> rows(static_cast<size_t>(b->num_rows), std::vector<double>(vocabulary_.size(), 0.0));
    std::vector<std::string> tokens;
    for (int64_t r = 0; r < b->num_rows; ++r) {
      if (c->IsNull(r)) continue;
      Tokens(c->Str(r), &tokens);
      for (const std::string& t : tokens) {
        auto it = index.find(t);
        if (it != index.end()) rows[static_cast<size_t>(r)][it->second] += 1;
      }
    }
    Emit(b, rows, vocabulary_.size());
    return OkStatus();
  }
  json SaveFit() const override { return {{"vocabulary", vocabulary_}}; }
  Status LoadFit(const json& j) override {
    vocabulary_ = j.value("vocabulary", std::vector<std::string>());
    return OkStatus();
  }

 private:
  int64_t max_features_ = 0;
  std::vector<std::string> vocabulary_;
};


}  // namespace

void AddTextFeatures(std::map<std::string, PreprocessorInfo>& r) {
  r["feature_hasher"] = InfoOf<FeatureHasher>({"n_features", "output_column_name"});
  r["hashing_vectorizer"] = InfoOf<HashingVectorizer>({"n_features", "norm", "output_column_name"});
  r["count_vectorizer"] = InfoOf<CountVectorizer>({"max_features", "output_column_name"});
}

}  // namespace strata::ml
