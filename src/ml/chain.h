// A chain of preprocessors (Ray's Chain): fitted in order, in as few passes
// as the columns allow — steps that read nothing an earlier unfitted step
// writes are fitted together in one pass; a step that reads what an earlier
// one writes waits for that one's fit. Saved as a readable JSON file (the
// fit file) and loaded back to transform other data the same way.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ml/preprocessor.h"

namespace strata::ml {

class Chain {
 public:
  // From a list of {kind: params} mappings.
  static Status FromSteps(const json& steps, Chain* chain);
  // From Save()'s JSON (a fit file, or a fit in progress).
  static Status FromSaved(const json& saved, Chain* chain);
  // Reads a fit file; errors name the path.
  static Status FromFile(const std::string& path, Chain* chain);

  json Save() const;
  // Writes Save() to `path` (whole or not at all: a temporary file renamed).
  Status SaveFile(const std::string& path, int64_t fitted_rows) const;

  size_t size() const { return steps_.size(); }
  Preprocessor& at(size_t i) { return *steps_[i]; }
  const Preprocessor& at(size_t i) const { return *steps_[i]; }
  bool fitted() const;
  // The next steps to fit in one pass, [first, end): from the first unfitted
  // step, up to the first that reads a column one of them writes. {size(),
  // size()} when everything is fitted.
  std::pair<size_t, size_t> NextGroup() const;
  // Runs steps [0, upto) on `b`.
  Status Transform(Block* b, size_t upto) const;
  // Every column the chain reads from its input (for the error a state
  // fitted on other columns gives).
  std::vector<std::string> InputColumns() const;

 private:
  std::vector<std::unique_ptr<Preprocessor>> steps_;
};

}  // namespace strata::ml
