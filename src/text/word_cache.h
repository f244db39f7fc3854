// The words of the documents a thread judged last, kept so that a chain of
// filters over the same text (gopher_repetition, gopher_quality,
// fineweb_quality: each needs the words) tokenizes each document once. Keyed
// by a hash of the text's content (and its length), so a filter that rewrote
// a document (c4_quality) gets its new words. Bounded: past kMaxBytes of words it starts over.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/word_tokenizer.h"

namespace strata::text {

inline constexpr size_t kWordCacheMaxBytes = 64 << 20;

// The words of a text, read against it; holds its list, so that it stays
// valid however the cache changes meanwhile.
class SharedWords : public Words {
 public:
  SharedWords(std::shared_ptr<const WordList> list, std::string_view text)
      : Words(list.get(), text), list_(std::move(list)) {}

 private:
  std::shared_ptr<const WordList> list_;
};

SharedWords CachedWords(std::string_view text, WordTokenizer kind);

}  // namespace strata::text
