// A unigram SentencePiece model's segmentation of one normalized word, two
// ways. The library sums path scores in float from the start of the text, so
// deep into a long document its rounding can swap two segmentations of a
// word whose scores are within a few ulps. Solve works in double and gives
// the runner-up's score: the margin tells the tokenizer where a word's cached
// ids are certain to be what the library picks. SolveAsLibrary repeats the
// library's own float Viterbi from a given path score, for the words whose
// margin is too thin at their depth.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::text {

class UnigramLattice {
 public:
  struct Piece {
    std::string text;
    int id;
    float score;
  };
  // `pieces`: the normal pieces (those the library's trie holds and scores);
  // a character no piece of one character covers is the unknown piece,
  // scored `unk_score`.
  UnigramLattice(std::vector<Piece> pieces, int unk_id, float unk_score);

  struct Solution {
    double score;      // of the best segmentation
    double runner_up;  // of the second best; -infinity if there is one only
  };
  // The best segmentation's ids into *best_ids (a run of unknown pieces is
  // one, as the library returns it), and the library's, entered with path
  // score 0, into *library_ids.
  Solution Solve(std::string_view normalized, std::vector<int>* best_ids, std::vector<int>* library_ids) const;

  // The library's Viterbi, step for step with its float rounding, entered
  // with the path score `*score`, which it leaves at the path score after
  // the word.
  void SolveAsLibrary(std::string_view normalized, float* score, std::vector<int>* ids) const;

  // The path score after piece `id` (not the unknown piece), summed as the
  // library sums it.
  float Extend(float path_score, int id) const {
    return static_cast<float>(static_cast<double>(scores_[static_cast<size_t>(id)]) + static_cast<double>(path_score));
  }
  int unk_id() const { return unk_id_; }
  // Each path through a word is summed in float from the path score at its
  // start, one rounding per piece (at most one piece per byte of "▁word"),
  // each off by at most half an ulp of the magnitude reached; the best path
  // and the runner-up together drift by at most an ulp per byte. A word's
  // best path stands where its margin per byte exceeds twice that ulp (for
  // slack): DepthUlp gives it, for words of up to kLongestChecked bytes
  // (longer ones get margin 0: always solved again), recomputed only when
  // the path score crosses a power of two.
  static constexpr size_t kLongestChecked = 64;
  static float MarginPerByte(double margin, size_t word_size) {
    const size_t bytes = word_size + 3;  // "▁" is 3 bytes
    if (bytes > kLongestChecked) return 0;
    return static_cast<float>(margin / static_cast<double>(bytes));
  }
  class DepthUlp {
   public:
    explicit DepthUlp(double max_abs_score) : reach_(kLongestChecked * max_abs_score + 1) { Refresh(0); }
    // At a path score of magnitude at most `bound`.
    double At(double bound) {
      if (bound >= recheck_) Refresh(bound);
      return ulp_;
    }

   private:
    void Refresh(double bound) {
      const double magnitude = bound + reach_;
      const double power = std::bit_cast<double>(std::bit_cast<uint64_t>(magnitude) & 0x7FF0000000000000ull);
      ulp_ = power * 0x1p-22;
      recheck_ = 2 * power - reach_;
    }
    double reach_, ulp_ = 0, recheck_ = 0;
  };

  // The largest magnitude of a piece's score: bounds a path's partial sums.
  double max_abs_score() const { return max_abs_score_; }
  // The same over the pieces alone (not the unknown piece).
  double max_abs_piece_score() const { return max_abs_piece_score_; }

 private:
  // The lattice's edges in the order the library visits them: by start,
  // then by length; the unknown piece last where no one-character piece is.
  struct Edge {
    uint32_t start, end;
    int id;
  };
  void Edges(std::string_view normalized, std::vector<Edge>* edges) const;
  Solution SolveBest(size_t n, const std::vector<Edge>& edges, std::vector<int>* ids) const;
  void SolveAsLibrary(size_t n, const std::vector<Edge>& edges, float* score, std::vector<int>* ids) const;

  // A byte trie in one open-addressed table: (node, byte) -> child node.
  int32_t Child(int32_t node, unsigned char byte) const;
  void AddPiece(const Piece& piece);
  void Grow();

  struct TrieEdge {
    uint32_t key = UINT32_MAX;  // node << 8 | byte
    int32_t child = 0;
  };
  std::vector<TrieEdge> edges_;
  size_t edge_count_ = 0;
  std::vector<int32_t> piece_at_;  // per trie node: the piece's id, or -1
  std::vector<float> scores_;      // per id
  int unk_id_;
  float unk_score_;
  double max_abs_score_ = 0, max_abs_piece_score_ = 0;
};

}  // namespace strata::text
