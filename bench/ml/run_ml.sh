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
/usr/bin/time -f "%e %M" -o "$data/strata.time" \
  bash -c "cd '$data' && '$build/src/cli/strata' run pipeline.yaml --no-progress"
read -r strata_s strata_kb < "$data/strata.time"
echo "== pandas + scikit-learn"
/usr/bin/time -f "%e %M" -o "$data/peer.time" /usr/bin/python3 "$here/sklearn_peer.py" "$data/table.csv" "$data/peer.npy" > "$data/peer.out"
read -r peer_s peer_kb < "$data/peer.time"
read -r peer_inner peer_rows peer_width < "$data/peer.out"
rm -f "$data/peer.npy"
/usr/bin/python3 - "$strata_s" "$strata_kb" "$peer_s" "$peer_kb" "$peer_width" "$rows" "$build/bench/ml.json" <<'PY'
import json, sys
s, skb, p, pkb, width, rows, out = sys.argv[1:]
r = {"rows": int(rows), "width": int(width), "strata_s": float(s), "peer_s": float(p),
     "strata_max_rss_mb": int(skb) // 1024, "peer_max_rss_mb": int(pkb) // 1024,
     "ratio": round(float(p) / float(s), 2)}
json.dump(r, open(out, "w"), indent=1)
print(f"impute+scale+one-hot+concat, {int(rows):,} rows -> {width} features:")
print(f"  Strata {float(s):.1f} s ({int(skb)//1024} MB max RSS of the CLI process)")
print(f"  pandas+scikit-learn {float(p):.1f} s ({int(pkb)//1024} MB max RSS)")
print(f"  ratio {float(p)/float(s):.2f}x")
PY
