#include "common/status.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument(std::to_string(n) + " is odd");
  return n / 2;
}

Status HalveTwice(int n, int* out) {
  Result<int> once = Half(n);
  STRATA_RETURN_IF_ERROR(once.status().WithContext("first: "));
  Result<int> twice = Half(*once);
  STRATA_RETURN_IF_ERROR(twice.status().WithContext("second: "));
  *out = *twice;
  return OkStatus();
}

TEST(Status, ResultsCarryAValueOrWhyNot) {
  Result<int> ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  EXPECT_TRUE(ok.status().ok());
  Result<int> odd = Half(3);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(odd.status().message(), "3 is odd");
  EXPECT_EQ(odd.status().ToString(), "invalid argument: 3 is odd");
}

TEST(Status, ErrorsReturnEarlyWithTheirContext) {
  int out = 0;
  EXPECT_TRUE(HalveTwice(8, &out).ok());
  EXPECT_EQ(out, 2);
  const Status s = HalveTwice(6, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "second: 3 is odd");
}

TEST(StatusDeathTest, ACheckThatFailsNamesWhere) {
  EXPECT_DEATH(STRATA_CHECK(1 + 1 == 3), "check failed at .*status_test.cc:[0-9]+: 1 \\+ 1 == 3");
}

}  // namespace
}  // namespace strata
