#!/usr/bin/env bash
# The ETL benchmark: four queries over a taxi-trips-like CSV, Strata (`strata
# run`, embedded cluster, all cores) side by side with DuckDB (2 threads) and
# pandas in the same run, same files. Writes build/bench/etl.json.
# Usage: bench/etl/run_etl.sh BUILD_DIR [ROWS]
set -euo pipefail
build="$(realpath "$1")"
rows="${2:-3000000}"
here="$(cd "$(dirname "$0")" && pwd)"
data="$build/bench/etl-data"
npm_dir="$build/bench/npm"
mkdir -p "$data" "$npm_dir"
[[ -f "$data/trips.csv" && "$(cat "$data/rows" 2>/dev/null)" == "$rows" ]] || {
  echo "== generating $rows trips"
  /usr/bin/python3 "$here/make_data.py" "$data" "$rows"
  echo "$rows" > "$data/rows"
}
if [[ ! -d "$npm_dir/node_modules/@duckdb/node-api" ]]; then
  echo "== installing @duckdb/node-api (npm)"
  (cd "$npm_dir" && npm install --silent @duckdb/node-api@1.5.6-r.1 >/dev/null)
fi
cp "$here/duckdb_peer.mjs" "$npm_dir/"
export STRATA_TMPDIR="$build/bench/etl-tmp"
unset STRATA_ADDRESS
strata_json="{"
for q in scan_filter groupby join_groupby sort csv_to_parquet; do
  cp "$here/queries/$q.yaml" "$data/"
  start=$(date +%s%N)
  (cd "$data" && "$build/src/cli/strata" run "$q.yaml" --no-progress 2>/dev/null)
  end=$(date +%s%N)
  strata_json+="\"$q\": $(( (end - start) / 1000000 ))e-3,"  # milliseconds, as JSON
done
strata_json="${strata_json%,}}"
echo "== DuckDB"
duck_json=$(cd "$npm_dir" && node duckdb_peer.mjs "$data")
echo "== pandas"
pandas_json=$(/usr/bin/python3 "$here/pandas_peer.py" "$data")
/usr/bin/python3 - "$strata_json" "$duck_json" "$pandas_json" "$build/bench/etl.json" "$rows" <<'PY'
import json, sys
s, d, p = (json.loads(a) for a in sys.argv[1:4])
n = int(sys.argv[5])
if d["strata_parquet_rows_read_by_duckdb"] != n:
    sys.exit(f"DuckDB read {d['strata_parquet_rows_read_by_duckdb']} rows from Strata's Parquet, not {n}")
rows = []
print(f"\n{'query':<16}{'strata s':>10}{'duckdb s':>10}{'vs duckdb':>11}{'pandas s':>10}{'vs pandas':>11}")
for q in s:
    pd_s = p.get(q)
    rows.append({"name": f"etl_{q}_s", "strata": s[q], "peer": "duckdb (2 threads)", "peer_value": d[q],
                 "ratio_vs_duckdb": s[q] / d[q], "pandas": pd_s,
                 "speedup_vs_pandas": pd_s / s[q] if pd_s else None, "unit": "s"})
    pandas_cells = f"{pd_s:>10.2f}{pd_s / s[q]:>10.1f}x" if pd_s else f"{'n/a':>10}{'n/a':>11}"
    print(f"{q:<16}{s[q]:>10.2f}{d[q]:>10.2f}{s[q] / d[q]:>10.2f}x{pandas_cells}")
print(f"DuckDB read all {n} rows back from Strata's Parquet output")
json.dump({"rows": n, "results": rows}, open(sys.argv[4], "w"), indent=1)
print(f"\nwrote {sys.argv[4]}")
PY
