#include "text/sentencepiece_tokenizer.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include <sentencepiece_processor.h>
#include <spdlog/spdlog.h>
#include "common/xxhash_inline.h"

#include "common/swar.h"
#include "text/subword_model_facts.h"
#include "text/unicode.h"
#include "text/unigram_lattice.h"
#include "text/word_hash.h"
#include "text/word_ids_cache.h"

namespace strata::text {

namespace {

// A margin no cached word has: marks a word not found in the cache.
constexpr float kNotCached = -2;
constexpr std::string_view kSpaceSymbol = "\xe2\x96\x81";  // ▁, SentencePiece's escaped space

// How a byte or character of a text bears on encoding it word by word.
enum CharKind : uint8_t {
  kUnknown = 0,    // not yet checked (non-ASCII characters are checked on first sight)
  kWordChar,       // normalized to itself, alone and beside its neighbours
  kSeparator,      // normalized to a space: words end at it
  kWholeTextOnly,  // anything else: the text goes to the library whole
};

class SentencePieceModel : public SubwordModel {
 public:
  Status Load(const std::string& path) {
    const auto status = processor_.Load(path);
    if (!status.ok()) return InvalidArgument("cannot load the SentencePiece model " + path + ": " + status.ToString());
    word_local_ = CheckWordLocal() && BuildLattice();
    return OkStatus();
  }

  // Word by word through the thread's cache when the model allows it and
  // every character of the text is one whose normalization cannot reach
  // across a space; otherwise the library encodes the text whole. For a
  // unigram model the path score is carried along in float as the library
  // sums it, and a word whose cached ids could lose to rounding at that
  // depth is solved again as the library would solve it there.
  Status Encode(std::string_view text, std::vector<int>* ids) const override {
    if (!word_local_) return EncodeWhole(text, ids);
    thread_local std::vector<std::pair<uint32_t, uint32_t>> words;
    if (!SplitWords(text, &words)) return EncodeWhole(text, ids);
    auto word_at = [&](size_t w) { return text.substr(words[w].first, words[w].second - words[w].first); };
    WordIdsCache& cache = ThreadCache();
    thread_local std::string normalized;
    thread_local std::vector<int> solved;
    thread_local std::vector<uint64_t> hashes;
    thread_local std::vector<WordIdsCache::Entry> found;
    hashes.resize(words.size());
    for (size_t w = 0; w < words.size(); ++w) {
      const std::string_view word = word_at(w);
      hashes[w] = HashWord(word.data(), word.size(), text.data() + text.size());
    }
    // Looked up in a row, a few slots ahead of the lookups: most are cache
    // misses, and this way they overlap. Words not cached yet are encoded
    // and looked up again (an insert can move what an entry points at).
    auto look_up_all = [&] {
      constexpr size_t kAhead = 8;
      found.resize(words.size());
      bool all = true;
      for (size_t w = 0; w < std::min(kAhead, words.size()); ++w) cache.Prefetch(hashes[w]);
      for (size_t w = 0; w < words.size(); ++w) {
        if (w + kAhead < words.size()) cache.Prefetch(hashes[w + kAhead]);
        if (!cache.Find(word_at(w), hashes[w], &found[w])) {
          found[w].margin = kNotCached;
          all = false;
        }
      }
      return all;
    };
    if (!look_up_all()) {
      const uint64_t generation = cache.generation();
      thread_local std::vector<uint32_t> missing;
      missing.clear();
      for (size_t w = 0; w < words.size(); ++w) {
        if (found[w].margin != kNotCached) continue;
        missing.push_back(static_cast<uint32_t>(w));
        const std::string_view word = word_at(w);
        WordIdsCache::Entry entry;
        if (cache.Find(word, hashes[w], &entry)) continue;  // met earlier in this text
        if (Status s = EncodeWord(word, &entry); !s.ok()) return s;
        cache.Insert(word, hashes[w], entry);
      }
      if (cache.generation() == generation) {
        for (const uint32_t w : missing) {
          if (!cache.Find(word_at(w), hashes[w], &found[w])) {
            return EncodeWhole(text, ids);
          }
        }
      } else if (!look_up_all()) {
        return EncodeWhole(text, ids);  // the cache started over midway
      }
    }
    ids->clear();
    ids->reserve(words.size() * 2);
    // The path score is needed exactly only where a word is solved again
    // (rare); up to there a bound does: the exact score at the last such
    // word plus the most each token since can add (a cached word has no
    // unknown piece).
    float exact_score = 0;     // the library's path score after words [0, exact_upto)
    size_t exact_upto = 0;
    size_t tokens_since = 0;   // of words [exact_upto, w)
    UnigramLattice::DepthUlp depth(lattice_ ? lattice_->max_abs_score() : 0);
    for (size_t w = 0; w < words.size(); ++w) {
      const WordIdsCache::Entry& entry = found[w];
      if (!lattice_) {
        ids->insert(ids->end(), entry.ids.begin(), entry.ids.end());
        continue;
      }
      const double bound = std::abs(static_cast<double>(exact_score)) +
                           static_cast<double>(tokens_since) * lattice_->max_abs_piece_score();
      if (entry.margin > depth.At(bound)) {
        ids->insert(ids->end(), entry.ids.begin(), entry.ids.end());
        tokens_since += entry.ids.size();
      } else if (entry.margin >= 0) {
        for (; exact_upto < w; ++exact_upto) {
          for (const int id : found[exact_upto].ids) exact_score = lattice_->Extend(exact_score, id);
        }
        normalized.assign(kSpaceSymbol).append(word_at(w));
        lattice_->SolveAsLibrary(normalized, &exact_score, &solved);
        exact_upto = w + 1;
        tokens_since = 0;
        ids->insert(ids->end(), solved.begin(), solved.end());
      } else {
        return EncodeWhole(text, ids);
      }
    }
    return OkStatus();
  }

  // Into a result kept per thread: the library's ids-only Encode builds a
  // new result (a string per piece) each call, and its allocations were a
  // third of the tokenize step; a cleared result keeps them for the next.
  Status EncodeWhole(std::string_view text, std::vector<int>* ids) const override {
    thread_local sentencepiece::ImmutableSentencePieceText result;
    const auto status = processor_.Encode(absl::string_view(text.data(), text.size()), result.mutable_proto());
    if (!status.ok()) return InvalidArgument(status.ToString());
    const size_t n = result.pieces_size();
    ids->resize(n);
    for (size_t i = 0; i < n; ++i) (*ids)[i] = static_cast<int>(result.pieces(static_cast<int>(i)).id());
    return OkStatus();
  }

  int vocab_size() const override { return processor_.GetPieceSize(); }
  bool word_local() const override { return word_local_; }

 private:
  // The text's words as [begin, end) byte ranges; false if a character
  // of it is not known to normalize word-locally.
  bool SplitWords(std::string_view text, std::vector<std::pair<uint32_t, uint32_t>>* words) const {
    words->clear();
    size_t start = std::string_view::npos;
    for (size_t i = 0; i < text.size();) {
      // Printable ASCII in runs (all word characters: CheckWordLocal saw to
      // that); what stops a run goes the slow way.
      if (const size_t run = swar::PrintableRun(text, i); run > 0) {
        if (start == std::string_view::npos) start = i;
        i += run;
        continue;
      }
      const auto byte = static_cast<unsigned char>(text[i]);
      CharKind kind;
      size_t next = i + 1;
      if (byte < 0x80) {
        kind = ascii_[byte];
      } else {
        next = i;
        const char32_t c = NextCodePointSlow(text, &next);
        kind = KindOf(c);
      }
      if (kind == kWordChar) {
        if (start == std::string_view::npos) start = i;
      } else if (kind == kSeparator) {
        if (start != std::string_view::npos) words->emplace_back(start, i);
        start = std::string_view::npos;
      } else {
        return false;
      }
      i = next;
    }
    if (start != std::string_view::npos) words->emplace_back(start, text.size());
    return true;
  }

  // A word's ids and, for a unigram model, its margin over the runner-up:
  // 0 where the word must be solved at each depth (the double lattice
  // picks another path, or an unknown piece's score cannot be read back
  // from the joined ids), -1 where the text must go to the library whole.
  // A unigram word's ids are the float replay's, which is the library's
  // Viterbi step for step; the library itself checks it on every new word
  // of a thread's first kCheckedFirst and on one in kCheckedEvery after
  // (a new word costs twice as much with the library). A disagreement,
  // never seen on the test corpus, sends that word's texts whole and has
  // the library check every new word from then on.
  static constexpr uint64_t kCheckedFirst = 4096, kCheckedEvery = 16;
  Status EncodeWord(std::string_view word, WordIdsCache::Entry* entry) const {
    thread_local std::vector<int> fresh, best, replayed;
    if (!lattice_) {
      fresh.clear();
      if (Status s = EncodeWhole(word, &fresh); !s.ok()) return s;
      entry->ids = fresh;
      return OkStatus();
    }
    // A "word" of kilobytes (a data blob) is not worth lattices of its
    // length: its texts go to the library whole, as they did before.
    constexpr size_t kLongestSolved = 1024;
    if (word.size() > kLongestSolved) {
      entry->ids = {};
      entry->margin = -1;
      return OkStatus();
    }
    thread_local std::string normalized;
    normalized.assign(kSpaceSymbol).append(word);
    const auto solution = lattice_->Solve(normalized, &best, &replayed);
    entry->ids = replayed;
    thread_local uint64_t new_words = 0;
    ++new_words;
    if (new_words <= kCheckedFirst || new_words % kCheckedEvery == 0 || check_every_word_.load(std::memory_order_relaxed)) {
      fresh.clear();
      if (Status s = EncodeWhole(word, &fresh); !s.ok()) return s;
      if (fresh != replayed) {
        if (!check_every_word_.exchange(true)) {
          spdlog::warn("tokenize: the unigram replay disagrees with SentencePiece on a word; every new word is checked "
                       "from now on");
        }
        entry->margin = -1;
        return OkStatus();
      }
    }
    const bool has_unknown = std::find(replayed.begin(), replayed.end(), lattice_->unk_id()) != replayed.end();
    entry->margin = best != replayed || has_unknown
                        ? 0.0f
                        : UnigramLattice::MarginPerByte(solution.score - solution.runner_up, word.size());
    return OkStatus();
  }

  // Non-ASCII characters in the Basic Multilingual Plane are checked against
  // the model once each (a benign race: two threads store the same answer).
  CharKind KindOf(char32_t c) const {
    if (c >= 0x10000 || c == 0xFFFD) return kWholeTextOnly;
    const uint8_t known = bmp_[c].load(std::memory_order_relaxed);
    if (known != kUnknown) return static_cast<CharKind>(known);
    const CharKind kind = CheckNonAscii(c);
    bmp_[c].store(kind, std::memory_order_relaxed);
    return kind;
  }

  // A character may go word by word if the model leaves it as it is and
  // Unicode composition cannot join it to a neighbour: punctuation, symbols
  // and the Latin letters before U+0250, never a combining mark or a jamo.
  CharKind CheckNonAscii(char32_t c) const {
    const bool latin_letter = c < 0x250 && IsAlpha(c);
    if (!IsPunctuation(c) && !IsSymbol(c) && !latin_letter) return kWholeTextOnly;
    std::string s;
    AppendUtf8(c, &s);
    return NormalizesTo(s, std::string(kSpaceSymbol) + s) ? kWordChar : kWholeTextOnly;
  }

  // The text as the model normalizes it: its pieces, end to end (an unknown
  // run is one piece holding its normalized characters).
  bool NormalizesTo(std::string_view text, std::string_view expected) const {
    sentencepiece::ImmutableSentencePieceText result;
    if (!processor_.Encode(absl::string_view(text.data(), text.size()), result.mutable_proto()).ok()) return false;
    std::string normalized;
    for (size_t i = 0; i < result.pieces_size(); ++i) normalized += result.pieces(static_cast<int>(i)).piece();
    return normalized == expected;
  }

  // Encoding word by word gives the library's ids when no piece holds a space
  // past its start (so none spans two words), the space piece exists (so an
  // unknown run never crosses into the next word), each text gets one
  // leading space and runs of spaces collapse, and printable ASCII
  // normalizes to itself. Checked on the loaded model; any miss turns
  // word-by-word encoding off for it.
  bool CheckWordLocal() {
    for (int id = 0; id < processor_.GetPieceSize(); ++id) {
      if (processor_.IdToPiece(id).find(kSpaceSymbol, 1) != std::string::npos) return false;
    }
    const int space = processor_.PieceToId(absl::string_view(kSpaceSymbol.data(), kSpaceSymbol.size()));
    if (processor_.IsUnknown(space) || processor_.IsControl(space) || processor_.IsUnused(space)) return false;
    const std::string sp(kSpaceSymbol);
    if (!NormalizesTo("a", sp + "a") || !NormalizesTo("  a  b ", sp + "a" + sp + "b")) return false;
    ascii_.fill(kWholeTextOnly);
    for (int c = 0x21; c < 0x7F; ++c) {
      const std::string s(1, static_cast<char>(c));
      if (!NormalizesTo(s, sp + s)) return false;
      ascii_[c] = kWordChar;
    }
    ascii_[' '] = kSeparator;
    for (const char c : {'\t', '\n', '\v', '\f', '\r'}) {
      if (NormalizesTo(std::string("a") + c + "b", sp + "a" + sp + "b")) ascii_[static_cast<unsigned char>(c)] = kSeparator;
    }
    bmp_ = std::make_unique<std::atomic<uint8_t>[]>(0x10000);
    return true;
  }

  // One cache per thread, for the model that thread used last.
  WordIdsCache& ThreadCache() const {
    thread_local uint64_t owner = 0;
    thread_local WordIdsCache cache;
    if (owner != serial_) {
      cache.Clear();
      owner = serial_;
    }
    return cache;
  }

  // Only the built-in normalizations (NFKC and its variants, or none) are
  // known to map one character at a time; a model's own rules may reach
  // across a space ("A B" -> "X"), so such a model is encoded whole. A
  // unigram model gets the lattice that gives each word's margin; one with
  // user-defined pieces (scored apart, and the library does not say which
  // they are) is encoded whole too. BPE, word and character models need no
  // lattice: they pick a word's pieces from the word alone.
  bool BuildLattice() {
    const auto facts = ReadSubwordModelFacts(processor_.serialized_model_proto());
    if (!facts.ok() || facts->pieces.size() != static_cast<size_t>(processor_.GetPieceSize())) return false;
    static const std::set<std::string> kBuiltIn = {"nmt_nfkc", "nfkc", "nmt_nfkc_cf", "nfkc_cf", "identity"};
    if (!kBuiltIn.contains(facts->normalizer)) return false;
    if (facts->type != SubwordModelType::kUnigram) return true;
    std::vector<UnigramLattice::Piece> pieces;
    float min_score = std::numeric_limits<float>::max();
    for (int id = 0; id < processor_.GetPieceSize(); ++id) {
      const PieceType type = facts->pieces[id];
      if (type == PieceType::kUserDefined) return false;
      if (type != PieceType::kNormal) continue;
      pieces.push_back({processor_.IdToPiece(id), id, processor_.GetScore(id)});
      min_score = std::min(min_score, processor_.GetScore(id));
    }
    constexpr float kUnknownPenalty = 10.0f;  // the library's kUnkPenalty
    lattice_ = std::make_unique<UnigramLattice>(std::move(pieces), processor_.unk_id(), min_score - kUnknownPenalty);
    return true;
  }

  static inline std::atomic<uint64_t> next_serial_{1};
  const uint64_t serial_ = next_serial_.fetch_add(1);

  sentencepiece::SentencePieceProcessor processor_;
  bool word_local_ = false;
  std::array<CharKind, 128> ascii_{};
  std::unique_ptr<std::atomic<uint8_t>[]> bmp_;
  std::unique_ptr<UnigramLattice> lattice_;
  mutable std::atomic<bool> check_every_word_{false};
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
