// tokenize's word-by-word encoding (cache, unigram margins and replays)
// against the SentencePiece library encoding each text whole, on models
// trained here by Debian's spm_train.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "text/sentencepiece_tokenizer.h"
#include "text/subword_model_facts.h"
#include "text/word_ids_cache.h"

namespace strata::text {
namespace {

// Made-up words from syllables, some capitalised, with punctuation, digits
// and curly quotes: many segmentations close in score.
std::string Babble(size_t words, uint32_t seed) {
  const char* syllables[] = {"ka", "lo", "mer", "tis", "an", "qu", "ex", "ro", "sel", "vin", "dra", "po", "ul", "ne"};
  const char* endings[] = {"", "", "", ",", ".", "!", "?", ";", ":", ")"};
  std::mt19937 rng(seed);
  std::string text;
  for (size_t i = 0; i < words; ++i) {
    if (i > 0) text += rng() % 17 == 0 ? "\n" : " ";
    std::string word;
    for (uint32_t k = 1 + rng() % 4; k > 0; --k) word += syllables[rng() % 14];
    if (rng() % 9 == 0) word[0] = static_cast<char>(word[0] - 'a' + 'A');
    if (rng() % 23 == 0) word = "\xe2\x80\x9c" + word + "\xe2\x80\x9d";  // “word”
    if (rng() % 29 == 0) word += std::to_string(rng() % 1000);
    text += word + endings[rng() % 10];
  }
  return text;
}

std::string Train(const std::string& name, const std::string& options) {
  const std::string dir = testing::TempDir() + "/strata_spm_cache";
  std::filesystem::create_directories(dir);
  const std::string model = dir + "/" + name + ".model";
  if (std::filesystem::exists(model)) return model;
  std::ofstream(dir + "/train.txt") << Babble(20000, 7);
  const std::string cmd = "spm_train --input=" + dir + "/train.txt --model_prefix=" + dir + "/" + name + " " + options +
                          " --minloglevel=2 >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return model;
}

std::shared_ptr<const SubwordModel> Open(const std::string& path) {
  auto model = SubwordModel::Open(path);
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? *model : nullptr;
}

// Texts where word-by-word encoding could go wrong: whitespace of every
// kind, unknown characters next to spaces, characters the model normalizes
// or that compose, invalid UTF-8, nothing at all.
std::vector<std::string> HardTexts() {
  return {"",
          " ",
          "kalo",
          "  kalo   mertis  ",
          "kalo\tmertis\nanqu\r\nexro\vsel\fvin",
          "Kalo, mertis! (anqu) \xe2\x80\x9c" "exro\xe2\x80\x9d sel\xe2\x80\x94vin \xc2\xa9 2024 \xe2\x80\xa2 caf\xc3\xa9",
          "zzz kalo zzz",               // letters the model has never seen: unknown pieces
          "ZZ\xc3\xa9\xc3\xa9 q",       // an unknown run of ASCII and Latin-1 letters
          "fullwidth \xef\xbc\xa1\xef\xbc\xa2",  // NFKC maps these
          "e\xcc\x81 combining acute",  // composes with the e before it
          "emoji \xf0\x9f\x98\x80 here",
          "non\xc2\xa0" "breaking space",
          "bad \xff\xfe utf8",
          "tab\x01" "control",
          std::string("nul\0inside", 10)};
}

void ExpectSameAsLibrary(const SubwordModel& model, const std::string& text) {
  std::vector<int> cached, whole;
  ASSERT_TRUE(model.Encode(text, &cached).ok());
  ASSERT_TRUE(model.EncodeWhole(text, &whole).ok());
  EXPECT_EQ(cached, whole) << "text: " << text.substr(0, 200);
}

TEST(SubwordCache, UnigramWordByWordIsTheLibrarysEncoding) {
  auto model = Open(Train("unigram", "--vocab_size=300"));
  ASSERT_NE(model, nullptr);
  EXPECT_TRUE(model->word_local());
  for (int pass = 0; pass < 2; ++pass) {  // cold cache, then warm
    for (const std::string& text : HardTexts()) ExpectSameAsLibrary(*model, text);
  }
  ExpectSameAsLibrary(*model, "blob " + std::string(5000, 'k') + " kalo");  // a word too long to solve
}

// Long texts carry a path score of tens of thousands: the library's float
// rounding then decides between segmentations close in score, which the
// tokenizer must replay as the library does.
TEST(SubwordCache, UnigramLongTextsMatchTheLibraryDeepIntoTheText) {
  auto model = Open(Train("unigram", "--vocab_size=300"));
  ASSERT_NE(model, nullptr);
  for (uint32_t seed = 1; seed <= 4; ++seed) ExpectSameAsLibrary(*model, Babble(30000, seed));
}

TEST(SubwordCache, BpeWordByWordIsTheLibrarysEncoding) {
  auto model = Open(Train("bpe", "--vocab_size=300 --model_type=bpe"));
  ASSERT_NE(model, nullptr);
  EXPECT_TRUE(model->word_local());
  for (const std::string& text : HardTexts()) ExpectSameAsLibrary(*model, text);
  ExpectSameAsLibrary(*model, Babble(20000, 3));
}

// Models whose pieces or normalization reach across words are encoded whole.
TEST(SubwordCache, ModelsThatAreNotWordLocalGoWhole) {
  // A normalization rule reaching across a space: "A B" -> "X".
  const std::string rules = testing::TempDir() + "/strata_spm_cache_rules.tsv";
  std::ofstream(rules) << "41 20 42\t58\n";
  for (const std::string& options : {std::string("--vocab_size=300 --user_defined_symbols=kalo,mer"),
                                     "--vocab_size=300 --normalization_rule_tsv=" + rules,
                                     std::string("--vocab_size=300 --normalization_rule_name=nmt_nfkc_cf"),
                                     std::string("--vocab_size=300 --split_by_whitespace=false")}) {
    const std::string name = "whole" + std::to_string(std::hash<std::string>{}(options) % 1000);
    auto model = Open(Train(name, options));
    ASSERT_NE(model, nullptr) << options;
    if (options.find("split_by_whitespace") == std::string::npos) {
      EXPECT_FALSE(model->word_local()) << options;
    }
    for (const std::string& text : HardTexts()) ExpectSameAsLibrary(*model, text);
    ExpectSameAsLibrary(*model, "kA Bk kalo A B");
    ExpectSameAsLibrary(*model, Babble(5000, 5));
  }
}

TEST(SubwordModelFacts, ReadsTheTypeAndPieceTypesAndRejectsJunk) {
  std::ifstream in(Train("bpe", "--vocab_size=300 --model_type=bpe"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto facts = ReadSubwordModelFacts(bytes);
  ASSERT_TRUE(facts.ok()) << facts.status().message();
  EXPECT_EQ(facts->type, SubwordModelType::kBpe);
  EXPECT_EQ(facts->normalizer, "nmt_nfkc");
  ASSERT_EQ(facts->pieces.size(), 300u);
  EXPECT_EQ(facts->pieces[0], PieceType::kUnknown);  // <unk>, <s>, </s> come first
  EXPECT_EQ(facts->pieces[1], PieceType::kControl);
  EXPECT_EQ(facts->pieces[299], PieceType::kNormal);
  EXPECT_FALSE(ReadSubwordModelFacts(bytes.substr(0, bytes.size() / 2)).ok());
  EXPECT_FALSE(ReadSubwordModelFacts("\x0a\xff\xff\xff\xff\x0f").ok());  // a length past the end
  EXPECT_FALSE(ReadSubwordModelFacts("\x0b").ok());                      // a group: not in these messages
}

TEST(WordIdsCache, KeepsShortAndLongWordsAndIdListsAndStartsOverWhenFull) {
  WordIdsCache cache;
  const std::string long_word(100, 'x');
  const std::vector<int> few = {7}, many = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  cache.Insert("a", 1, {few, 0.5f});
  cache.Insert(long_word, 2, {many, -1.0f});
  cache.Insert("b", 1, {many, 0.25f});  // the same hash as "a": found by its bytes
  WordIdsCache::Entry entry;
  ASSERT_TRUE(cache.Find("a", 1, &entry));
  EXPECT_EQ(std::vector<int>(entry.ids.begin(), entry.ids.end()), few);
  EXPECT_EQ(entry.margin, 0.5f);
  ASSERT_TRUE(cache.Find(long_word, 2, &entry));
  EXPECT_EQ(std::vector<int>(entry.ids.begin(), entry.ids.end()), many);
  ASSERT_TRUE(cache.Find("b", 1, &entry));
  EXPECT_EQ(entry.margin, 0.25f);
  EXPECT_FALSE(cache.Find("c", 1, &entry));
  EXPECT_FALSE(cache.Find("a", 3, &entry));
  // Past its bound (64 MiB) it starts over rather than grow.
  bool started_over = false;
  for (uint64_t i = 0; i < 3'000'000 && !started_over; ++i) {
    const size_t before = cache.size();
    cache.Insert("w" + std::to_string(i), i * 0x9E3779B97F4A7C15ull, {many, 1.0f});
    started_over = cache.size() < before;
  }
  EXPECT_TRUE(started_over);
  EXPECT_FALSE(cache.Find("a", 1, &entry));
}

}  // namespace
}  // namespace strata::text
