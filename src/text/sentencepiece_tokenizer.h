// tokenize: token ids (and counts) from a SentencePiece model file (Debian's
// libsentencepiece). A model is loaded once per process and shared by every
// task and thread (encoding is const). Kept in its own file: its header
// declares names in `absl` that other libraries define differently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::text {

class SubwordModel {
 public:
  virtual ~SubwordModel() = default;
  // Loads (or finds loaded) the model at `path`; an error names the file.
  static Result<std::shared_ptr<const SubwordModel>> Open(const std::string& path);
  // The ids of `text`: word by word through a per-thread cache where that
  // gives the library's ids (see word_local()), else from the library whole.
  virtual Status Encode(std::string_view text, std::vector<int>* ids) const = 0;
  // The library's ids for `text` encoded whole, without the cache.
  virtual Status EncodeWhole(std::string_view text, std::vector<int>* ids) const = 0;
  // Whether the model's pieces and normalization allow word-by-word encoding.
  virtual bool word_local() const = 0;
  virtual int vocab_size() const = 0;
};

}  // namespace strata::text
