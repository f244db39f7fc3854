// The serialization hot path, in-process: what each task's arguments and
// results cost to encode and decode.
#include <benchmark/benchmark.h>

#include <strata/strata.h>

namespace {

void BM_EncodeSmallInt(benchmark::State& state) {
  const strata::ObjectId id = strata::ObjectId::Generate();
  for (auto _ : state) benchmark::DoNotOptimize(strata::internal::EncodeObject(42, id));
}
BENCHMARK(BM_EncodeSmallInt);

void BM_DecodeSmallInt(benchmark::State& state) {
  auto e = strata::internal::EncodeObject(42, strata::ObjectId::Generate());
  for (auto _ : state) {
    benchmark::DoNotOptimize(strata::internal::DecodeValue<int>(e.data.data(), e.data.size(), e.id));
  }
}
BENCHMARK(BM_DecodeSmallInt);

void BM_RoundTripDoubles(benchmark::State& state) {
  std::vector<double> v(state.range(0), 1.0);
  const strata::ObjectId id = strata::ObjectId::Generate();
  for (auto _ : state) {
    auto e = strata::internal::EncodeObject(v, id);
    benchmark::DoNotOptimize(
        strata::internal::DecodeValue<std::vector<double>>(e.data.data(), e.data.size(), id));
  }
  state.SetBytesProcessed(state.iterations() * v.size() * sizeof(double) * 2);
}
BENCHMARK(BM_RoundTripDoubles)->Arg(64)->Arg(8192);

}  // namespace
