#include "common/machine_badges.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

// Excerpts of /proc/cpuinfo from the machines the brief names.
const char* kSapphireRapids =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8488C\n"
    "flags\t\t: fpu vme sse2 avx2 avx512f avx512dq amx_bf16 amx_tile amx_int8\n";
const char* kEpyc =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14\n"
    "flags\t\t: fpu sse2 avx2 avx512f avx512bw\n";
const char* kGraviton3 =
    "processor\t: 0\nBogoMIPS\t: 2100.00\nFeatures\t: fp asimd evtstrm sha3 sve sve2\n"
    "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd40\n";

TEST(MachineBadges, IntelWithAmx) {
  MachineFacts f = ParseMachineFacts(kSapphireRapids, "x86_64", "Amazon EC2");
  EXPECT_EQ(f.arch, "x86_64");
  EXPECT_EQ(f.vendor, "intel");
  EXPECT_TRUE(f.avx512);
  EXPECT_TRUE(f.amx);
  auto r = BadgeResources(f);
  EXPECT_EQ(r.at("intel"), 1);
  EXPECT_EQ(r.at("amx"), 1);
  EXPECT_EQ(r.at("x86_64"), 1);
}

TEST(MachineBadges, AmdWithoutAmx) {
  MachineFacts f = ParseMachineFacts(kEpyc, "x86_64", "Amazon EC2");
  EXPECT_EQ(f.vendor, "amd");
  EXPECT_TRUE(f.avx512);
  EXPECT_FALSE(f.amx);
  EXPECT_EQ(BadgeResources(f).count("intel"), 0u);
}

TEST(MachineBadges, GravitonOnlyOnAmazon) {
  MachineFacts aws = ParseMachineFacts(kGraviton3, "aarch64", "Amazon EC2\n");
  EXPECT_EQ(aws.arch, "arm64");
  EXPECT_EQ(aws.vendor, "graviton");
  EXPECT_TRUE(aws.sve);
  MachineFacts other = ParseMachineFacts(kGraviton3, "aarch64", "QEMU");
  EXPECT_EQ(other.vendor, "arm");
}

TEST(MachineBadges, ThisMachineHasAnArchitectureBadge) {
  auto r = BadgeResources(DetectMachineFacts());
  EXPECT_TRUE(r.count("x86_64") == 1 || r.count("arm64") == 1);
}

}  // namespace
}  // namespace strata
