#include "ml/chain.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace strata::ml {

namespace {

constexpr int kFitFileVersion = 1;

}  // namespace

bool Chain::FromSteps(const json& steps, Chain* chain, std::string* error) {
  chain->steps_.clear();
  if (!steps.is_array() || steps.empty()) {
    *error = "steps: a list of preprocessors ({kind: {columns: ...}}) is needed";
    return false;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& s = steps[i];
    if (!s.is_object() || s.size() != 1) {
      *error = "steps[" + std::to_string(i) + "]: each step is one {kind: parameters} mapping";
      return false;
    }
    auto pre = MakePreprocessor(s.begin().key(), s.begin().value(), error);
    if (!pre) {
      *error = "steps[" + std::to_string(i) + "]: " + *error;
      return false;
    }
    chain->steps_.push_back(std::move(pre));
  }
  return true;
}

bool Chain::FromSaved(const json& saved, Chain* chain, std::string* error) {
  chain->steps_.clear();
  if (!saved.is_object() || saved.value("strata_fit", 0) != kFitFileVersion || !saved.contains("steps") ||
      !saved["steps"].is_array()) {
    *error = "not a Strata fit file (version " + std::to_string(kFitFileVersion) + ")";
    return false;
  }
  for (const json& s : saved["steps"]) {
    if (!s.is_object() || !s.contains("kind") || !s.contains("params")) {
      *error = "a step of the fit file lacks kind or params";
      return false;
    }
    auto pre = MakePreprocessor(s["kind"].get<std::string>(), s["params"], error);
    if (!pre || !pre->Load(s, error)) return false;
    chain->steps_.push_back(std::move(pre));
  }
  return true;
}

bool Chain::FromFile(const std::string& path, Chain* chain, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read the fit file " + path + " (fit it first: fit: {save: " + path + "})";
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  const json saved = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (saved.is_discarded()) {
    *error = path + ": not JSON";
    return false;
  }
  if (!FromSaved(saved, chain, error)) {
    *error = path + ": " + *error;
    return false;
  }
  if (!chain->fitted()) {
    *error = path + ": holds a fit that did not finish";
    return false;
  }
  return true;
}

json Chain::Save() const {
  json steps = json::array();
  for (const auto& s : steps_) steps.push_back(s->Save());
  return {{"strata_fit", kFitFileVersion}, {"steps", steps}};
}

bool Chain::SaveFile(const std::string& path, int64_t fitted_rows, std::string* error) const {
  json saved = Save();
  saved["fitted_rows"] = fitted_rows;
  saved["fitted_at"] = static_cast<int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << saved.dump(2) << "\n";
    if (!out.good()) {
      *error = "cannot write the fit file " + path;
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write the fit file " + path;
    return false;
  }
  return true;
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

bool Chain::Transform(Block* b, size_t upto, std::string* error) const {
  for (size_t i = 0; i < upto && i < steps_.size(); ++i) {
    if (!steps_[i]->Transform(b, error)) return false;
  }
  return true;
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
