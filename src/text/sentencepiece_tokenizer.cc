#include "text/sentencepiece_tokenizer.h"

#include <map>
#include <mutex>

#include <sentencepiece_processor.h>

namespace strata::text {

namespace {

class SentencePieceModel : public SubwordModel {
 public:
  Status Load(const std::string& path) {
    const auto status = processor_.Load(path);
    if (!status.ok()) return InvalidArgument("cannot load the SentencePiece model " + path + ": " + status.ToString());
    return OkStatus();
  }
  // Into a result kept per thread: the library's ids-only Encode builds a
  // new result (a string per piece) each call, and its allocations were a
  // third of the tokenize step; a cleared result keeps them for the next.
  Status Encode(std::string_view text, std::vector<int>* ids) const override {
    thread_local sentencepiece::ImmutableSentencePieceText result;
    const auto status = processor_.Encode(absl::string_view(text.data(), text.size()), result.mutable_proto());
    if (!status.ok()) return InvalidArgument(status.ToString());
    const size_t n = result.pieces_size();
    ids->resize(n);
    for (size_t i = 0; i < n; ++i) (*ids)[i] = static_cast<int>(result.pieces(static_cast<int>(i)).id());
    return OkStatus();
  }
  int vocab_size() const override { return processor_.GetPieceSize(); }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

}  // namespace

Result<std::shared_ptr<const SubwordModel>> SubwordModel::Open(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const SubwordModel>> loaded;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = loaded.find(path); it != loaded.end()) return it->second;
  auto model = std::make_shared<SentencePieceModel>();
  if (Status s = model->Load(path); !s.ok()) return s;
  loaded[path] = model;
  return std::shared_ptr<const SubwordModel>(model);
}

}  // namespace strata::text
