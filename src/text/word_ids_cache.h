// Token ids per distinct word, for a subword model whose ids for a text are
// the concatenation of its ids for the text's words: web text repeats its
// words, so most words of a corpus are tokenized once per thread. One cache
// per thread (no locks); bounded: past kMaxBytes it starts over. A slot is
// one cache line holding a short word and its few ids, so that a lookup
// touches one line.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <new>
#include <sys/mman.h>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::text {

class WordIdsCache {
 public:
  static constexpr size_t kMaxBytes = 64 << 20;

  struct Entry {
    std::span<const int> ids;
    float margin = 0;  // the model's to use (unigram models: over the runner-up)
  };
  // What is cached for `word` (hashed to `hash`) into *entry; false if none.
  bool Find(std::string_view word, uint64_t hash, Entry* entry) const;
  // Words longer than 64 KiB are not kept.
  void Insert(std::string_view word, uint64_t hash, const Entry& entry);
  // Starts loading the slot where `hash` is looked up first: a document's
  // words are looked up in a row, each most likely a cache miss otherwise.
  // (GCC drops a prefetch under a condition, so the table is never empty.)
  void Prefetch(uint64_t hash) const { __builtin_prefetch(slots_.data() + (hash & (slots_.size() - 1))); }
  WordIdsCache() { Clear(); }
  void Clear();
  size_t size() const { return used_; }
  // Changes whenever entries found before may point at moved memory.
  uint64_t generation() const { return generation_; }

 private:
  static constexpr size_t kInlineWord = 24, kInlineIds = 4;
  static constexpr uint16_t kEmpty = UINT16_MAX;
  static constexpr size_t kFirstSlots = 4096;
  struct alignas(64) Slot {
    uint64_t hash = 0;
    float margin = 0;
    uint16_t word_size = kEmpty, ids_size = 0;
    uint32_t word_at = 0, ids_at = 0;  // into words_ and ids_ when not inline
    char word[kInlineWord];
    int ids[kInlineIds];
  };
  static_assert(sizeof(Slot) == 64);

  const char* WordOf(const Slot& s) const { return s.word_size <= kInlineWord ? s.word : words_.data() + s.word_at; }
  const int* IdsOf(const Slot& s) const { return s.ids_size <= kInlineIds ? s.ids : ids_.data() + s.ids_at; }
  size_t SlotOf(std::string_view word, uint64_t hash) const;
  void Grow();

  // Huge pages where the system gives them: lookups land anywhere in a table
  // of tens of MB, and a TLB miss each cost more than the lookup.
  template <typename T>
  struct HugePages {
    using value_type = T;
    HugePages() = default;
    template <typename U>
    HugePages(const HugePages<U>&) {}
    T* allocate(size_t n);
    void deallocate(T* p, size_t) { std::free(p); }
    bool operator==(const HugePages&) const { return true; }
  };
  std::vector<Slot, HugePages<Slot>> slots_;  // open addressing, a power of two in size
  std::string words_;        // words longer than kInlineWord
  std::vector<int> ids_;     // id lists longer than kInlineIds
  size_t used_ = 0;
  uint64_t generation_ = 0;
};

template <typename T>
T* WordIdsCache::HugePages<T>::allocate(size_t n) {
  constexpr size_t kHuge = 2 << 20;
  const size_t unit = n * sizeof(T) >= kHuge ? kHuge : alignof(T);  // aligned_alloc wants whole units
  const size_t bytes = (n * sizeof(T) + unit - 1) / unit * unit;
  void* p = std::aligned_alloc(unit, bytes);
  if (p == nullptr) throw std::bad_alloc();
  if (unit == kHuge) madvise(p, bytes, MADV_HUGEPAGE);
  return static_cast<T*>(p);
}

}  // namespace strata::text
