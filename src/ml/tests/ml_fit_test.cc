// The ML library's parts on their own: the exact quantile search against a
// sort, chain grouping, categories and fit files (including broken ones).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "ml/categories.h"
#include "ml/chain.h"
#include "ml/exact_quantiles.h"
#include "ml/relative_sketch.h"

namespace strata::ml {
namespace {

// numpy's percentile (linear) on sorted values, as the reference.
double NumpyPercentile(const std::vector<double>& sorted, double q) {
  const double v = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<size_t>(std::floor(v));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double g = v - std::floor(v), a = sorted[lo], b = sorted[hi];
  return g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g;
}

// Runs the search over `parts` as the fit tasks would, merging per round.
ExactQuantiles Search(std::vector<double> qs, const std::vector<std::vector<double>>& parts, int* rounds) {
  ExactQuantiles search(std::move(qs));
  *rounds = 0;
  while (!search.done()) {
    ++*rounds;
    ExactQuantiles shipped;  // what a task sees: the saved state
    shipped.Load(search.Save());
    std::vector<SelectPartial> merged;
    for (const auto& part : parts) {
      std::vector<SelectPartial> partial;
      shipped.Accumulate(part, &partial);
      if (merged.size() < partial.size()) merged.resize(partial.size());
      for (size_t t = 0; t < partial.size(); ++t) merged[t].Merge(partial[t]);
    }
    search.EndRound(merged);
  }
  return search;
}

TEST(ExactQuantiles, EqualsSortingForManyShapes) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0, 1e3);
  std::uniform_int_distribution<int> small(0, 5);
  // Wide, tied, narrow (one binade: the top 16 bits alone cannot tell the
  // values apart) and negative data, and more values than one collect holds.
  std::vector<std::function<double()>> shapes = {
      [&] { return normal(rng); },
      [&] { return static_cast<double>(small(rng)); },
      [&] { return 1000 + std::uniform_real_distribution<double>(0, 1)(rng); },
      [&] { return -std::exp(std::uniform_real_distribution<double>(-30, 30)(rng)); },
  };
  for (size_t s = 0; s < shapes.size(); ++s) {
    for (size_t n : {size_t{1}, size_t{2}, size_t{7}, size_t{1000}, size_t{600000}}) {
      std::vector<std::vector<double>> parts(3);
      std::vector<double> all;
      for (size_t i = 0; i < n; ++i) {
        const double x = shapes[s]();
        parts[i % 3].push_back(x);
        all.push_back(x);
      }
      std::sort(all.begin(), all.end());
      int rounds = 0;
      const auto search = Search({ExactQuantiles::kMedian, 0.25, 0.75, 0.0, 1.0, 0.1}, parts, &rounds);
      const double median = n % 2 == 1 ? all[n / 2] : (all[n / 2 - 1] + all[n / 2]) / 2;
      EXPECT_EQ(search.results()[0], median) << "shape " << s << " n " << n;
      EXPECT_EQ(search.results()[1], NumpyPercentile(all, 0.25)) << "shape " << s << " n " << n;
      EXPECT_EQ(search.results()[2], NumpyPercentile(all, 0.75)) << "shape " << s << " n " << n;
      EXPECT_EQ(search.results()[3], all.front());
      EXPECT_EQ(search.results()[4], all.back());
      EXPECT_EQ(search.results()[5], NumpyPercentile(all, 0.1));
      EXPECT_LE(rounds, 5);
    }
  }
}

TEST(ExactQuantiles, NoValuesGivesNaN) {
  int rounds = 0;
  const auto search = Search({ExactQuantiles::kMedian}, {{}, {}}, &rounds);
  EXPECT_EQ(search.count(), 0);
  EXPECT_TRUE(std::isnan(search.results()[0]));
}

TEST(RelativeSketch, EveryQuantileWithinItsRelativeBound) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> income(10, 1);
  std::normal_distribution<double> normal(0, 3);
  for (double a : {0.01, 0.001}) {
    const RelativeSketch sketch(a);
    std::vector<double> all;
    std::vector<SelectPartial> merged;
    for (int part = 0; part < 3; ++part) {  // three parts, merged
      std::vector<double> values;
      for (int i = 0; i < 20000; ++i) values.push_back(part == 1 ? normal(rng) : i % 50 == 0 ? 0.0 : income(rng));
      all.insert(all.end(), values.begin(), values.end());
      std::vector<SelectPartial> partial;
      sketch.Add(values, &partial);
      if (merged.size() < partial.size()) merged.resize(partial.size());
      for (size_t t = 0; t < partial.size(); ++t) merged[t].Merge(partial[t]);
    }
    std::sort(all.begin(), all.end());
    const std::vector<double> qs = {0.0, 0.01, 0.1, 0.25, 0.3, 0.5, 0.75, 0.99, 1.0};
    const auto got = sketch.Quantiles(merged, qs);
    for (size_t k = 0; k < qs.size(); ++k) {
      const double v = static_cast<double>(all.size() - 1) * qs[k];
      const double lo = all[static_cast<size_t>(std::floor(v))];
      const double hi = all[std::min(static_cast<size_t>(std::floor(v)) + 1, all.size() - 1)];
      const double exact = NumpyPercentile(all, qs[k]);
      EXPECT_LE(std::fabs(got[k] - exact), a * std::max(std::fabs(lo), std::fabs(hi)) * (1 + 1e-12))
          << "q " << qs[k] << " a " << a;
    }
  }
}

json Steps(const char* text) { return json::parse(text); }

TEST(Chain, FitsIndependentStepsInOnePassAndDependentOnesAfter) {
  Chain chain;
  const Status made = Chain::FromSteps(Steps(R"([
      {"simple_imputer": {"columns": ["a"], "strategy": "mean"}},
      {"one_hot_encoder": {"columns": ["c"]}},
      {"standard_scaler": {"columns": ["a", "b"]}},
      {"concatenator": {"columns": ["a", "b", "c_*"]}}])"),
                                       &chain);
  ASSERT_TRUE(made.ok()) << made.message();
  EXPECT_EQ(chain.NextGroup(), std::make_pair(size_t{0}, size_t{2}));  // the scaler reads a
  EXPECT_EQ(chain.InputColumns(), (std::vector<std::string>{"a", "c", "b"}));
}

TEST(Chain, RefusesUnknownKindsParametersAndBrokenFiles) {
  Chain chain;
  std::string error;
  error = Chain::FromSteps(Steps(R"([{"standard_scalar": {"columns": ["a"]}}])"), &chain).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("unknown preprocessor 'standard_scalar'"), std::string::npos) << error;
  error = Chain::FromSteps(Steps(R"([{"standard_scaler": {"columns": ["a"], "with_men": true}}])"), &chain).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("standard_scaler: unknown parameter 'with_men'"), std::string::npos) << error;
  error = Chain::FromSteps(Steps(R"([{"standard_scaler": {}}])"), &chain).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("needs columns"), std::string::npos) << error;
  error = Chain::FromSteps(Steps(R"([{"min_max_scaler": {"columns": ["a"], "feature_range": [1, 0]}}])"), &chain)
              .message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("feature_range"), std::string::npos) << error;

  const std::string dir = ::testing::TempDir();
  for (const auto& [name, text, why] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"notjson.json", "{\"strata_fit\": 1, \"steps\": [", "not JSON"},
           {"other.json", "{\"hello\": 1}", "not a Strata fit file"},
           {"unfinished.json",
            R"({"strata_fit": 1, "steps": [{"kind": "robust_scaler", "params": {"columns": ["a"]}, "fitted": false}]})",
            "did not finish"},
           {"badstate.json",
            R"({"strata_fit": 1, "steps": [{"kind": "simple_imputer", "params": {"columns": ["a", "b"]}, "fitted": true, "fit": {"fill": [1]}}]})",
            "1 fill values for 2 columns"}}) {
    std::ofstream(dir + "/" + name) << text;
    error = Chain::FromFile(dir + "/" + name, &chain).message();
    EXPECT_FALSE(error.empty()) << name;
    EXPECT_NE(error.find(why), std::string::npos) << name << ": " << error;
  }
}

TEST(Categories, MaxCategoriesKeepsTheMostFrequentAsScikitLearn) {
  ValueCounts counts;
  counts.strings = {{"a", 5}, {"b", 2}, {"c", 2}, {"d", 9}};
  counts.missing = 1;
  // Three slots: two frequent and the infrequent column; b and c tie, the
  // later in sorted order (c) is kept.
  const Categories cats = Categories::From(counts, 3);
  ASSERT_EQ(cats.size(), 2u);
  EXPECT_EQ(cats.Name(0), "a");
  EXPECT_EQ(cats.Name(1), "d");
  EXPECT_TRUE(cats.has_infrequent());
  Categories loaded;
  loaded.Load(cats.Save());
  EXPECT_EQ(loaded.Save(), cats.Save());
  EXPECT_EQ(PythonFloat(2.0), "2.0");
  EXPECT_EQ(PythonFloat(0.1), "0.1");
  EXPECT_EQ(PythonFloat(1e20), "1e+20");
}

}  // namespace
}  // namespace strata::ml
