// The Common Voice reader and transcript normalization on their own.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "data/format/source.h"

namespace strata::speech {
std::string NormalizeTranscript(std::string_view text, bool keep_punctuation);
}

namespace strata::data {
namespace {

// v13's columns, in v13's order (no sentence_id, votes before age).
TEST(CommonVoice, ReadsColumnsByNameWhateverTheRelease) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "cv-corpus-13.0" / "fr";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "train.tsv") << "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\tvariant\tlocale\tsegment\n"
                                      "x\tcommon_voice_fr_1.mp3\t\"Il dit\t2\t0\t\t\t\t\tfr\t\n"
                                      "y\tcommon_voice_fr_2.mp3\tÇa va ?\t3\t1\t\t\t\t\tfr\t\n";
  SourceSpec src;
  src.format = "common_voice";
  src.paths = {dir.string()};
  src.options["tsv"] = "train";
  auto plan = PlanSource(src, 1 << 20);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  Block b;
  std::vector<BadRecord> bad;
  int64_t bytes = 0;
  for (const FileRange& r : plan->ranges) {
    ASSERT_TRUE(ReadPart("common_voice", r, plan->schema, &b, &bad, &bytes).ok());
  }
  EXPECT_TRUE(bad.empty());
  ASSERT_EQ(b.num_rows, 2);
  EXPECT_EQ(b.Get("sentence")->Str(0), "\"Il dit");  // the open quote does not swallow the next line
  EXPECT_EQ(b.Get("sentence")->Str(1), "Ça va ?");
  EXPECT_EQ(b.Get("up_votes")->type, Type::kInt64);
  EXPECT_EQ(b.Get("down_votes")->i64[1], 1);
  EXPECT_EQ(b.Get("audio_path")->Str(1), (dir / "clips" / "common_voice_fr_2.mp3").string());

  src.options["tsv"] = "dev";  // not there
  auto missing = PlanSource(src, 1 << 20);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("dev.tsv"), std::string::npos) << missing.status().message();
  src.options["tsv"] = "clip_durations";  // a release file, but not a clip list
  EXPECT_FALSE(PlanSource(src, 1 << 20).ok());
}

TEST(CommonVoice, NormalizesTranscriptsAsSpeechCorporaDo) {
  using speech::NormalizeTranscript;
  EXPECT_EQ(NormalizeTranscript("Über den Fluß!", false), "über den fluß");
  EXPECT_EQ(NormalizeTranscript("It’s “quoted” — isn't it?", false), "it's quoted isn't it");
  EXPECT_EQ(NormalizeTranscript("  ÉCOLE\t\u00a0d'été… ", false), "école d'été");
  EXPECT_EQ(NormalizeTranscript("Hi, there!", true), "hi, there!");
  EXPECT_EQ(NormalizeTranscript("¿¡...!?", false), "");
  EXPECT_EQ(NormalizeTranscript("ΑΘΗΝΑ", false), "αθηνα");
}

}  // namespace
}  // namespace strata::data
