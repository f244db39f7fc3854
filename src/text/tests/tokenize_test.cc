// tokenize with a tiny SentencePiece model trained here by Debian's spm_train.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/ops/operators.h"
#include "data/ops/steps.h"
#include "text/sentencepiece_tokenizer.h"

namespace strata::text {
namespace {

std::string TrainTinyModel() {
  const std::string dir = testing::TempDir() + "/strata_spm";
  std::filesystem::create_directories(dir);
  const std::string model = dir + "/tiny.model";
  if (std::filesystem::exists(model)) return model;
  std::ofstream text(dir + "/train.txt");
  const char* words[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "data", "engine"};
  for (int i = 0; i < 2000; ++i) text << words[i % 10] << ' ' << words[(i * 7) % 10] << ' ' << words[(i * 3) % 10] << "\n";
  text.close();
  const std::string cmd = "spm_train --input=" + dir + "/train.txt --model_prefix=" + dir +
                          "/tiny --vocab_size=40 --minloglevel=2 >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return model;
}

data::Block Docs(std::initializer_list<const char*> texts) {
  data::Block b;
  data::Column c = data::Column::OfType(data::Type::kString);
  for (const char* t : texts) {
    if (t == nullptr) {
      c.AppendNull();
    } else {
      c.AppendString(t);
    }
  }
  b.Add("text", std::move(c));
  b.num_rows = static_cast<int64_t>(texts.size());
  return b;
}

TEST(Tokenize, IdsAndCountsFromATrainedModel) {
  const std::string model = TrainTinyModel();
  auto m = SubwordModel::Open(model);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ((*m)->vocab_size(), 40);
  auto made = data::MakeStep("tokenize", {{"model", model}});
  ASSERT_TRUE(made.ok()) << made.status().message();
  const auto& step = *made;
  data::Block b = Docs({"the quick brown fox", "", nullptr, "lazy dog"});
  const Status applied = step->Apply(&b);
  ASSERT_TRUE(applied.ok()) << applied.message();
  const data::Column* ids = b.Get("tokens");
  const data::Column* counts = b.Get("token_count");
  ASSERT_NE(ids, nullptr);
  ASSERT_NE(counts, nullptr);
  EXPECT_GT(counts->i64[0], 0);
  EXPECT_EQ(counts->i64[1], 0);
  EXPECT_TRUE(counts->IsNull(2));
  EXPECT_EQ(ids->offsets[1] - ids->offsets[0], counts->i64[0]);
  for (int64_t v : ids->Values().i64) {
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 40);
  }
  EXPECT_EQ(step->Counters().at("tokens"), counts->i64[0] + counts->i64[3]);
}

TEST(Tokenize, AMissingOrBrokenModelIsAClearError) {
  std::string error;  // each MakeStep must fail, saying why
  error = data::MakeStep("tokenize", {{"model", "/nonexistent/x.model"}}).status().message();
  EXPECT_NE(error.find("/nonexistent/x.model"), std::string::npos) << error;
  const std::string junk = testing::TempDir() + "/junk.model";
  std::ofstream(junk) << "not a model";
  error = data::MakeStep("tokenize", {{"model", junk}}).status().message();
  EXPECT_NE(error.find("junk.model"), std::string::npos) << error;
  error = data::MakeStep("tokenize", nlohmann::ordered_json::object()).status().message();
  EXPECT_NE(error.find("model"), std::string::npos) << error;
}

}  // namespace
}  // namespace strata::text

namespace strata::text {
namespace {

TEST(C4BadWords, WordsBetweenNonWordCharactersAndAClearErrorWithoutAList) {
  const std::string list = testing::TempDir() + "/badwords_en.txt";
  std::ofstream(list) << "# a comment\nbadword\nvery bad\n";
  auto made = data::MakeStep("c4_badwords", {{"badwords_file", list}, {"explain", true}});
  ASSERT_TRUE(made.ok()) << made.status().message();
  const auto& step = *made;
  data::Block b = Docs({"This has a BadWord in it.", "A badwordy compound is fine.", "Very  bad spacing stays",
                        "it was very bad.", nullptr});
  const Status applied = step->Apply(&b);
  ASSERT_TRUE(applied.ok()) << applied.message();
  const data::Column* reason = b.Get("reason");
  ASSERT_NE(reason, nullptr);
  EXPECT_EQ(reason->Str(0), "document_removed_with_badwords");
  EXPECT_TRUE(reason->IsNull(1));
  EXPECT_TRUE(reason->IsNull(2));
  EXPECT_EQ(reason->Str(3), "document_removed_with_badwords");
  EXPECT_TRUE(reason->IsNull(4));
  EXPECT_EQ(step->Counters().at("document_removed_with_badwords"), 2);
  std::string error = data::MakeStep("c4_badwords", nlohmann::ordered_json::object()).status().message();
  EXPECT_NE(error.find("badwords_file"), std::string::npos) << error;
  error = data::MakeStep("c4_badwords", {{"badwords_file", "/nonexistent/list"}}).status().message();
  EXPECT_NE(error.find("/nonexistent/list"), std::string::npos) << error;
}

}  // namespace
}  // namespace strata::text
