#include "rpc/framing.h"

#include <random>

#include <gtest/gtest.h>

namespace strata::rpc {
namespace {

TEST(Framing, RoundTripsABatchOfTasks) {
  std::vector<TaskSpec> specs(3);
  for (size_t i = 0; i < specs.size(); ++i) {
    specs[i].id = TaskId::Generate();
    specs[i].function = "Square";
    specs[i].args.push_back(TaskArg{false, ObjectId(), std::string(i + 1, 'x')});
  }
  std::string wire;
  AppendFrame(&wire, MsgType::kSubmitTasks, specs);
  FrameReader reader;
  MsgType type;
  const char* body;
  size_t body_size, frame_size;
  std::string error;
  ASSERT_EQ(reader.Next(wire.data(), wire.size(), &type, &body, &body_size, &frame_size, &error),
            FrameReader::Result::kFrame);
  EXPECT_EQ(type, MsgType::kSubmitTasks);
  EXPECT_EQ(frame_size, wire.size());
  std::vector<TaskSpec> back;
  const Status decoded = DecodeBody(body, body_size, &back);
  ASSERT_TRUE(decoded.ok()) << decoded.message();
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].id, specs[2].id);
  EXPECT_EQ(back[2].args[0].data, "xxx");
}

TEST(Framing, PartialFrameAsksForMore) {
  std::string wire;
  AppendFrame(&wire, MsgType::kStatusRequest, std::string("abc"));
  FrameReader reader;
  MsgType type;
  const char* body;
  size_t body_size, frame_size;
  std::string error;
  EXPECT_EQ(reader.Next(wire.data(), wire.size() - 1, &type, &body, &body_size, &frame_size,
                        &error),
            FrameReader::Result::kNeedMore);
}

TEST(Framing, HostileLengthAndTypeAreCorrupt) {
  FrameReader reader;
  MsgType type;
  const char* body;
  size_t body_size, frame_size;
  std::string error;
  const char huge[] = {'\xff', '\xff', '\xff', '\x7f', 3};
  EXPECT_EQ(reader.Next(huge, 5, &type, &body, &body_size, &frame_size, &error),
            FrameReader::Result::kCorrupt);
  EXPECT_NE(error.find("frame length"), std::string::npos);
  const char bad_type[] = {2, 0, 0, 0, 99, 0};
  EXPECT_EQ(reader.Next(bad_type, 6, &type, &body, &body_size, &frame_size, &error),
            FrameReader::Result::kCorrupt);
  EXPECT_NE(error.find("unknown message type"), std::string::npos);
}

// Random and mutated bodies must decode to an error or a value, never crash.
TEST(Framing, DecoderSurvivesRandomAndMutatedInput) {
  std::mt19937 rng(1234);
  std::vector<TaskSpec> specs(2);
  specs[0].function = "f";
  specs[1].args.resize(2);
  std::string valid;
  AppendFrame(&valid, MsgType::kSubmitTasks, specs);
  const std::string body = valid.substr(kFrameHeaderBytes);
  int decoded = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      input = body;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) input[rng() % input.size()] = static_cast<char>(rng());
      if (rng() % 3 == 0) input.resize(rng() % input.size());
    } else {
      input.resize(rng() % 64);
      for (char& c : input) c = static_cast<char>(rng());
    }
    std::vector<TaskSpec> out;
    const Status s = DecodeBody(input.data(), input.size(), &out);
    if (!s.ok()) {
      EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    }
    (s.ok() ? decoded : rejected)++;
  }
  EXPECT_GT(rejected, 0);
  EXPECT_EQ(decoded + rejected, 20000);
}

}  // namespace
}  // namespace strata::rpc
