#include "ml/chain.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace strata::ml {

namespace {

constexpr int kFitFileVersion = 1;

}  // namespace

Status Chain::FromSteps(const json& steps, Chain* chain) {
  chain->steps_.clear();
  if (!steps.is_array() || steps.empty()) {
    return InvalidArgument("steps: a list of preprocessors ({kind: {columns: ...}}) is needed");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& s = steps[i];
    if (!s.is_object() || s.size() != 1) {
      return InvalidArgument("steps[" + std::to_string(i) + "]: each step is one {kind: parameters} mapping");
    }
    auto pre = MakePreprocessor(s.begin().key(), s.begin().value());
    if (!pre.ok()) return pre.status().WithContext("steps[" + std::to_string(i) + "]: ");
    chain->steps_.push_back(std::move(pre).value());
  }
  return OkStatus();
}

Status Chain::FromSaved(const json& saved, Chain* chain) {
  chain->steps_.clear();
  if (!saved.is_object() || saved.value("strata_fit", 0) != kFitFileVersion || !saved.contains("steps") ||
      !saved["steps"].is_array()) {
    return InvalidArgument("not a Strata fit file (version " + std::to_string(kFitFileVersion) + ")");
  }
  for (const json& s : saved["steps"]) {
    if (!s.is_object() || !s.contains("kind") || !s.contains("params")) {
      return InvalidArgument("a step of the fit file lacks kind or params");
    }
    auto pre = MakePreprocessor(s["kind"].get<std::string>(), s["params"]);
    if (!pre.ok()) return pre.status();
    STRATA_RETURN_IF_ERROR((*pre)->Load(s));
    chain->steps_.push_back(std::move(pre).value());
  }
  return OkStatus();
}

Status Chain::FromFile(const std::string& path, Chain* chain) {
  std::ifstream in(path);
  if (!in) {
    return InvalidArgument("cannot read the fit file " + path + " (fit it first: fit: {save: " + path + "})");
  }
  std::stringstream text;
  text << in.rdbuf();
  const json saved = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (saved.is_discarded()) {
    return InvalidArgument(path + ": not JSON");
  }
  if (Status s = FromSaved(saved, chain); !s.ok()) return s.WithContext(path + ": ");
  if (!chain->fitted()) {
    return InvalidArgument(path + ": holds a fit that did not finish");
  }
  return OkStatus();
}

json Chain::Save() const {
  json steps = json::array();
  for (const auto& s : steps_) steps.push_back(s->Save());
  return {{"strata_fit", kFitFileVersion}, {"steps", steps}};
}

Status Chain::SaveFile(const std::string& path, int64_t fitted_rows) const {
  json saved = Save();
  saved["fitted_rows"] = fitted_rows;
  saved["fitted_at"] = static_cast<int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << saved.dump(2) << "\n";
    if (!out.good()) {
      return InvalidArgument("cannot write the fit file " + path);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return InvalidArgument("cannot write the fit file " + path);
  }
  return OkStatus();
}

bool Chain::fitted() const {
  for (const auto& s : steps_) {
    if (!s->fitted()) return false;
  }
  return true;
}

std::pair<size_t, size_t> Chain::NextGroup() const {
  size_t first = 0;
  while (first < steps_.size() && steps_[first]->fitted()) ++first;
  if (first == steps_.size()) return {first, first};
  size_t end = first + 1;
  for (; end < steps_.size(); ++end) {
    bool depends = false;
    for (const std::string& c : steps_[end]->columns()) {
      for (size_t k = first; k < end && !depends; ++k) depends = steps_[k]->Writes(c);
    }
    if (depends) break;
  }
  return {first, end};
}

Status Chain::Transform(Block* b, size_t upto) const {
  for (size_t i = 0; i < upto && i < steps_.size(); ++i) STRATA_RETURN_IF_ERROR(steps_[i]->Transform(b));
  return OkStatus();
}

std::vector<std::string> Chain::InputColumns() const {
  std::vector<std::string> in;
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (const std::string& c : steps_[i]->columns()) {
      bool made = false;
      for (size_t k = 0; k < i && !made; ++k) made = steps_[k]->Writes(c);
      if (!made && std::find(in.begin(), in.end(), c) == in.end()) in.push_back(c);
    }
  }
  return in;
}

}  // namespace strata::ml
