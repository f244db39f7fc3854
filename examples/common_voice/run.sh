#!/usr/bin/env bash
# `make demo`: makes a small Common Voice release (make_release.py: espeak-ng
# speech, lame MP3s at 48 and 32 kHz, mono and stereo, a few broken clips;
# once) and runs pipeline.yaml on the embedded local cluster: votes, decode,
# resample to 16 kHz mono, trim silence, keep 1-15 s, normalize transcripts,
# write WAV shards and a NeMo manifest. Broken clips land in the quarantine.
# Usage: run.sh BUILD_DIR [CLIPS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
clips=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work="$build/examples/common_voice"
mkdir -p "$work"
if [[ ! -s "$work/cv-corpus-example/en/validated.tsv" || $(cat "$work/clips" 2>/dev/null) != "$clips" ]]; then
  echo "common_voice: generating a ${clips}-clip release with espeak-ng and lame ..." >&2
  rm -rf "$work/cv-corpus-example"
  /usr/bin/python3 "$here/make_release.py" "$work" "$clips" >/dev/null
  echo "$clips" > "$work/clips"
fi
rm -rf "$work/out"
sed "s|RELEASE|$work/cv-corpus-example/en|; s|OUT|$work/out|g" "$here/pipeline.yaml" > "$work/pipeline.yaml"
"$build/src/cli/strata" run "$work/pipeline.yaml"
echo "common_voice: manifest $work/out/manifest/manifest.json, audio (WAV + log-mel .npy) in $work/out/audio, broken clips in $work/out/manifest.quarantine.jsonl" >&2
