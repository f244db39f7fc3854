#include "text/word_ids_cache.h"

#include <algorithm>
#include <cstring>

namespace strata::text {

size_t WordIdsCache::SlotOf(std::string_view word, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.word_size == kEmpty) return i;
    if (s.hash == hash && s.word_size == word.size() && std::memcmp(WordOf(s), word.data(), word.size()) == 0) {
      return i;
    }
  }
}

bool WordIdsCache::Find(std::string_view word, uint64_t hash, Entry* entry) const {
  const Slot& s = slots_[SlotOf(word, hash)];
  if (s.word_size == kEmpty) return false;
  *entry = Entry{std::span<const int>(IdsOf(s), s.ids_size), s.margin};
  return true;
}

void WordIdsCache::Insert(std::string_view word, uint64_t hash, const Entry& entry) {
  if (word.size() >= kEmpty || entry.ids.size() > UINT16_MAX) return;
  const size_t bytes = words_.size() + ids_.size() * sizeof(int) + slots_.size() * sizeof(Slot);
  if (bytes + word.size() + entry.ids.size() * sizeof(int) > kMaxBytes) Clear();
  if ((used_ + 1) * 4 > slots_.size() * 3) Grow();  // at most three quarters full
  Slot& s = slots_[SlotOf(word, hash)];
  if (s.word_size != kEmpty) return;  // already there
  s.hash = hash;
  s.margin = entry.margin;
  s.word_size = static_cast<uint16_t>(word.size());
  s.ids_size = static_cast<uint16_t>(entry.ids.size());
  if (word.size() <= kInlineWord) {
    std::memcpy(s.word, word.data(), word.size());
  } else {
    s.word_at = static_cast<uint32_t>(words_.size());
    words_.append(word);
  }
  if (entry.ids.size() <= kInlineIds) {
    std::copy(entry.ids.begin(), entry.ids.end(), s.ids);
  } else {
    s.ids_at = static_cast<uint32_t>(ids_.size());
    const size_t capacity = ids_.capacity();
    ids_.insert(ids_.end(), entry.ids.begin(), entry.ids.end());
    if (ids_.capacity() != capacity) ++generation_;
  }
  ++used_;
}

void WordIdsCache::Clear() {
  ++generation_;
  slots_.assign(kFirstSlots, Slot{});
  words_.clear();
  ids_.clear();
  used_ = 0;
}

void WordIdsCache::Grow() {
  ++generation_;
  auto old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.word_size == kEmpty) continue;
    size_t i = s.hash & mask;
    while (slots_[i].word_size != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace strata::text
