#include "ml/preprocessor.h"

#include <cmath>

namespace strata::ml {

using data::Type;

std::map<std::string, PreprocessorInfo>& Preprocessors() {
  static std::map<std::string, PreprocessorInfo> registry = [] {
    std::map<std::string, PreprocessorInfo> r;
    AddScalers(r);
    AddEncoders(r);
    AddImputer(r);
    AddConcatenator(r);
    AddKBins(r);
    AddTextFeatures(r);
    AddPowerTransformer(r);
    return r;
  }();
  return registry;
}

namespace {

std::vector<std::string> Names(const json& v) {
  return v.is_string() ? std::vector<std::string>{v.get<std::string>()} : v.get<std::vector<std::string>>();
}

bool IsNumeric(Type t) { return t == Type::kInt64 || t == Type::kDouble || t == Type::kBool || t == Type::kNull; }

}  // namespace

Result<std::unique_ptr<Preprocessor>> MakePreprocessor(const std::string& kind, const json& params) {
  auto it = Preprocessors().find(kind);
  if (it == Preprocessors().end()) {
    std::string known;
    for (const auto& [name, info] : Preprocessors()) known += (known.empty() ? "" : ", ") + name;
    return InvalidArgument("unknown preprocessor '" + kind + "' (known: " + known + ")");
  }
  const PreprocessorInfo& info = it->second;
  if (!params.is_object()) {
    return InvalidArgument(kind + ": parameters must be a mapping");
  }
  for (auto p = params.begin(); p != params.end(); ++p) {
    if (p.key() == "columns" || p.key() == "output_columns") continue;
    if (std::find(info.params.begin(), info.params.end(), p.key()) == info.params.end()) {
      std::string known = "columns, output_columns";
      for (const std::string& k : info.params) known += ", " + k;
      return InvalidArgument(kind + ": unknown parameter '" + p.key() + "' (known: " + known + ")");
    }
  }
  auto pre = info.make();
  pre->kind_ = kind;
  pre->params_ = params;
  try {
    if (params.contains("columns")) pre->columns_ = Names(params["columns"]);
    if (params.contains("output_columns")) pre->outputs_ = Names(params["output_columns"]);
    if (info.columns_required && pre->columns_.empty()) {
      return InvalidArgument(kind + ": needs columns: (the columns it reads)");
    }
    if (!pre->outputs_.empty() && pre->outputs_.size() != pre->columns_.size()) {
      return InvalidArgument(kind + ": output_columns must name one column per column in columns (" +
                             std::to_string(pre->columns_.size()) + ")");
    }
    if (Status s = pre->Configure(params); !s.ok()) return s.WithContext(kind + ": ");
  } catch (const json::exception& e) {
    return InvalidArgument(kind + ": a parameter has the wrong type (" + e.what() + ")");
  }
  return pre;
}

bool Preprocessor::Writes(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (OutputOf(i) == name) return true;
  }
  return false;
}

json Preprocessor::Save() const {
  json j = {{"kind", kind_}, {"params", params_}, {"fitted", fitted()}};
  if (needs_fit()) j["fit"] = SaveFit();
  return j;
}

Status Preprocessor::Load(const json& j) {
  try {
    fitted_ = j.at("fitted").get<bool>();
    if (needs_fit() && j.contains("fit")) {
      if (Status s = LoadFit(j["fit"]); !s.ok()) return InvalidArgument(Fail(s.message()));
    }
  } catch (const json::exception& e) {
    return InvalidArgument(Fail(std::string("the fitted state is malformed (") + e.what() + ")"));
  }
  return OkStatus();
}

std::vector<double> Preprocessor::PerColumn(const json& fit, const char* key, double fill) const {
  std::vector<double> v = fit.value(key, std::vector<double>());
  v.resize(columns_.size(), fill);
  return v;
}

Result<const Column*> Preprocessor::Need(const Block& b, const std::string& name) const {
  const Column* c = b.Get(name);
  if (c != nullptr) return c;
  std::string have;
  for (const std::string& n : b.names) have += (have.empty() ? "" : ", ") + n;
  return InvalidArgument(Fail("no column '" + name + "' (the data has: " + have + ")"));
}

Status Preprocessor::FiniteValues(const Block& b, const std::string& name, std::vector<double>* out) const {
  out->clear();
  STRATA_ASSIGN_OR_RETURN(const Column* c, Need(b, name));
  if (!IsNumeric(c->type)) {
    return InvalidArgument(Fail("column '" + name + "' is " + data::TypeName(c->type) + ", not numeric"));
  }
  out->reserve(static_cast<size_t>(b.num_rows));
  for (int64_t r = 0; r < b.num_rows; ++r) {
    if (c->IsNull(r)) continue;
    const double x = c->AsDouble(r);
    if (std::isnan(x)) continue;
    if (std::isinf(x)) {
      return InvalidArgument(Fail("column '" + name + "' holds infinity (row " + std::to_string(r + 1) +
                             " of a block); scikit-learn refuses it too"));
    }
    out->push_back(x);
  }
  return OkStatus();
}

Status Preprocessor::AddValues(const Block& b, size_t i, const ExactQuantiles* search, FitPartial* partial) const {
  partial->moments.resize(columns_.size());
  partial->selects.resize(columns_.size());
  std::vector<double> values;
  STRATA_RETURN_IF_ERROR(FiniteValues(b, columns_[i], &values));
  if (search == nullptr) {
    for (double x : values) partial->moments[i].Add(x);
  } else if (!search->done()) {
    search->Accumulate(values, &partial->selects[i]);
  }
  return OkStatus();
}

Status Preprocessor::MapColumn(Block* b, size_t i, const std::function<double(double)>& f) const {
  STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, columns_[i]));
  if (!IsNumeric(c->type)) {
    return InvalidArgument(Fail("column '" + columns_[i] + "' is " + data::TypeName(c->type) + ", not numeric"));
  }
  Column out = Column::OfType(Type::kDouble);
  out.f64.resize(static_cast<size_t>(b->num_rows));
  out.length = b->num_rows;
  if (c->type == Type::kNull) {
    out.validity.assign(static_cast<size_t>((b->num_rows + 7) / 8), 0);
  } else {
    out.validity = c->validity;
  }
  for (int64_t r = 0; r < b->num_rows; ++r) {
    if (c->IsNull(r)) continue;
    const double x = c->AsDouble(r);
    if (std::isinf(x)) {
      return InvalidArgument(Fail("column '" + columns_[i] + "' holds infinity (row " + std::to_string(r + 1) +
                             " of a block); scikit-learn refuses it too"));
    }
    out.f64[static_cast<size_t>(r)] = std::isnan(x) ? x : f(x);
  }
  PutColumn(b, OutputOf(i), std::move(out));
  return OkStatus();
}


}  // namespace strata::ml
