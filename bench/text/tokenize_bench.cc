// tokenize: the word-by-word cached encoding against the SentencePiece
// library encoding each document whole (the peer), on one core, over the
// `text` of every line of a JSONL file. Counts the documents whose ids differ
// (must be 0) and those the cache could not take (encoded whole).
// Usage: tokenize_bench MODEL FILE.jsonl
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/sentencepiece_tokenizer.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: tokenize_bench MODEL FILE.jsonl\n");
    return 2;
  }
  auto model = strata::text::SubwordModel::Open(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  std::vector<std::string> texts;
  size_t bytes = 0;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    texts.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
    bytes += texts.back().size();
  }
  const auto& m = **model;
  std::vector<std::vector<int>> whole(texts.size());
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!m.EncodeWhole(texts[i], &whole[i]).ok()) return 1;
  }
  const double whole_s = Seconds(t0);
  std::vector<int> ids;
  size_t differ = 0, tokens = 0;
  t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!m.Encode(texts[i], &ids).ok()) return 1;
    tokens += ids.size();
    differ += ids != whole[i];
  }
  const double cached_s = Seconds(t0);
  std::printf("tokenize on %.1f MB (%zu docs, %zu tokens, word-local model: %s): word cache %.2f s = %.1f MB/s; "
              "library whole %.2f s = %.1f MB/s; ratio %.1fx; %zu documents differ\n",
              static_cast<double>(bytes) / 1e6, texts.size(), tokens, m.word_local() ? "yes" : "no", cached_s, static_cast<double>(bytes) / 1e6 / cached_s, whole_s,
              static_cast<double>(bytes) / 1e6 / whole_s, whole_s / cached_s, differ);
  return differ == 0 ? 0 : 1;
}
