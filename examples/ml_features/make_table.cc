// Writes a deterministic synthetic table for the ML-features example and
// benchmark: an id, numeric columns (normal, log-normal, ages, counts, a
// constant) and categorical columns (3 to 1,000 values, skewed), about 5% of
// each missing, and a binary label that depends on a few of them.
// Usage: make_table --rows N --out FILE.csv [--numeric K] [--categorical K] [--seed S]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  long long rows = 1000000;
  int numeric = 12, categorical = 6;
  unsigned seed = 42;
  std::string out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") rows = std::atoll(argv[i + 1]);
    else if (flag == "--out") out = argv[i + 1];
    else if (flag == "--numeric") numeric = std::atoi(argv[i + 1]);
    else if (flag == "--categorical") categorical = std::atoi(argv[i + 1]);
    else if (flag == "--seed") seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "make_table: unknown flag %s (--rows, --out, --numeric, --categorical, --seed)\n", argv[i]);
      return 2;
    }
  }
  if (out.empty() || rows < 1 || numeric < 1 || categorical < 1) {
    std::fprintf(stderr, "usage: make_table --rows N --out FILE.csv [--numeric K] [--categorical K] [--seed S]\n");
    return 2;
  }
  FILE* f = std::fopen(out.c_str(), "w");
  if (f == nullptr) {
    std::perror(out.c_str());
    return 1;
  }
  static const int kCardinality[] = {5, 12, 50, 200, 3, 1000};
  std::fprintf(f, "id");
  for (int k = 0; k < numeric; ++k) std::fprintf(f, ",num%d", k);
  for (int k = 0; k < categorical; ++k) std::fprintf(f, ",cat%d", k);
  std::fprintf(f, ",label\n");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> x(static_cast<size_t>(numeric));
  char buf[64];
  for (long long r = 0; r < rows; ++r) {
    std::string line = std::to_string(r);
    for (int k = 0; k < numeric; ++k) {
      double v;
      switch (k % 4) {
        case 0: v = 50 + 10 * normal(rng); break;                          // a measurement
        case 1: v = std::round(std::exp(10 + normal(rng)) * 100) / 100; break;  // an income
        case 2: v = std::floor(18 + 72 * unit(rng)); break;                // an age
        default: v = std::floor(-std::log(1 - unit(rng)) * 3); break;      // a count
      }
      if (k == numeric - 1 && numeric > 4) v = 1;  // a constant column
      x[static_cast<size_t>(k)] = v;
      line += ',';
      if (unit(rng) >= 0.05) {
        std::snprintf(buf, sizeof buf, "%.10g", v);
        line += buf;
      }
    }
    for (int k = 0; k < categorical; ++k) {
      const int n = kCardinality[k % 6];
      // Skewed: low values far more common (a few big cities, many small ones).
      const int v = static_cast<int>(std::floor(n * std::pow(unit(rng), 2.0)));
      line += ',';
      if (unit(rng) >= 0.05) line += "c" + std::to_string(k) + "_" + std::to_string(v);
    }
    const double score = 0.05 * (x[0] - 50) + (numeric > 2 ? 0.02 * (x[2] - 54) : 0) + 0.5 * normal(rng);
    line += score > 0 ? ",1\n" : ",0\n";
    std::fputs(line.c_str(), f);
  }
  if (std::fclose(f) != 0) {
    std::perror(out.c_str());
    return 1;
  }
  return 0;
}
