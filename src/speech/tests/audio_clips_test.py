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
writes a NeMo manifest and checks its lines and WAV files (one manifest.json,
the hours line of the summary); then FLAC output (sox decodes it to the same
samples as the WAV) with log-mel features (.npy, shape and values against a
NumPy computation of the same definition on the written samples).
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
    if os.listdir(f"{WORK}/manifest") != ["manifest.json"]:
        failures.append(f"manifest directory holds {os.listdir(f'{WORK}/manifest')}, not one manifest.json")
    lines = [json.loads(l) for l in open(f"{WORK}/manifest/manifest.json")]
    hours = sum(l["duration"] for l in lines) / 3600
    if f"kept {hours:.2f} hours of audio in {len(good)} clips" not in m.stderr:
        failures.append("no hours-kept line in the summary: " + m.stderr[-400:])
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

# FLAC (lossless: the same 16-bit samples as the WAV) and log-mel features.
import numpy as np


def slaney_mel(hz):
    hz = np.asarray(hz, dtype=np.float64)
    return np.where(hz < 1000, hz * 3 / 200, 15 + np.log(np.maximum(hz, 1e-9) / 1000) / (np.log(6.4) / 27))


def slaney_hz(mel):
    return np.where(mel < 15, mel * 200 / 3, 1000 * np.exp((np.log(6.4) / 27) * (mel - 15)))


def log_mel(x, rate=16000, bands=80, n_fft=512, win=400, hop=160):
    window = np.zeros(n_fft)
    window[(n_fft - win) // 2:(n_fft - win) // 2 + win] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)
    padded = np.concatenate([np.zeros(n_fft // 2), x, np.zeros(n_fft)])
    frames = 1 + len(x) // hop
    spec = np.array([np.abs(np.fft.rfft(padded[t * hop:t * hop + n_fft] * window)) ** 2 for t in range(frames)])
    edges = slaney_hz(np.linspace(0, slaney_mel(rate / 2), bands + 2))
    f = np.arange(n_fft // 2 + 1) * rate / n_fft
    fb = np.array([np.maximum(0, np.minimum((f - edges[m]) / (edges[m + 1] - edges[m]),
                                            (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]))) * 2 / (edges[m + 2] - edges[m])
                   for m in range(bands)])
    return np.log(spec @ fb.T + 2.0 ** -24)


spec["steps"] = spec["steps"][:2] + [{"log_mel": {}}, {"normalize_transcript": {"output": "text"}}]
spec["write"] = {"format": "nemo_manifest", "path": f"{WORK}/flac_manifest", "audio_dir": f"{WORK}/flac",
                 "audio_format": "flac"}
with open(f"{WORK}/flac.yaml", "w") as f:
    json.dump(spec, f)
fl = subprocess.run([STRATA, "run", f"{WORK}/flac.yaml"], capture_output=True, text=True)
if fl.returncode != 0:
    failures.append("flac run failed: " + fl.stderr[-800:])
elif m.returncode == 0:
    wavs = {os.path.basename(l["audio_filepath"])[:-4]: l["audio_filepath"] for l in lines}
    for l in (json.loads(x) for x in open(f"{WORK}/flac_manifest/manifest.json")):
        name = os.path.basename(l["audio_filepath"])[:-5]
        back = f"{WORK}/{name}.from_flac.wav"
        subprocess.run(["sox", l["audio_filepath"], back], check=True)
        with wave.open(back) as a, wave.open(wavs[name]) as b:
            if a.getframerate() != 16000 or a.readframes(10 ** 7) != b.readframes(10 ** 7):
                failures.append(f"{name}.flac: not the WAV's samples at 16 kHz")
        with wave.open(wavs[name]) as w:
            x = np.frombuffer(w.readframes(10 ** 7), dtype="<i2").astype(np.float64) / 32767
        got = np.load(l["feature_filepath"])
        want = log_mel(x)
        if got.dtype != np.float32 or got.shape != want.shape:
            failures.append(f"{name}.npy: {got.dtype} {got.shape}, want float32 {want.shape}")
            continue
        # Where the tone is (bands well above 16-bit quantisation noise) the
        # two agree; the strongest band of the middle frame holds 440 Hz.
        loud = want > -8
        if not loud.any() or np.max(np.abs(got[loud] - want[loud])) > 0.02:
            failures.append(f"{name}.npy: log-mel differs from NumPy's by {np.max(np.abs(got[loud] - want[loud]))}")
        top = int(np.argmax(got[len(got) // 2]))
        lo, hi = slaney_hz(np.linspace(0, slaney_mel(8000), 82))[[top, top + 2]]
        if not lo <= 440 <= hi:
            failures.append(f"{name}.npy: strongest band {top} ({lo:.0f}-{hi:.0f} Hz) misses 440 Hz")

if failures:
    print("\n".join(failures))
    print(p.stderr[-1500:])
    sys.exit(1)
print("decode_audio and trim_silence: durations within a window, every broken clip quarantined")
