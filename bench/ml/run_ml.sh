#!/usr/bin/env bash
# The ML-features benchmark: a ROWS x 20 CSV (make_table: 12 numeric, 6
# categorical, a label; ~5% missing) -> impute + scale + one-hot +
# concatenate -> Parquet, Strata (`strata run`, embedded cluster, all cores)
# side by side with pandas + scikit-learn (sklearn_peer.py) in the same run,
# on the same file; wall time and peak memory of each. Then a fit on a table
# several times larger than a deliberately small object store (spilling).
# Writes build/bench/ml.json.
# Usage: bench/ml/run_ml.sh BUILD_DIR [ROWS]
set -euo pipefail
build="$(realpath "$1")"
rows="${2:-10000000}"
here="$(cd "$(dirname "$0")" && pwd)"
data="$build/bench/ml-data"
mkdir -p "$data"
if [[ ! -s "$data/table.csv" || "$(cat "$data/rows" 2>/dev/null)" != "$rows" ]]; then
  echo "== generating $rows rows"
  "$build/examples/ml_features/make_table" --rows "$rows" --out "$data/table.csv"
  echo "$rows" > "$data/rows"
fi
export STRATA_TMPDIR="$build/bench/ml-tmp"
unset STRATA_ADDRESS
cp "$here/pipeline.yaml" "$data/"
rm -rf "$data/features"
echo "== Strata"
(cd "$data" && /usr/bin/python3 "$here/peak_memory.py" "$data/strata.time" \
  "$build/src/cli/strata" run pipeline.yaml --no-progress)
read -r strata_s strata_mb < "$data/strata.time"
echo "== pandas + scikit-learn"
/usr/bin/python3 "$here/peak_memory.py" "$data/peer.time" \
  /usr/bin/python3 "$here/sklearn_peer.py" "$data/table.csv" "$data/peer.npy" > "$data/peer.out"
read -r peer_s peer_mb < "$data/peer.time"
read -r peer_inner peer_rows peer_width < "$data/peer.out"
rm -f "$data/peer.npy"

# Fitting on data ten times the object store: a cluster with a store a tenth
# of the CSV; the parts spill to disk between the passes. Then pandas under a
# memory cap of what that whole cluster used at its peak.
echo "== Strata, object store a tenth of the input"
store=$(( $(stat -c %s "$data/table.csv") / 10 ))
sed 's/path: features/path: features_spill/' "$here/pipeline.yaml" > "$data/spill.yaml"
export STRATA_TMPDIR="$build/bench/ml-spill-tmp"
"$build/src/cli/strata" start --head --port 0 --object-store-memory "$store" >/dev/null
trap '"$build/src/cli/strata" stop >/dev/null 2>&1 || true' EXIT
address=$("$build/src/cli/strata" status --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['nodes'][0]['address'])")
rm -rf "$data/features_spill"
(cd "$data" && /usr/bin/python3 "$here/peak_memory.py" "$data/spill.time" \
  "$build/src/cli/strata" run spill.yaml --address "$address" --no-progress)
read -r spill_s spill_mb < "$data/spill.time"
spills=$("$build/src/cli/strata" status --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['nodes'][0]['object_store']['spill_count'])")
"$build/src/cli/strata" stop >/dev/null
trap - EXIT
cap_mb=$(( (spill_mb / 1024 + 1) * 1024 ))
echo "== pandas + scikit-learn with ${cap_mb} MB of address space"
if prlimit --as=$(( cap_mb * 1024 * 1024 )) /usr/bin/python3 "$here/sklearn_peer.py" "$data/table.csv" "$data/peer.npy" \
     > /dev/null 2> "$data/peer_capped.err"; then
  capped="completed"
else
  capped="failed: $(grep -o 'MemoryError\|Unable to allocate[^(]*' "$data/peer_capped.err" | head -1)"
fi
rm -f "$data/peer.npy"

/usr/bin/python3 - "$strata_s" "$strata_mb" "$peer_s" "$peer_mb" "$peer_width" "$rows" "$build/bench/ml.json" \
  "$spill_s" "$store" "$spills" "$spill_mb" "$cap_mb" "$capped" <<'PY'
import json, sys
s, smb, p, pmb, width, rows, out, spill_s, store, spills, spill_mb, cap_mb, capped = sys.argv[1:]
r = {"rows": int(rows), "width": int(width), "strata_s": float(s), "peer_s": float(p),
     "strata_peak_mb": int(smb), "peer_peak_mb": int(pmb), "ratio": round(float(p) / float(s), 2),
     "spill_run": {"store_bytes": int(store), "seconds": float(spill_s), "objects_spilled": int(spills),
                   "peak_mb": int(spill_mb), "pandas_with_that_memory": capped, "cap_mb": int(cap_mb)}}
json.dump(r, open(out, "w"), indent=1)
print(f"impute+scale+one-hot+concat, {int(rows):,} rows -> {width} features:")
print(f"  Strata {float(s):.1f} s (peak {smb} MB, every process of the cluster)")
print(f"  pandas+scikit-learn {float(p):.1f} s (peak {pmb} MB)")
print(f"  ratio {float(p)/float(s):.2f}x")
print(f"  with a {int(store)/1e6:.0f} MB object store: {float(spill_s):.1f} s, {spills} objects spilled, peak {spill_mb} MB")
print(f"  pandas+scikit-learn capped at {cap_mb} MB: {capped}")
PY
