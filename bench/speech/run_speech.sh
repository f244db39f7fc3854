#!/usr/bin/env bash
# The speech benchmark: a Common Voice-shaped release of CLIPS clips (40
# espeak-ng sentences from examples/common_voice/make_release.py, copied under
# new names: MP3 at 48 and 32 kHz, mono and stereo), decoded, resampled to 16
# kHz mono and trimmed (-40 dBFS) — Strata (`strata run`, embedded cluster,
# both cores, writing WAV shards and the NeMo manifest) side by side with sox
# per clip (`xargs -P 2`, the same decode, resample and `silence` trim, WAV
# out, no manifest) in the same run. Writes build/bench/speech.json.
# Usage: bench/speech/run_speech.sh BUILD_DIR [CLIPS]
set -euo pipefail
build="$(realpath "$1")"
clips="${2:-2000}"
here="$(cd "$(dirname "$0")" && pwd)"
data="$build/bench/speech-data"
release="$data/cv-corpus-example/en"
if [[ ! -s "$release/validated.tsv" || "$(cat "$data/clips" 2>/dev/null)" != "$clips" ]]; then
  echo "== generating $clips clips"
  rm -rf "$data" && mkdir -p "$data"
  /usr/bin/python3 "$here/../../examples/common_voice/make_release.py" "$data" 40 >/dev/null
  /usr/bin/python3 - "$release" "$clips" <<'PY'
import os, shutil, sys
release, n = sys.argv[1], int(sys.argv[2])
lines = open(f"{release}/validated.tsv").read().splitlines()
header, rows = lines[0], [l.split("\t") for l in lines[1:]]
good = [r for r in rows if os.path.exists(f"{release}/clips/{r[1]}") and os.path.getsize(f"{release}/clips/{r[1]}") > 20000]  # no broken ones
out = [header]
for i in range(n):
    r = list(good[i % len(good)])
    name = f"common_voice_en_{100000 + i}.mp3"
    shutil.copyfile(f"{release}/clips/{r[1]}", f"{release}/clips/{name}")
    r[1] = name
    out.append("\t".join(r))
for r in rows:
    os.remove(f"{release}/clips/{r[1]}") if os.path.exists(f"{release}/clips/{r[1]}") else None
open(f"{release}/validated.tsv", "w").write("\n".join(out) + "\n")
PY
  echo "$clips" > "$data/clips"
fi
export STRATA_TMPDIR="$build/bench/speech-tmp"
unset STRATA_ADDRESS
rm -rf "$data/out" "$data/sox"
# The example's pipeline without its vote filter: both sides handle every clip.
sed "s|RELEASE|$release|; s|OUT|$data/out|g; /vote_filter/d" \
  "$here/../../examples/common_voice/pipeline.yaml" > "$data/pipeline.yaml"
echo "== Strata"
start=$(date +%s%N)
"$build/src/cli/strata" run "$data/pipeline.yaml" --no-progress 2> "$data/strata.err"
end=$(date +%s%N)
strata_ms=$(( (end - start) / 1000000 ))
echo "== sox per clip, 2 processes"
mkdir -p "$data/sox"
start=$(date +%s%N)
cut -f2 "$release/validated.tsv" | tail -n +2 | \
  xargs -P 2 -I{} sox "$release/clips/{}" -r 16000 -c 1 "$data/sox/{}.wav" \
    silence 1 0.02 -40d reverse silence 1 0.02 -40d reverse
end=$(date +%s%N)
sox_ms=$(( (end - start) / 1000000 ))
/usr/bin/python3 - "$data" "$strata_ms" "$sox_ms" "$clips" "$build/bench/speech.json" <<'PY'
import glob, json, os, sys, wave
data, strata_ms, sox_ms, clips, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
lines = [json.loads(l) for f in sorted(glob.glob(f"{data}/out/manifest/*")) for l in open(f)]
hours = sum(l["duration"] for l in lines) / 3600
sox_files = glob.glob(f"{data}/sox/*.wav")
sox_hours = 0.0
for f in sox_files:
    with wave.open(f) as w:
        sox_hours += w.getnframes() / w.getframerate() / 3600
s, p = clips / (strata_ms / 1000), len(sox_files) / (sox_ms / 1000)
r = {"clips": clips, "kept": len(lines), "strata_s": strata_ms / 1000, "sox_s": sox_ms / 1000,
     "strata_clips_per_s": round(s, 1), "sox_clips_per_s": round(p, 1), "ratio": round(s / p, 2),
     "strata_audio_hours_per_core_hour": round(hours / (strata_ms / 3.6e6 * 2), 1),
     "sox_audio_hours_per_core_hour": round(sox_hours / (sox_ms / 3.6e6 * 2), 1)}
json.dump(r, open(out, "w"), indent=1)
print(f"{clips} clips: Strata {strata_ms/1000:.1f} s ({s:.0f} clips/s, {len(lines)} kept, manifest written), "
      f"sox x2 {sox_ms/1000:.1f} s ({p:.0f} clips/s): {s/p:.2f}x")
print(f"audio hours per core-hour: Strata {r['strata_audio_hours_per_core_hour']}, sox {r['sox_audio_hours_per_core_hour']}")
PY
