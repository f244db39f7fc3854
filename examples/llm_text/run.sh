#!/usr/bin/env bash
# `make demo`: makes the 20 MB synthetic web-text corpus with
# ../shared/corpus/gen_corpus.py (once; deterministic) and runs pipeline.yaml
# on the embedded local cluster, printing the per-rule audit.
# Usage: run.sh BUILD_DIR [CORPUS_MB]
set -euo pipefail
build=${1:-build}
mb=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
gen="$here/../../../shared/corpus/gen_corpus.py"
data="$build/examples/llm_text"
mkdir -p "$data"
corpus="$data/corpus-$mb.jsonl"
if [[ ! -s "$corpus" ]]; then
  if [[ ! -f "$gen" ]]; then
    echo "llm_text: the corpus generator is not at $gen (it comes with the project's shared files)" >&2
    exit 1
  fi
  echo "llm_text: generating a ${mb} MB web-text corpus ..." >&2
  python3 "$gen" --size-mb "$mb" --out "$corpus" >/dev/null
fi
# A SentencePiece model for `tokenize`, trained once on the corpus's first
# 5,000 documents (no pretrained model ships with Debian).
model="$data/spm-8k.model"
if [[ ! -s "$model" ]]; then
  echo "llm_text: training an 8k SentencePiece model ..." >&2
  python3 -c "import json,sys
for i, line in enumerate(open(sys.argv[1])):
    if i >= 5000: break
    print(json.loads(line)['text'])" "$corpus" > "$data/spm-train.txt"
  spm_train --input="$data/spm-train.txt" --model_prefix="$data/spm-8k" --vocab_size=8000 \
    --input_sentence_size=200000 --shuffle_input_sentence=true --minloglevel=2 >/dev/null 2>&1
fi
sed "s|CORPUS|$corpus|; s|OUT|$data/out|; s|MODEL|$model|" "$here/pipeline.yaml" > "$data/pipeline.yaml"
"$build/src/cli/strata" run "$data/pipeline.yaml"
echo "llm_text: kept documents in $data/out (JSONL, zstd)" >&2
