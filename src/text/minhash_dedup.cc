// minhash_dedup: near-duplicate removal with datatrove's MinHash (minhash.h)
// and LSH, every pass a set of tasks (plan stage kMultiPass):
//   1. per input part: signatures; each document's 14 band hashes, sent to
//      the parts their hashes pick (documents are numbered part << 32 | row);
//   2. per band part: documents that share a band are linked to the first
//      of them (edges, both ways, sent to the parts of their source);
//   3. connected components in rounds, every part at once: a document's
//      label is the smallest number it has heard of; a part tells the
//      neighbours of the documents whose label fell, until no label falls
//      (datatrove does this step in one process; here it never is);
//   4. per input part: the documents whose component starts elsewhere go.
// One document per cluster stays: the first in input order. `index:` (paths
// of Parquet or JSON Lines files with a `minhash` column, as
// minhash_signature writes it with the same settings) holds documents kept
// by an earlier run: a new document in a cluster with one of them goes. With `mark:
// true` none go; each document in a cluster gets `cluster_id` (the number of
// its cluster's first document) and `cluster_size` (null for documents in
// no cluster).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <strata/data.h>
#include <strata/strata.h>
#include "common/xxhash_inline.h"

#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/exec/multi_pass.h"
#include "data/exec/stage_part.h"
#include "data/ops/steps.h"
#include "text/minhash.h"
#include "text/text_map_steps.h"

namespace strata::text {

namespace {

using data::Block;
using data::Column;
using data::Type;
using json = nlohmann::ordered_json;
using Refs = std::vector<strata::ObjectRef<Block>>;

struct DedupSpec {
  std::string column = "text";
  std::string signature_column;  // set: read signatures (an index) instead of text
  int32_t n_grams = 5;
  int32_t num_buckets = 14;
  int32_t hashes_per_bucket = 8;
  uint32_t seed = 1;
  int32_t parts = 2;
  STRATA_STRUCT(column, signature_column, n_grams, num_buckets, hashes_per_bucket, seed, parts);
};

struct Partitioned {
  Refs parts;          // one object per destination part
  int64_t count = 0;   // what the task counted (documents signed, labels fallen)
  std::string error;
  STRATA_STRUCT(parts, count, error);
};

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  return x;
}

size_t PartOf(int64_t key, int32_t parts) { return Mix(static_cast<uint64_t>(key)) % static_cast<uint64_t>(parts); }

// Two int64 columns, `a` and `b`.
struct Pairs {
  Column a = Column::OfType(Type::kInt64), b = Column::OfType(Type::kInt64);
  void Add(int64_t x, int64_t y) {
    a.AppendInt(x);
    b.AppendInt(y);
  }
  Block Take() {
    Block out;
    out.num_rows = a.length;
    out.Add("a", std::move(a));
    out.Add("b", std::move(b));
    return out;
  }
};

// Calls f(a, b) for every row of blocks made by Pairs (empty ones have no
// columns), looking the columns up once per block.
template <class F>
void ForEachPair(const std::vector<Block>& blocks, F&& f) {
  for (const Block& block : blocks) {
    if (block.num_rows == 0) continue;
    const std::vector<int64_t>& a = block.Get("a")->i64;
    const std::vector<int64_t>& b = block.Get("b")->i64;
    for (int64_t i = 0; i < block.num_rows; ++i) f(a[static_cast<size_t>(i)], b[static_cast<size_t>(i)]);
  }
}

Refs PutAll(std::vector<Pairs>& pairs) {
  Refs refs;
  for (Pairs& p : pairs) refs.push_back(strata::Put(p.Take()));
  return refs;
}

// Pass 1: (band hash, document) pairs, by the band hash's part.
// A row's signature from the index's signature column (empty if null or
// of another size: a signature made with another configuration).
std::vector<uint64_t> StoredSignature(const Column& sigs, int64_t row, size_t size) {
  if (sigs.IsNull(row)) return {};
  const auto begin = static_cast<size_t>(sigs.offsets[row]), end = static_cast<size_t>(sigs.offsets[row + 1]);
  if (end - begin != size) return {};
  std::vector<uint64_t> sig(size);
  for (size_t k = 0; k < size; ++k) sig[k] = static_cast<uint64_t>(sigs.Values().i64[begin + k]);
  return sig;
}

Partitioned BandTask(const DedupSpec& spec, int64_t part, const Block& block) {
  Partitioned r;
  const bool stored = !spec.signature_column.empty();
  const auto text_or = stored ? Result<const Column*>(nullptr) : TextColumn(block, spec.column);
  const Column* text = text_or.ok() ? *text_or : nullptr;
  const Column* sigs = stored ? block.Get(spec.signature_column) : nullptr;
  if (block.num_rows > 0 && (stored ? sigs == nullptr || sigs->type != Type::kList : text == nullptr)) {
    r.error = stored ? "the index has no signature list column '" + spec.signature_column + "'"
                     : text_or.status().message();
    return r;
  }
  const MinHasher hasher(MinHashConfig{spec.n_grams, spec.num_buckets, spec.hashes_per_bucket, spec.seed});
  std::vector<Pairs> out(static_cast<size_t>(spec.parts));
  const size_t width = static_cast<size_t>(spec.hashes_per_bucket);
  const size_t size = width * static_cast<size_t>(spec.num_buckets);
  for (int64_t row = 0; row < block.num_rows; ++row) {
    std::vector<uint64_t> sig;
    if (stored) {
      sig = StoredSignature(*sigs, row, size);
    } else if (!text->IsNull(row)) {
      sig = hasher.Signature(text->Str(row));
    }
    if (sig.empty()) continue;  // too few words: nobody's duplicate
    ++r.count;
    const int64_t doc = part << 32 | row;
    for (int32_t b = 0; b < spec.num_buckets; ++b) {
      // The bucket is the hash's seed: equal values in two buckets differ.
      const auto band = static_cast<int64_t>(
          XXH3_64bits_withSeed(sig.data() + b * width, width * sizeof(uint64_t), static_cast<uint64_t>(b)));
      out[PartOf(band, spec.parts)].Add(band, doc);
    }
  }
  r.parts = PutAll(out);
  return r;
}
STRATA_REMOTE(BandTask);

// Pass 2: documents sharing a band, linked to the first of them.
Partitioned EdgeTask(const DedupSpec& spec, const Refs& band_refs) {
  Partitioned r;
  const std::vector<Block> bands = strata::Get(band_refs);
  std::vector<std::pair<int64_t, int64_t>> all;  // (band, document)
  ForEachPair(bands, [&](int64_t band, int64_t doc) { all.emplace_back(band, doc); });
  std::sort(all.begin(), all.end());
  std::vector<Pairs> out(static_cast<size_t>(spec.parts));
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const int64_t first = all[i].second;  // sorted: the smallest document
    for (size_t k = i + 1; k < j; ++k) {
      const int64_t d = all[k].second;
      if (d == all[k - 1].second) continue;
      out[PartOf(first, spec.parts)].Add(first, d);
      out[PartOf(d, spec.parts)].Add(d, first);
      ++r.count;
    }
    i = j;
  }
  r.parts = PutAll(out);
  return r;
}
STRATA_REMOTE(EdgeTask);

struct RoundResult {
  Partitioned messages;   // (document, label) for the parts of the documents
  Refs labels;            // this part's (document, label), one object
  std::string error;
  STRATA_STRUCT(messages, labels, error);
};

// Pass 3, one round for one part: its edges, its labels so far (none in the
// first round: everyone is their own), and what the others told it.
RoundResult LabelRound(const DedupSpec& spec, const Refs& edge_refs, const Refs& label_refs, const Refs& inbox_refs,
                       bool first) {
  RoundResult r;
  const std::vector<Block> edges = strata::Get(edge_refs), labels = strata::Get(label_refs),
                           inbox = strata::Get(inbox_refs);
  std::unordered_map<int64_t, std::vector<int64_t>> adjacent;
  ForEachPair(edges, [&](int64_t from, int64_t to) { adjacent[from].push_back(to); });
  std::unordered_map<int64_t, int64_t> label;
  for (const auto& [node, nbrs] : adjacent) label[node] = node;
  ForEachPair(labels, [&](int64_t node, int64_t l) { label[node] = l; });
  std::unordered_set<int64_t> fell;
  if (first) {
    for (const auto& [node, nbrs] : adjacent) fell.insert(node);
  }
  ForEachPair(inbox, [&](int64_t node, int64_t heard) {
    auto it = label.find(node);
    if (it != label.end() && heard < it->second) {
      it->second = heard;
      fell.insert(node);
    }
  });
  std::vector<Pairs> out(static_cast<size_t>(spec.parts));
  for (int64_t node : fell) {
    for (int64_t n : adjacent[node]) out[PartOf(n, spec.parts)].Add(n, label[node]);
  }
  r.messages.count = static_cast<int64_t>(fell.size());
  r.messages.parts = PutAll(out);
  Pairs mine;
  for (const auto& [node, l] : label) mine.Add(node, l);
  r.labels.push_back(strata::Put(mine.Take()));
  return r;
}
STRATA_REMOTE(LabelRound);

// Pass 4: a part without the rows in `rows` — or, with `mark`, every row
// with its cluster's id and size (`ids`, `sizes`, parallel to `rows`; null
// outside clusters); then the row-local steps after it, and the write.
data::PartResult FilterTask(const Block& block, int64_t part, const std::vector<int64_t>& rows,
                            const std::vector<int64_t>& ids, const std::vector<int64_t>& sizes, bool mark,
                            const data::MultiPassTail& tail) {
  Block out;
  if (mark) {
    std::unordered_map<int64_t, size_t> at;
    for (size_t i = 0; i < rows.size(); ++i) at[rows[i]] = i;
    Column id = Column::OfType(Type::kInt64), size = Column::OfType(Type::kInt64);
    for (int64_t row = 0; row < block.num_rows; ++row) {
      auto it = at.find(row);
      if (it == at.end()) {
        id.AppendNull();
        size.AppendNull();
      } else {
        id.AppendInt(ids[it->second]);
        size.AppendInt(sizes[it->second]);
      }
    }
    out = block;
    PutColumn(&out, "cluster_id", std::move(id));
    PutColumn(&out, "cluster_size", std::move(size));
  } else {
    const std::unordered_set<int64_t> drop(rows.begin(), rows.end());
    Column keep = Column::OfType(Type::kBool);
    for (int64_t row = 0; row < block.num_rows; ++row) keep.AppendBool(drop.count(row) == 0);
    out = block.Filter(keep);
  }
  data::PartResult r;
  std::vector<std::unique_ptr<data::Step>> after;
  if (Status s = data::MakeSteps(tail.after, &after); !s.ok()) {
    r.error = s.message();
    return r;
  }
  data::FinishPart(std::move(out), after, tail.after, data::StepCall(), tail.write, part, &r);
  return r;
}
STRATA_REMOTE(FilterTask);

template <class T>
bool GetAll(std::vector<strata::ObjectRef<T>>& refs, std::vector<T>* out, std::string* error) {
  *out = strata::Get(refs);
  for (const T& r : *out) {
    if (!r.error.empty()) {
      *error = r.error;
      return false;
    }
  }
  return true;
}

Status RunMinHashDedup(const data::StepCall& call, const Refs& parts, int shuffle_parts,
                       const data::MultiPassTail& tail, data::MultiPassOutcome* outcome) {
  std::string error;
  std::map<std::string, int64_t>* counters = &outcome->counters;
  const json p = json::parse(call.params);
  DedupSpec spec;
  spec.column = p.value("column", spec.column);
  spec.n_grams = p.value("n_grams", spec.n_grams);
  spec.num_buckets = p.value("num_buckets", spec.num_buckets);
  spec.hashes_per_bucket = p.value("hashes_per_bucket", spec.hashes_per_bucket);
  spec.seed = p.value("seed", spec.seed);
  spec.parts = std::max(1, shuffle_parts);
  const bool mark = p.value("mark", false);
  const auto P = static_cast<size_t>(spec.parts);

  // 1. Bands. Input part i is numbered i + 1; number 0 is the index (the
  // signatures of documents kept before): the smallest, so a cluster with
  // an index document is kept by nobody here.
  std::vector<strata::ObjectRef<Partitioned>> pending;
  for (size_t i = 0; i < parts.size(); ++i) {
    pending.push_back(strata::Task(BandTask).Remote(spec, static_cast<int64_t>(i + 1), parts[i]));
  }
  if (p.contains("index")) {
    std::vector<std::string> paths = p["index"].is_string() ? std::vector<std::string>{p["index"].get<std::string>()}
                                                            : p["index"].get<std::vector<std::string>>();
    const bool parquet = !paths.empty() && paths[0].size() > 8 && paths[0].substr(paths[0].size() - 8) == ".parquet";
    const std::string column = p.value("index_column", std::string("minhash"));
    auto rows = (parquet ? data::Dataset::ReadParquet(paths) : data::Dataset::ReadJsonl(paths)).Collect();
    if (!rows.ok) {
      return InvalidArgument("index: " + rows.error);
    }
    DedupSpec index_spec = spec;
    index_spec.signature_column = column;
    pending.push_back(strata::Task(BandTask).Remote(index_spec, int64_t{0}, strata::Put(rows.block)));
  }
  std::vector<Partitioned> bands;
  if (!GetAll(pending, &bands, &error)) return InvalidArgument(error);
  int64_t signed_docs = 0;
  std::vector<Refs> by_band(P);
  for (size_t i = 0; i < bands.size(); ++i) {
    const Partitioned& b = bands[i];
    if (i < parts.size()) signed_docs += b.count;  // the index's are not input
    for (size_t q = 0; q < P; ++q) by_band[q].push_back(b.parts[q]);
  }
  // 2. Edges.
  pending.clear();
  for (size_t q = 0; q < P; ++q) pending.push_back(strata::Task(EdgeTask).Remote(spec, by_band[q]));
  std::vector<Partitioned> edge_parts;
  if (!GetAll(pending, &edge_parts, &error)) return InvalidArgument(error);
  std::vector<Refs> edges(P);
  for (const Partitioned& e : edge_parts) {
    for (size_t q = 0; q < P; ++q) edges[q].push_back(e.parts[q]);
  }
  // 3. Components, in rounds until no label falls.
  std::vector<Refs> labels(P), inbox(P);
  int rounds = 0;
  for (bool first = true;; first = false) {
    if (++rounds > 1000) {
      return InvalidArgument("connected components did not settle in 1000 rounds");
    }
    std::vector<strata::ObjectRef<RoundResult>> round;
    for (size_t q = 0; q < P; ++q) {
      round.push_back(strata::Task(LabelRound).Remote(spec, edges[q], labels[q], inbox[q], first));
    }
    std::vector<RoundResult> results;
    if (!GetAll(round, &results, &error)) return InvalidArgument(error);
    int64_t fell = 0;
    std::vector<Refs> next(P);
    for (size_t q = 0; q < P; ++q) {
      fell += first ? 0 : results[q].messages.count;
      labels[q] = results[q].labels;
      for (size_t d = 0; d < P; ++d) next[d].push_back(results[q].messages.parts[d]);
    }
    inbox = std::move(next);
    if (!first && fell == 0) break;
  }
  // 4. Per input part: the rows to drop (not their cluster's first), or
  // every clustered row's cluster id.
  std::vector<std::vector<int64_t>> rows(parts.size()), ids(parts.size()), sizes(parts.size());
  int64_t removed = 0, of_index = 0;
  std::vector<Block> all_labels;
  for (size_t q = 0; q < P; ++q) {
    for (Block& l : strata::Get(labels[q])) all_labels.push_back(std::move(l));
  }
  std::unordered_map<int64_t, int64_t> cluster_size;  // by the cluster's first document
  ForEachPair(all_labels, [&](int64_t, int64_t first_doc) { ++cluster_size[first_doc]; });
  ForEachPair(all_labels, [&](int64_t doc, int64_t first_doc) {
    if ((doc >> 32) == 0) return;  // an index document: not in this output
    const auto part = static_cast<size_t>((doc >> 32) - 1);
    if (part >= rows.size()) return;
    removed += first_doc != doc;
    of_index += (first_doc >> 32) == 0;
    if (!mark && first_doc == doc) return;
    rows[part].push_back(doc & 0xFFFFFFFF);
    ids[part].push_back(first_doc);
    sizes[part].push_back(cluster_size[first_doc]);
  });
  std::vector<strata::ObjectRef<data::PartResult>> filtered;
  for (size_t i = 0; i < parts.size(); ++i) {
    filtered.push_back(
        strata::Task(FilterTask).Remote(parts[i], static_cast<int64_t>(i), rows[i], ids[i], sizes[i], mark, tail));
  }
  STRATA_RETURN_IF_ERROR(data::CollectParts(strata::Get(filtered), tail, outcome));
  const int64_t kept_rows = outcome->rows_out;
  (*counters)[mark ? "marked_near_duplicate" : "near_duplicate"] += removed - of_index;
  if (of_index > 0) (*counters)[mark ? "marked_in_index" : "in_index"] += of_index;
  if ((*counters)[mark ? "marked_near_duplicate" : "near_duplicate"] == 0) {
    counters->erase(mark ? "marked_near_duplicate" : "near_duplicate");
  }
  const int64_t unsigned_docs = kept_rows + (mark ? 0 : removed) - signed_docs;
  if (unsigned_docs > 0) (*counters)["too_few_words"] += unsigned_docs;
  return OkStatus();
}

class MinHashDedupStep : public data::Step {
 public:
  bool multi_pass() const override { return true; }
  Status Finish(Block*) override {
    return InternalError("minhash_dedup runs as its own stage, not on one block");
  }
};

void AddMinHashDedup(std::map<std::string, data::StepInfo>* r) {
  (*r)["minhash_dedup"].params = {"column", "n_grams", "num_buckets", "hashes_per_bucket", "seed", "mark",
                                  "index", "index_column"};
  (*r)["minhash_dedup"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    if (p.value("n_grams", 5) < 1 || p.value("num_buckets", 14) < 1 || p.value("hashes_per_bucket", 8) < 1) {
      return InvalidArgument("n_grams, num_buckets and hashes_per_bucket must be at least 1");
    }
    return std::make_unique<MinHashDedupStep>();
  };
  data::MultiPassRunners()["minhash_dedup"] = RunMinHashDedup;
}

}  // namespace

const data::StepLibrary kMinHashDedup(AddMinHashDedup);

}  // namespace strata::text
