#!/usr/bin/env bash
# `make bench`: datatrove's default quality chain (gopher_repetition,
# gopher_quality, c4_quality, fineweb_quality) over the generated web-text
# corpus (../shared/corpus/gen_corpus.py), on Strata's embedded cluster
# (every core of this machine), and on the Python peer (the same rules with
# NLTK, one core: what datatrove costs) over the corpus's first 2 MB; then
# MinHash signatures the same way (peer: datatrove's formulas with numpy).
# Reported per core: MB/s divided by the cores used.
# Usage: run_text.sh BUILD_DIR [CORPUS_MB]
set -euo pipefail
build=${1:-build}
mb=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
gen="$here/../../../shared/corpus/gen_corpus.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus="/tmp/strata-bench-corpus-$mb.jsonl"
[[ -s "$corpus" ]] || /usr/bin/python3 "$gen" --size-mb "$mb" --out "$corpus" >/dev/null
sed "s|CORPUS|$corpus|; s|OUT|$work/out|" "$here/quality_chain.yaml" > "$work/chain.yaml"
cores=$(nproc)
best=999
for _ in 1 2 3; do
  t0=$(date +%s.%N)
  "$build/src/cli/strata" run "$work/chain.yaml" 2>"$work/summary.txt"
  t=$(echo "$(date +%s.%N) - $t0" | bc)
  best=$(echo "if ($t < $best) $t else $best" | bc)
done
kept=$(grep -o 'wrote [0-9,]* rows' "$work/summary.txt" | tr -dc 0-9)
read -r peer_mb peer_s peer_kept < <(/usr/bin/python3 "$here/datatrove_rules_peer.py" "$corpus" 2)
strata_core=$(echo "scale=2; $mb / $best / $cores" | bc)
peer_core=$(echo "scale=2; $peer_mb / $peer_s" | bc)
echo "quality chain on ${mb} MB: strata ${best} s on ${cores} cores = ${strata_core} MB/s per core" \
     "(kept ${kept} docs); python+nltk peer ${peer_core} MB/s per core (on ${peer_mb} MB, kept ${peer_kept});" \
     "ratio $(echo "scale=1; $strata_core / $peer_core" | bc)x per core"
grep -E '^[0-9]+ |^       ' "$work/summary.txt" || true

# MinHash signatures: the same corpus, datatrove's MinhashConfig defaults.
sed "s|CORPUS|$corpus|; s|OUT|$work/mh|" "$here/minhash.yaml" > "$work/minhash.yaml"
best=999
for _ in 1 2 3; do
  t0=$(date +%s.%N)
  "$build/src/cli/strata" run "$work/minhash.yaml" 2>/dev/null
  t=$(echo "$(date +%s.%N) - $t0" | bc)
  best=$(echo "if ($t < $best) $t else $best" | bc)
done
read -r peer_mb peer_s peer_signed < <(/usr/bin/python3 "$here/datatrove_rules_peer.py" "$corpus" 2 minhash)
strata_core=$(echo "scale=2; $mb / $best / $cores" | bc)
peer_core=$(echo "scale=2; $peer_mb / $peer_s" | bc)
echo "minhash signatures on ${mb} MB: strata ${best} s on ${cores} cores = ${strata_core} MB/s per core;" \
     "python+numpy peer ${peer_core} MB/s per core (on ${peer_mb} MB, ${peer_signed} signed);" \
     "ratio $(echo "scale=1; $strata_core / $peer_core" | bc)x per core"

# The whole example pipeline (examples/llm_text: normalize ... tokenize,
# zstd JSONL out) on a corpus of the same size, best of 2, wall time.
"$here/../../examples/llm_text/run.sh" "$build" "$mb" >/dev/null 2>&1  # makes its corpus and model once
best=999
for _ in 1 2; do
  t0=$(date +%s.%N)
  "$here/../../examples/llm_text/run.sh" "$build" "$mb" >/dev/null 2>"$work/example.txt"
  t=$(echo "$(date +%s.%N) - $t0" | bc)
  best=$(echo "if ($t < $best) $t else $best" | bc)
done
echo "example pipeline on ${mb} MB: ${best} s wall on ${cores} cores"

# tokenize alone, one core: the word cache against SentencePiece encoding
# each document whole (the peer), ids compared document by document.
"$build/bench/tokenize_bench" "$build/examples/llm_text/spm-8k.model" "$corpus"
