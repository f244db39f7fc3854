#!/usr/bin/env bash
# `make demo`: makes a 2-million-row table of mixed numeric and categorical
# columns with missing values (make_table, once), splits it, fits a feature
# chain on train, saves the fit and applies it to validation and test — all
# on the embedded local cluster, written as Parquet.
# Usage: run.sh BUILD_DIR [ROWS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
rows=${2:-2000000}
here=$(cd "$(dirname "$0")" && pwd)
work="$build/examples/ml_features/work"
mkdir -p "$work"
cd "$work"
if [[ ! -s table.csv || $(cat table.rows 2>/dev/null) != "$rows" ]]; then
  echo "ml_features: generating a ${rows}-row table ..." >&2
  "$build/examples/ml_features/make_table" --rows "$rows" --out table.csv
  echo "$rows" > table.rows
fi
rm -rf splits features features.fit.json
for step in split fit apply_validation apply_test; do
  echo "ml_features: $step.yaml" >&2
  "$build/src/cli/strata" run "$here/$step.yaml"
done
echo "ml_features: features in $work/features/{train,validation,test} (Parquet), the fit in $work/features.fit.json" >&2
