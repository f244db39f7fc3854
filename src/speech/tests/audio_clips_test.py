#!/usr/bin/python3
"""decode_audio and trim_silence on generated clips with known content.

Usage: audio_clips_test.py STRATA_BINARY WORKDIR

Makes a Common Voice-shaped release whose clips are tone bursts with digital
silence around them (WAV written here, encoded to MP3 by Debian's lame):
48 kHz mono, 44.1 kHz stereo with one silent channel, 32 kHz, one with an
ID3v2 tag — and broken ones: missing, empty, cut in half, random bytes, and
one of 0.05 s. Runs read -> decode_audio -> trim_silence and checks each
kept clip's trimmed duration against the burst's (one 20 ms window) and
against sox's `silence` on the same file (two windows), its sample rate,
and that every broken clip is in the quarantine with its reason; then
writes a NeMo manifest and checks its lines and WAV files.
"""
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import wave

STRATA = os.path.abspath(sys.argv[1])
WORK = sys.argv[2]
failures = []


def write_wav(path, rate, channels, lead, burst, tail, silent_channel=None):
    frames = []
    for i in range(int((lead + burst + tail) * rate)):
        t = i / rate
        v = 0.5 * math.sin(2 * math.pi * 440 * t) if lead <= t < lead + burst else 0.0
        for c in range(channels):
            frames.append(0 if c == silent_channel else int(v * 32767))
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(frames)}h", *frames))


def mp3(name, rate, channels, lead, burst, tail, silent_channel=None, tag=False):
    wav = f"{WORK}/{name}.wav"
    write_wav(wav, rate, channels, lead, burst, tail, silent_channel)
    args = ["lame", "--quiet", "-b", "64"] + (["--id3v2-only", "--tt", "a title"] if tag else []) + \
           [wav, f"{CLIPS}/{name}.mp3"]
    subprocess.run(args, check=True)
    os.remove(wav)


shutil.rmtree(WORK, ignore_errors=True)
RELEASE = f"{WORK}/cv-corpus-test/en"
CLIPS = f"{RELEASE}/clips"
os.makedirs(CLIPS)
good = {  # name -> (rate, channels, lead, burst, tail, silent channel, tag)
    "common_voice_en_1": (48000, 1, 0.5, 1.0, 0.7, None, False),
    "common_voice_en_2": (44100, 2, 0.3, 2.0, 0.4, 1, False),
    "common_voice_en_3": (32000, 1, 0.8, 1.5, 0.2, None, False),
    "common_voice_en_4": (48000, 1, 0.2, 0.6, 0.9, None, True),
}
for name, (rate, ch, lead, burst, tail, silent, tag) in good.items():
    mp3(name, rate, ch, lead, burst, tail, silent, tag)
mp3("common_voice_en_5", 48000, 1, 0.0, 2.0, 0.0)  # cut in half below
with open(f"{CLIPS}/common_voice_en_5.mp3", "rb") as f:
    data = f.read()
with open(f"{CLIPS}/common_voice_en_5.mp3", "wb") as f:
    f.write(data[: len(data) // 2])
open(f"{CLIPS}/common_voice_en_6.mp3", "wb").close()  # empty
random.seed(1)
with open(f"{CLIPS}/common_voice_en_7.mp3", "wb") as f:  # not audio
    f.write(bytes(random.randrange(256) for _ in range(5000)))
mp3("common_voice_en_8", 48000, 1, 0.0, 0.05, 0.0)  # too short
bad = {"common_voice_en_5": "cut short", "common_voice_en_6": "empty clip", "common_voice_en_7": "",
       "common_voice_en_8": "under 0.1 s", "common_voice_en_9": "missing clip"}
with open(f"{RELEASE}/validated.tsv", "w") as f:
    f.write("client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\tvariant\tlocale\tsegment\n")
    for i in range(1, 10):
        f.write(f"c{i}\tcommon_voice_en_{i}.mp3\tSentence {i}.\t2\t0\t\t\t\t\ten\t\n")

spec = {"read": {"format": "common_voice", "path": RELEASE, "on_bad_record": "quarantine"},
        "steps": [{"decode_audio": {"sample_rate": 16000}}, {"trim_silence": {}},
                  {"select": ["path", "sample_rate", "duration"]}],
        "write": {"format": "jsonl", "path": f"{WORK}/out"}}
with open(f"{WORK}/pipeline.yaml", "w") as f:
    json.dump(spec, f)
p = subprocess.run([STRATA, "run", f"{WORK}/pipeline.yaml"], capture_output=True, text=True)
if p.returncode != 0:
    print(p.stderr[-2000:])
    sys.exit(1)
rows = {}
for fn in sorted(os.listdir(f"{WORK}/out")):
    for line in open(f"{WORK}/out/{fn}"):
        r = json.loads(line)
        rows[r["path"].removesuffix(".mp3")] = r
for name, (rate, ch, lead, burst, tail, silent, tag) in good.items():
    r = rows.get(name)
    if r is None:
        failures.append(f"{name}: not in the output")
        continue
    if r["sample_rate"] != 16000:
        failures.append(f"{name}: sample_rate {r['sample_rate']}")
    # The burst, to a window (20 ms) at each end.
    if abs(r["duration"] - burst) > 0.02 + 1e-9:
        failures.append(f"{name}: trimmed duration {r['duration']:.4f} s, the burst is {burst} s")
quarantined = {}
with open(f"{WORK}/out.quarantine.jsonl") as f:
    for line in f:
        q = json.loads(line)
        quarantined[os.path.basename(q["file"]).removesuffix(".mp3")] = q["reason"]
for name, why in bad.items():
    if name in rows:
        failures.append(f"{name}: a broken clip reached the output")
    if name not in quarantined or why not in quarantined[name]:
        failures.append(f"{name}: quarantine says {quarantined.get(name)!r}, expected {why!r}")
if "0 bad, 5 rejected by steps" not in p.stderr or "bad_clip" not in p.stderr:
    failures.append("the summary does not count the bad clips under decode_audio:\n" + p.stderr[-800:])
# The same clips through sox (decode, 16 kHz mono, `silence` at -40 dB both
# ends): sox trims where 20 ms stay above the threshold, sample by sample,
# not by RMS windows, so the two agree to two windows.
for name in good:
    wav = f"{WORK}/{name}.sox.wav"
    subprocess.run(["sox", f"{CLIPS}/{name}.mp3", "-r", "16000", "-c", "1", wav, "silence", "1", "0.02", "-40d",
                    "reverse", "silence", "1", "0.02", "-40d", "reverse"], check=True)
    with wave.open(wav) as w:
        sox_seconds = w.getnframes() / w.getframerate()
    if name in rows and abs(rows[name]["duration"] - sox_seconds) > 0.04:
        failures.append(f"{name}: trimmed to {rows[name]['duration']} s, sox to {sox_seconds:.4f} s")

# The NeMo manifest: a WAV per kept clip, named after it, and a line each.
spec["steps"] = spec["steps"][:2] + [{"normalize_transcript": {"output": "text"}}]
spec["write"] = {"format": "nemo_manifest", "path": f"{WORK}/manifest", "audio_dir": f"{WORK}/audio"}
with open(f"{WORK}/manifest.yaml", "w") as f:
    json.dump(spec, f)
m = subprocess.run([STRATA, "run", f"{WORK}/manifest.yaml"], capture_output=True, text=True)
if m.returncode != 0:
    failures.append("manifest run failed: " + m.stderr[-800:])
else:
    lines = [json.loads(l) for fn in sorted(os.listdir(f"{WORK}/manifest")) for l in open(f"{WORK}/manifest/{fn}")]
    if sorted(os.path.basename(l["audio_filepath"]) for l in lines) != sorted(n + ".wav" for n in good):
        failures.append(f"manifest: {[l['audio_filepath'] for l in lines]}")
    for l in lines:
        name = os.path.basename(l["audio_filepath"])[:-4]
        with wave.open(l["audio_filepath"]) as w:
            seconds = w.getnframes() / w.getframerate()
            if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
                failures.append(f"{name}.wav: {w.getframerate()} Hz, {w.getnchannels()} channels")
        if abs(seconds - l["duration"]) > 1e-9 or abs(l["duration"] - good[name][3]) > 0.02 + 1e-9:
            failures.append(f"{name}: manifest duration {l['duration']}, WAV {seconds}")
        want_text = f"sentence {name.rsplit('_', 1)[1]}"
        if l["text"] != want_text or l["client_id"] != "c" + name.rsplit("_", 1)[1] or l["up_votes"] != 2:
            failures.append(f"{name}: manifest line {l}")

if failures:
    print("\n".join(failures))
    print(p.stderr[-1500:])
    sys.exit(1)
print("decode_audio and trim_silence: durations within a window, every broken clip quarantined")
