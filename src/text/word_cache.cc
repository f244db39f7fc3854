#include "text/word_cache.h"

#include <functional>
#include <unordered_map>

#include "common/xxhash_inline.h"

namespace strata::text {

namespace {

// Keyed by a 64-bit hash of the text and its length: two documents of the
// same length colliding in one thread's cache is a ~2^-64 chance per pair.
struct Entry {
  size_t length = 0;
  std::shared_ptr<const WordList> words;
};

struct Cache {
  std::unordered_map<uint64_t, Entry> entries;
  size_t bytes = 0;
};


}  // namespace

SharedWords CachedWords(std::string_view text, WordTokenizer kind) {
  thread_local Cache cache;
  const uint64_t key = XXH3_64bits(text.data(), text.size()) * 2 + static_cast<uint64_t>(kind);
  auto it = cache.entries.find(key);
  if (it != cache.entries.end() && it->second.length == text.size()) return {it->second.words, text};
  auto words = std::make_shared<const WordList>(TokenizeWords(text, kind));
  const size_t bytes = words->BytesUsed() + sizeof(Entry);
  if (cache.bytes + bytes > kWordCacheMaxBytes) {
    cache.entries.clear();
    cache.bytes = 0;
  }
  if (bytes <= kWordCacheMaxBytes / 4) {
    cache.entries[key] = Entry{text.size(), words};
    cache.bytes += bytes;
  }
  return {std::move(words), text};
}

}  // namespace strata::text
