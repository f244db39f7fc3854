#!/usr/bin/env bash
# `make bench`: runs Strata's microbenchmarks and the Dask peer in the same
# session, prints them side by side, and writes build/bench/core.json as a
# list of {"name","strata","peer","peer_value","unit"}.
set -euo pipefail
build=${1:-build}
out_dir="$build/bench"
mkdir -p "$out_dir"
export STRATA_TMPDIR=$(mktemp -d)
trap 'rm -rf "$STRATA_TMPDIR"' EXIT

echo "== reader fuzz, long run (make test runs 1x; here STRATA_FUZZ_ROUNDS=${STRATA_FUZZ_ROUNDS:-20}x)"
STRATA_FUZZ_ROUNDS=${STRATA_FUZZ_ROUNDS:-20} "$build/tests/unit_tests" --gtest_filter='ReaderFuzz.*' \
  --gtest_brief=1 2>/dev/null | tail -n 2

echo "== codec (in-process, Google Benchmark)"
"$build/bench/codec_bench" --benchmark_min_time=0.2 2>/dev/null | tail -n +4

echo "== Strata core microbenchmarks"
strata_json=$("$build/bench/core_bench")
init_json=$("$build/bench/core_bench" --init)

echo "== node agent memory (strata start --head, after one driver ran)"
cli="$build/src/cli/strata"
"$cli" start --head --port 0 >/dev/null 2>&1 || "$cli" start --head --port 16380 >/dev/null
"$build/examples/quickstart/quickstart" 4 1000 >/dev/null
agent_pid=$(python3 -c "import json;print(json.load(open('$STRATA_TMPDIR/cluster.json'))['pid'])")
agent_rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$agent_pid/status)
"$cli" stop >/dev/null

echo "== object transfer between two node agents (peer: plain TCP copy, same run)"
"$cli" start --head --port 16390 --num-cpus 2 >/dev/null
"$cli" start --address 127.0.0.1:16390 --num-cpus 2 --resources '{"far": 1}' >/dev/null
sleep 1
transfer_json=$("$build/bench/transfer_bench")
"$cli" stop >/dev/null
echo "$transfer_json"

echo "== Dask distributed (peer)"
peer_json=$(/usr/bin/python3 "$(dirname "$0")/dask_peer.py" 2>/dev/null)

/usr/bin/python3 - "$strata_json" "$init_json" "$peer_json" "$agent_rss" "$out_dir/core.json" "$transfer_json" <<'PY'
import json, sys
s = json.loads(sys.argv[1]); s.update(json.loads(sys.argv[2]))
transfer = json.loads(sys.argv[6])
p = json.loads(sys.argv[3]); agent_rss = float(sys.argv[4])
s["node_agent_rss_mb"] = agent_rss
units = {"_per_s": "ops/s", "_us": "us", "_gb_per_s": "GB/s", "_mb": "MiB", "_s": "s",
         "_vs_memcpy": "ratio"}
def unit(k):
    for suffix, u in units.items():
        if k.endswith(suffix): return u
    return ""
rows = []
for k in sorted(s):
    rows.append({"name": k, "strata": s[k], "peer": "dask.distributed 2022.12",
                 "peer_value": p.get(k), "unit": unit(k)})
rows.append({"name": "object_transfer_gb_per_s", "strata": transfer["transfer_gb_per_s"],
             "peer": "plain TCP socket copy (same run)", "peer_value": transfer["tcp_copy_gb_per_s"],
             "unit": "GB/s"})
json.dump(rows, open(sys.argv[5], "w"), indent=1)
lower_better = ("_us", "_rss_mb", "_s")
print(f"{'metric':28} {'strata':>14} {'dask':>14}  ratio (strata/dask, >1 = strata better)")
for r in rows:
    pv, sv, k = r["peer_value"], r["strata"], r["name"]
    ratio = ""
    if pv:
        ratio = pv / sv if k.endswith(lower_better) and not k.endswith("_per_s") else sv / pv
        ratio = f"{ratio:8.1f}x"
    print(f"{k:28} {sv:14.3f} {pv if pv is not None else float('nan'):14.3f}  {ratio}")
print(f"\nobject transfer between nodes: {transfer['transfer_gb_per_s']:.2f} GB/s, plain TCP copy "
      f"{transfer['tcp_copy_gb_per_s']:.2f} GB/s: {100 * transfer['transfer_vs_tcp']:.0f}%")
print(f"\nwritten: {sys.argv[5]}")
PY
