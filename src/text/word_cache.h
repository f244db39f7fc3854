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

// Shared, so that it stays valid however the cache changes meanwhile.
std::shared_ptr<const std::vector<std::string>> CachedWords(std::string_view text, WordTokenizer kind);

}  // namespace strata::text
