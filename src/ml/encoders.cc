// Encoders: one-hot (scikit-learn's OneHotEncoder, with its infrequent
// grouping under max_categories), ordinal and label encoding. Categories are
// learned in one round of value counts (categories.h).
#include "ml/categories.h"
#include "ml/preprocessor.h"

namespace strata::ml {

namespace {

using data::Type;

// Encoders whose fit is each column's value counts.
class CountingEncoder : public Preprocessor {
 public:
  Status Accumulate(const Block& b, FitPartial* partial) const override {
    partial->counts.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(b, columns_[i]));
      if (!CountValues(*c, b.num_rows, &partial->counts[i])) {
        return InvalidArgument(Fail("column '" + columns_[i] + "' is " + data::TypeName(c->type) + ": not a category"));
      }
    }
    return OkStatus();
  }
  Status EndRound(const FitPartial& merged) override {
    cats_.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      ValueCounts counts = i < merged.counts.size() ? merged.counts[i] : ValueCounts();
      if (!missing_is_category_) counts.missing = 0;
      cats_.push_back(Categories::From(counts, max_categories_));
    }
    fitted_ = true;
    return OkStatus();
  }
  json SaveFit() const override {
    json c = json::array();
    for (const Categories& cat : cats_) c.push_back(cat.Save());
    return {{"categories", c}};
  }
  Status LoadFit(const json& j) override {
    cats_.assign(columns_.size(), Categories());
    if (!j.contains("categories")) return OkStatus();
    for (size_t i = 0; i < cats_.size() && i < j["categories"].size(); ++i) cats_[i].Load(j["categories"][i]);
    return OkStatus();
  }

 protected:
  std::string Unknown(size_t i, const Column& c, int64_t r) const {
    return Fail("column '" + columns_[i] + "' has " + data::JsonValue(c, r) +
                ", a category the fit did not see (handle_unknown: ignore to encode it as all zeros)");
  }
  int64_t max_categories_ = 0;
  // One-hot encodes missing values as a category (scikit-learn's nan); the
  // others leave them missing.
  bool missing_is_category_ = true;
  std::vector<Categories> cats_;
};

class OneHotEncoder : public CountingEncoder {
 public:
  Status Configure(const json& p) override {
    max_categories_ = p.value("max_categories", int64_t{0});
    if (p.contains("max_categories") && max_categories_ < 1) {
      return InvalidArgument("max_categories must be at least 1");
    }
    const std::string unknown = p.value("handle_unknown", std::string("error"));
    const std::string output = p.value("output", std::string("columns"));
    if (unknown != "error" && unknown != "ignore") {
      return InvalidArgument("handle_unknown must be error or ignore, not '" + unknown + "'");
    }
    if (output != "columns" && output != "list") {
      return InvalidArgument("output must be columns ({column}_{value} columns) or list (one list column), not '" +
                             output + "'");
    }
    ignore_ = unknown == "ignore";
    as_list_ = output == "list";
    return OkStatus();
  }
  bool Writes(const std::string& name) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string& out = OutputOf(i);
      if (name == out || (!as_list_ && name.rfind(out + "_", 0) == 0)) return true;
    }
    return false;
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, columns_[i]));
      const Categories& cats = cats_[i];
      const size_t width = cats.size() + (cats.has_infrequent() ? 1 : 0);
      const Categories::Index index(cats);
      std::vector<int64_t> hot(static_cast<size_t>(b->num_rows));
      for (int64_t r = 0; r < b->num_rows; ++r) {
        int64_t k = index.Find(*c, r);
        if (k == -2) k = static_cast<int64_t>(cats.size());  // the infrequent column, last
        if (k == -1 && !ignore_) {
          return InvalidArgument(Unknown(i, *c, r));
        }
        hot[static_cast<size_t>(r)] = k;
      }
      const std::string out_name = OutputOf(i);
      const int at = b->Find(columns_[i]);
      if (as_list_) {
        Column list = Column::ListOf(Type::kDouble);
        for (int64_t r = 0; r < b->num_rows; ++r) {
          for (size_t k = 0; k < width; ++k) list.Values().AppendDouble(hot[static_cast<size_t>(r)] == static_cast<int64_t>(k));
          list.EndList();
        }
        if (outputs_.empty()) {
          b->columns[static_cast<size_t>(at)] = std::move(list);
        } else {
          PutColumn(b, out_name, std::move(list));
        }
        continue;
      }
      std::vector<std::string> names;
      std::vector<Column> cols;
      for (size_t k = 0; k < width; ++k) {
        names.push_back(out_name + "_" + (k < cats.size() ? cats.Name(k) : std::string("infrequent_sklearn")));
        Column col = Column::OfType(Type::kDouble);
        col.f64.resize(static_cast<size_t>(b->num_rows), 0.0);
        col.length = b->num_rows;
        cols.push_back(std::move(col));
      }
      for (int64_t r = 0; r < b->num_rows; ++r) {
        const int64_t k = hot[static_cast<size_t>(r)];
        if (k >= 0) cols[static_cast<size_t>(k)].f64[static_cast<size_t>(r)] = 1.0;
      }
      // In place of the column (or after it, when it is kept).
      size_t pos = static_cast<size_t>(at);
      if (outputs_.empty()) {
        b->names.erase(b->names.begin() + at);
        b->columns.erase(b->columns.begin() + at);
      } else {
        ++pos;
      }
      for (size_t k = 0; k < width; ++k) {
        const int existing = b->Find(names[k]);
        if (existing >= 0) {
          b->columns[static_cast<size_t>(existing)] = std::move(cols[k]);
          continue;
        }
        b->names.insert(b->names.begin() + static_cast<std::ptrdiff_t>(pos), names[k]);
        b->columns.insert(b->columns.begin() + static_cast<std::ptrdiff_t>(pos), std::move(cols[k]));
        ++pos;
      }
    }
    return OkStatus();
  }

 private:
  bool ignore_ = false, as_list_ = false;
};

// Each value's index among the sorted categories (as a double, as
// scikit-learn's OrdinalEncoder gives it); nulls stay null.
class OrdinalEncoder : public CountingEncoder {
 public:
  OrdinalEncoder() { missing_is_category_ = false; }
  Status Configure(const json& p) override {
    const std::string unknown = p.value("handle_unknown", std::string("error"));
    if (unknown != "error" && unknown != "use_encoded_value") {
      return InvalidArgument("handle_unknown must be error or use_encoded_value, not '" + unknown + "'");
    }
    use_value_ = unknown == "use_encoded_value";
    if (use_value_ && !p.contains("unknown_value")) {
      return InvalidArgument("handle_unknown: use_encoded_value needs unknown_value");
    }
    unknown_value_ = p.value("unknown_value", -1.0);
    return OkStatus();
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, columns_[i]));
      const Categories::Index index(cats_[i]);
      Column out = Column::OfType(Type::kDouble);
      for (int64_t r = 0; r < b->num_rows; ++r) {
        if (c->IsNull(r) || (c->type == Type::kDouble && std::isnan(c->f64[static_cast<size_t>(r)]))) {
          out.AppendNull();
          continue;
        }
        const int64_t k = index.Find(*c, r);
        if (k < 0 && !use_value_) {
          return InvalidArgument(Unknown(i, *c, r));
        }
        out.AppendDouble(k < 0 ? unknown_value_ : static_cast<double>(k));
      }
      PutColumn(b, OutputOf(i), std::move(out));
    }
    return OkStatus();
  }

 private:
  bool use_value_ = false;
  double unknown_value_ = -1;
};

// One column's classes as 0..n-1 (int64), as scikit-learn's LabelEncoder;
// a class the fit did not see is an error.
class LabelEncoder : public OrdinalEncoder {
 public:
  Status Configure(const json& p) override {
    if (columns_.size() != 1) {
      return InvalidArgument("encodes one column (the label); use ordinal_encoder for several");
    }
    return OkStatus();
  }
  Status Transform(Block* b) const override {
    STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, columns_[0]));
    const Categories::Index index(cats_[0]);
    Column out = Column::OfType(Type::kInt64);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      if (c->IsNull(r)) {
        out.AppendNull();
        continue;
      }
      const int64_t k = index.Find(*c, r);
      if (k < 0) {
        return InvalidArgument(Fail("column '" + columns_[0] + "' has " + data::JsonValue(*c, r) +
                                    ", a label the fit did not see"));
      }
      out.AppendInt(k);
    }
    PutColumn(b, OutputOf(0), std::move(out));
    return OkStatus();
  }
};

// A list column's elements counted over sorted categories (Ray's
// MultiHotEncoder: a list [a, b, a] over categories [a, b, c] -> [2, 1, 0]);
// one list column of doubles per input column. Elements the fit did not see
// are ignored; a null list is all zeros.
class MultiHotEncoder : public CountingEncoder {
 public:
  Status Configure(const json& p) override {
    max_categories_ = p.value("max_categories", int64_t{0});
    if (p.contains("max_categories") && max_categories_ < 1) {
      return InvalidArgument("max_categories must be at least 1");
    }
    return OkStatus();
  }
  Status Accumulate(const Block& b, FitPartial* partial) const override {
    partial->counts.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, ListColumn(b, i));
      if (c->type == Type::kNull) continue;
      if (!CountValues(c->Values(), c->Values().length, &partial->counts[i])) {
        return InvalidArgument(Fail("column '" + columns_[i] + "' holds lists of " + data::TypeName(c->ElementType())));
      }
      partial->counts[i].missing = 0;  // a null element is no category
    }
    return OkStatus();
  }
  Status EndRound(const FitPartial& merged) override {
    // The most frequent max_categories elements, then sorted (Ray's rule).
    cats_.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      ValueCounts counts = i < merged.counts.size() ? merged.counts[i] : ValueCounts();
      counts.missing = 0;
      if (max_categories_ > 0) Keep(&counts.numbers), Keep(&counts.strings);
      cats_.push_back(Categories::From(counts));
    }
    fitted_ = true;
    return OkStatus();
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, ListColumn(*b, i));
      const Categories::Index index(cats_[i]);
      const size_t width = cats_[i].size();
      Column list = Column::ListOf(Type::kDouble);
      std::vector<double> row(width);
      for (int64_t r = 0; r < b->num_rows; ++r) {
        std::fill(row.begin(), row.end(), 0.0);
        if (c->type == Type::kList && !c->IsNull(r)) {
          for (int32_t k = c->offsets[static_cast<size_t>(r)]; k < c->offsets[static_cast<size_t>(r) + 1]; ++k) {
            const int64_t at = index.Find(c->Values(), k);
            if (at >= 0) row[static_cast<size_t>(at)] += 1;
          }
        }
        for (double x : row) list.Values().AppendDouble(x);
        list.EndList();
      }
      PutColumn(b, OutputOf(i), std::move(list));
    }
    return OkStatus();
  }

 private:
  Result<const Column*> ListColumn(const Block& b, size_t i) const {
    STRATA_ASSIGN_OR_RETURN(const Column* c, Need(b, columns_[i]));
    if (c->type != Type::kList && c->type != Type::kNull) {
      return InvalidArgument(Fail("column '" + columns_[i] + "' is " + data::TypeName(c->type) + ", not a list"));
    }
    return c;
  }
  template <class Map>
  void Keep(Map* counts) const {
    if (static_cast<int64_t>(counts->size()) <= max_categories_) return;
    std::vector<std::pair<typename Map::key_type, int64_t>> v(counts->begin(), counts->end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    v.resize(static_cast<size_t>(max_categories_));
    *counts = Map(v.begin(), v.end());
  }
};

// Ray's Categorizer: the columns become categoricals with the categories the
// fit saw (sorted), as pandas' Categorical does: values stay as they are,
// and a value outside the categories becomes null (pandas: NaN). The
// categories are in the fit file, for a consumer that wants the codes.
class Categorizer : public CountingEncoder {
 public:
  Categorizer() { missing_is_category_ = false; }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, columns_[i]));
      const Categories::Index index(cats_[i]);
      Column out = Column::OfType(cats_[i].ValueType());
      for (int64_t r = 0; r < b->num_rows; ++r) {
        const int64_t k = c->IsNull(r) ? -1 : index.Find(*c, r);
        if (k < 0) {
          out.AppendNull();
        } else {
          cats_[i].AppendValue(static_cast<size_t>(k), &out);
        }
      }
      PutColumn(b, OutputOf(i), std::move(out));
    }
    return OkStatus();
  }
};




}  // namespace

void AddEncoders(std::map<std::string, PreprocessorInfo>& r) {
  r["one_hot_encoder"] = InfoOf<OneHotEncoder>({"max_categories", "handle_unknown", "output"});
  r["ordinal_encoder"] = InfoOf<OrdinalEncoder>({"handle_unknown", "unknown_value"});
  r["label_encoder"] = InfoOf<LabelEncoder>({});
  r["multi_hot_encoder"] = InfoOf<MultiHotEncoder>({"max_categories"});
  r["categorizer"] = InfoOf<Categorizer>({});
}

}  // namespace strata::ml
