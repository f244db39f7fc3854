#include "text/unigram_lattice.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata::text {

namespace {

size_t Utf8Length(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

uint32_t EdgeKey(int32_t node, unsigned char byte) { return static_cast<uint32_t>(node) << 8 | byte; }

size_t EdgeSlot(uint32_t key, size_t mask) { return (key * 0x9E3779B1u) & mask; }

// The ids of a path read backwards from `at` through `from` links, a run of
// unknown pieces joined into one as the library returns it.
template <typename Nodes>
void Backtrack(const Nodes& nodes, size_t at, int unk_id, std::vector<int>* ids) {
  ids->clear();
  for (; at > 0; at = nodes[at].from) {
    if (nodes[at].id == unk_id && !ids->empty() && ids->back() == unk_id) continue;
    ids->push_back(nodes[at].id);
  }
  std::reverse(ids->begin(), ids->end());
}

}  // namespace

UnigramLattice::UnigramLattice(std::vector<Piece> pieces, int unk_id, float unk_score)
    : unk_id_(unk_id), unk_score_(unk_score) {
  edges_.assign(1024, TrieEdge{});
  piece_at_.push_back(-1);  // the root
  max_abs_score_ = std::abs(static_cast<double>(unk_score));
  int max_id = unk_id;
  for (const Piece& p : pieces) max_id = std::max(max_id, p.id);
  scores_.assign(static_cast<size_t>(max_id) + 1, 0.0f);
  scores_[static_cast<size_t>(unk_id)] = unk_score;
  for (const Piece& p : pieces) {
    AddPiece(p);
    scores_[static_cast<size_t>(p.id)] = p.score;
    max_abs_piece_score_ = std::max(max_abs_piece_score_, std::abs(static_cast<double>(p.score)));
    max_abs_score_ = std::max(max_abs_score_, max_abs_piece_score_);
  }
}

int32_t UnigramLattice::Child(int32_t node, unsigned char byte) const {
  const uint32_t key = EdgeKey(node, byte);
  const size_t mask = edges_.size() - 1;
  for (size_t i = EdgeSlot(key, mask);; i = (i + 1) & mask) {
    if (edges_[i].key == key) return edges_[i].child;
    if (edges_[i].key == UINT32_MAX) return -1;
  }
}

void UnigramLattice::AddPiece(const Piece& piece) {
  int32_t node = 0;
  for (const char c : piece.text) {
    const auto byte = static_cast<unsigned char>(c);
    int32_t child = Child(node, byte);
    if (child < 0) {
      if ((edge_count_ + 1) * 2 > edges_.size()) Grow();
      child = static_cast<int32_t>(piece_at_.size());
      piece_at_.push_back(-1);
      const uint32_t key = EdgeKey(node, byte);
      const size_t mask = edges_.size() - 1;
      size_t i = EdgeSlot(key, mask);
      while (edges_[i].key != UINT32_MAX) i = (i + 1) & mask;
      edges_[i] = TrieEdge{key, child};
      ++edge_count_;
    }
    node = child;
  }
  piece_at_[static_cast<size_t>(node)] = piece.id;
}

void UnigramLattice::Grow() {
  std::vector<TrieEdge> old = std::move(edges_);
  edges_.assign(old.size() * 2, TrieEdge{});
  const size_t mask = edges_.size() - 1;
  for (const TrieEdge& e : old) {
    if (e.key == UINT32_MAX) continue;
    size_t i = EdgeSlot(e.key, mask);
    while (edges_[i].key != UINT32_MAX) i = (i + 1) & mask;
    edges_[i] = e;
  }
}

void UnigramLattice::Edges(std::string_view normalized, std::vector<Edge>* edges) const {
  edges->clear();
  const size_t n = normalized.size();
  for (size_t start = 0; start < n;) {
    const size_t char_length = std::min(Utf8Length(static_cast<unsigned char>(normalized[start])), n - start);
    bool has_single = false;
    int32_t node = 0;
    for (size_t end = start; end < n;) {
      node = Child(node, static_cast<unsigned char>(normalized[end++]));
      if (node < 0) break;
      const int id = piece_at_[static_cast<size_t>(node)];
      if (id < 0) continue;
      edges->push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end), id});
      has_single |= end - start == char_length;
    }
    if (!has_single) {
      edges->push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(start + char_length), unk_id_});
    }
    start += char_length;
  }
}

UnigramLattice::Solution UnigramLattice::SolveBest(size_t n, const std::vector<Edge>& edges,
                                                   std::vector<int>* ids) const {
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  // Per end position: the best and second-best scores of paths ending
  // there, and the last piece of the best one.
  struct Node {
    double best = kNone, second = kNone;
    size_t from = 0;
    int id = -1;
  };
  thread_local std::vector<Node> nodes;
  nodes.assign(n + 1, Node{});
  nodes[0].best = 0;
  for (const Edge& e : edges) {
    const Node& here = nodes[e.start];
    const double s = e.id == unk_id_ ? unk_score_ : scores_[static_cast<size_t>(e.id)];
    const double best = here.best + s, second = here.second + s;
    Node& node = nodes[e.end];
    if (best > node.best) {
      node.second = std::max(node.best, second);
      node.best = best;
      node.from = e.start;
      node.id = e.id;
    } else {
      node.second = std::max(node.second, best);
    }
  }
  Backtrack(nodes, n, unk_id_, ids);
  return {nodes[n].best, nodes[n].second};
}

void UnigramLattice::SolveAsLibrary(size_t n, const std::vector<Edge>& edges, float* score,
                                    std::vector<int>* ids) const {
  struct Node {
    float best = 0;
    size_t from = 0;
    int id = -1;
    bool reached = false;
  };
  thread_local std::vector<Node> nodes;
  nodes.assign(n + 1, Node{});
  nodes[0].best = *score;
  nodes[0].reached = true;
  // As the library compiles it: a piece's candidate is summed and compared
  // in double (its score expression is a double) and stored as float; the
  // unknown piece's is float throughout.
  for (const Edge& e : edges) {
    const float here = nodes[e.start].best;
    Node& node = nodes[e.end];
    if (e.id == unk_id_) {
      const float candidate = unk_score_ + here;
      if (!node.reached || candidate > node.best) node = Node{candidate, e.start, e.id, true};
    } else {
      const double candidate = static_cast<double>(scores_[static_cast<size_t>(e.id)]) + static_cast<double>(here);
      if (!node.reached || candidate > static_cast<double>(node.best)) {
        node = Node{static_cast<float>(candidate), e.start, e.id, true};
      }
    }
  }
  Backtrack(nodes, n, unk_id_, ids);
  *score = nodes[n].best;
}

UnigramLattice::Solution UnigramLattice::Solve(std::string_view normalized, std::vector<int>* best_ids,
                                               std::vector<int>* library_ids) const {
  thread_local std::vector<Edge> edges;
  Edges(normalized, &edges);
  float from_zero = 0;
  SolveAsLibrary(normalized.size(), edges, &from_zero, library_ids);
  return SolveBest(normalized.size(), edges, best_ids);
}

void UnigramLattice::SolveAsLibrary(std::string_view normalized, float* score, std::vector<int>* ids) const {
  thread_local std::vector<Edge> edges;
  Edges(normalized, &edges);
  SolveAsLibrary(normalized.size(), edges, score, ids);
}

}  // namespace strata::text
