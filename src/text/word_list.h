// A document's words, mostly as pieces of the document itself: a word that
// lies inside the text is kept as (offset, length) — no copy, 16 bytes —
// and the few the rules rewrite ("``", "''", words of a sentence with bad
// UTF-8) are copied into the list's own buffer. Offsets rather than views,
// so that a list cached for one copy of a text reads any equal copy (Words).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::text {

class WordList {
 public:
  // Words that lie inside `text` are kept as offsets into it; `text` is
  // read while the list is built and by At(i), not after it is gone.
  explicit WordList(std::string_view text = {}) : text_(text) {}

  // Inline for the usual word (inside the text, room reserved): the
  // tokenizers add one per few bytes.
  void Add(std::string_view word) {
    const auto offset = reinterpret_cast<uintptr_t>(word.data()) - reinterpret_cast<uintptr_t>(text_.data());
    if (offset < text_.size() && word.size() <= text_.size() - offset && !word.empty() &&
        spans_.size() < spans_.capacity()) [[likely]] {
      spans_.push_back({offset, word.size()});
    } else {
      AddSlowly(word);
    }
  }
  void reserve(size_t n) { spans_.reserve(n); }
  size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }

  // The i-th word, its pieces read from `text` (equal in content to the
  // text the list was made from).
  std::string_view At(size_t i, std::string_view text) const {
    const Span& s = spans_[i];
    return (s.offset & kOwn) != 0 ? std::string_view(own_).substr(s.offset & ~kOwn, s.length)
                                  : text.substr(s.offset, s.length);
  }
  std::string_view At(size_t i) const { return At(i, text_); }
  std::vector<std::string> Strings() const;
  size_t BytesUsed() const { return spans_.capacity() * sizeof(Span) + own_.capacity() + sizeof(*this); }

 private:
  void AddSlowly(std::string_view word);

  static constexpr uint64_t kOwn = uint64_t{1} << 63;
  struct Span {
    uint64_t offset;  // kOwn set: into own_
    uint64_t length;
  };
  std::string_view text_;
  std::vector<Span> spans_;
  std::string own_;
};

// A list read against a text: what the rules iterate.
class Words {
 public:
  Words(const WordList* list, std::string_view text) : list_(list), text_(text) {}
  size_t size() const { return list_->size(); }
  bool empty() const { return list_->empty(); }
  std::string_view operator[](size_t i) const { return list_->At(i, text_); }
  // The text the words were read from (a word the tokenizer rewrote lives
  // elsewhere).
  std::string_view text() const { return text_; }

  class Iterator {
   public:
    Iterator(const Words* w, size_t i) : w_(w), i_(i) {}
    std::string_view operator*() const { return (*w_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }

   private:
    const Words* w_;
    size_t i_;
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size()}; }

 private:
  const WordList* list_;
  std::string_view text_;
};

}  // namespace strata::text
