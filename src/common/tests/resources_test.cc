#include "common/resources.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ResourceSet, FractionalAmountsAddAndSubtractExactly) {
  ResourceSet node = ResourceSet::FromDoubles({{"CPU", 2}});
  ResourceSet tenth = ResourceSet::FromDoubles({{"CPU", 0.1}});
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(tenth.FitsIn(node)) << i;
    node.Subtract(tenth);
  }
  EXPECT_EQ(node.GetFixed("CPU"), 0);
  EXPECT_FALSE(tenth.FitsIn(node));
}

TEST(ResourceSet, CustomResourcesMustBePresentToFit) {
  ResourceSet node = ResourceSet::FromDoubles({{"CPU", 16}, {"intel", 1}});
  EXPECT_TRUE(ResourceSet::FromDoubles({{"CPU", 1}, {"intel", 1}}).FitsIn(node));
  EXPECT_FALSE(ResourceSet::FromDoubles({{"CPU", 1}, {"graviton", 1}}).FitsIn(node));
  EXPECT_FALSE(ResourceSet::FromDoubles({{"CPU", 17}}).FitsIn(node));
}

TEST(ResourceSet, ZeroAmountsAreDropped) {
  ResourceSet r = ResourceSet::FromDoubles({{"CPU", 0}, {"GPU", 1}});
  EXPECT_EQ(r.entries().size(), 1u);
  r.Subtract(ResourceSet::FromDoubles({{"GPU", 1}}));
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(ResourceSet::FromDoubles({{"CPU", 1.5}, {"intel", 1}}).ToString(),
            "{CPU: 1.5, intel: 1}");
}

}  // namespace
}  // namespace strata
