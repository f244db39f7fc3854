// The quality chain's rules one by one, in one process, on the first
// STRATA_TEXT_BENCH_MB (default 20) of the bench corpus (run_text.sh makes
// /tmp/strata-bench-corpus-200.jsonl; STRATA_TEXT_BENCH_CORPUS overrides):
// bytes/s per rule, to see where the chain's time goes without the cluster.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/minhash.h"
#include "text/quality_rules.h"
#include "text/word_tokenizer.h"

namespace {

const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> texts = [] {
    const char* path = std::getenv("STRATA_TEXT_BENCH_CORPUS");
    const char* mb = std::getenv("STRATA_TEXT_BENCH_MB");
    const size_t limit = static_cast<size_t>(mb ? std::atof(mb) : 20) << 20;
    std::ifstream in(path ? path : "/tmp/strata-bench-corpus-200.jsonl");
    std::vector<std::string> out;
    size_t bytes = 0;
    for (std::string line; bytes < limit && std::getline(in, line);) {
      out.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
      bytes += out.back().size();
    }
    if (out.empty()) std::abort();  // no corpus: run bench/text/run_text.sh once
    return out;
  }();
  return texts;
}

template <typename F>
void OverCorpus(benchmark::State& state, F rule) {
  const std::vector<std::string>& corpus = Corpus();  // loaded outside the timing
  size_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& t : corpus) {
      benchmark::DoNotOptimize(rule(t));
      bytes += t.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

using namespace strata::text;

void BM_WordTokenize(benchmark::State& s) {
  OverCorpus(s, [](const std::string& t) { return TokenizeWords(t).size(); });
}
void BM_SplitSentences(benchmark::State& s) {
  OverCorpus(s, [](const std::string& t) { return SplitSentences(t).size(); });
}
// The rules below share a per-thread cache of words: each run of the
// corpus past the cache's size tokenizes again, as the chain does.
void BM_GopherRepetition(benchmark::State& s) {
  OverCorpus(s, [](const std::string& t) { return GopherRepetition({}, t); });
}
void BM_GopherQuality(benchmark::State& s) {
  OverCorpus(s, [](const std::string& t) { return GopherQuality({}, t); });
}
void BM_C4Quality(benchmark::State& s) {
  OverCorpus(s, [](const std::string& t) {
    std::string kept;
    return C4Quality({}, t, &kept);
  });
}
void BM_FineWebQuality(benchmark::State& s) {
  OverCorpus(s, [](const std::string& t) { return FineWebQuality({}, t); });
}
// datatrove's default chain on one thread, a document dropped at its first failing rule.
void BM_Chain(benchmark::State& s) {
  OverCorpus(s, [](const std::string& t) {
    if (!GopherRepetition({}, t).empty() || !GopherQuality({}, t).empty()) return false;
    std::string kept;
    if (!C4Quality({}, t, &kept).empty()) return false;
    return FineWebQuality({}, kept).empty();
  });
}

// datatrove's MinHash signature (defaults: 5-grams, 14 x 8 permutations).
void BM_MinHashSignature(benchmark::State& s) {
  static const MinHasher hasher(MinHashConfig{});
  OverCorpus(s, [](const std::string& t) { return hasher.Signature(t).size(); });
}

BENCHMARK(BM_WordTokenize)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SplitSentences)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GopherRepetition)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GopherQuality)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_C4Quality)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FineWebQuality)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Chain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MinHashSignature)->Unit(benchmark::kMillisecond);

}  // namespace
