#!/usr/bin/python3
"""Makes a small Common Voice release in its exact layout, for the example:
cv-corpus-example/<locale>/{validated,train,dev,test,other,invalidated}.tsv
(v17 columns) and clips/*.mp3 — sentences spoken by Debian's espeak-ng,
padded with silence, encoded by lame at 48 kHz and 32 kHz, mono and stereo —
plus a few broken clips (empty, cut short, not audio) and rows whose clip is
missing. Usage: make_release.py OUT_DIR [CLIPS]"""
import os
import random
import struct
import subprocess
import sys
import wave

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 60
random.seed(7)
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "She sells sea shells by the sea shore!",
    "\"Where are you going, he asked",
    "It's a beautiful day in the neighbourhood.",
    "Numbers like forty two are spoken out loud.",
    "Please call Stella and ask her to bring these things.",
    "Don't count your chickens before they hatch.",
    "A journey of a thousand miles begins with a single step.",
]
locale = "en"
release = os.path.join(out, "cv-corpus-example", locale)
clips = os.path.join(release, "clips")
os.makedirs(clips, exist_ok=True)
header = ["client_id", "path", "sentence_id", "sentence", "sentence_domain", "up_votes", "down_votes", "age",
          "gender", "accents", "variant", "locale", "segment"]
rows = []
for i in range(count):
    name = f"common_voice_{locale}_{1000 + i}.mp3"
    sentence = SENTENCES[i % len(SENTENCES)]
    up, down = random.choice([(2, 0), (3, 1), (1, 2), (4, 0)])
    rows.append([f"speaker{i % 7}", name, f"s{i}", sentence, "", str(up), str(down),
                 random.choice(["", "twenties", "thirties"]), random.choice(["", "male_masculine", "female_feminine"]),
                 "", "", locale, ""])
    wav = os.path.join(out, "speech.wav")
    subprocess.run(["espeak-ng", "-v", "en", "-s", str(140 + 10 * (i % 5)), "-w", wav, sentence], check=True)
    with wave.open(wav) as w:
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
    # Silence around the speech (0.2 to 1 s each side); every third clip stereo.
    pad = lambda s: b"\0\0" * int(rate * s)
    mono = pad(random.uniform(0.2, 1.0)) + frames + pad(random.uniform(0.2, 1.0))
    stereo = i % 3 == 0
    if stereo:
        samples = struct.unpack(f"<{len(mono) // 2}h", mono)
        mono = struct.pack(f"<{2 * len(samples)}h", *[s for v in samples for s in (v, v // 2)])
    with wave.open(wav, "wb") as w:
        w.setnchannels(2 if stereo else 1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(mono)
    resample = "48" if i % 2 == 0 else "32"
    subprocess.run(["lame", "--quiet", "--resample", resample, "-b", "64", wav, os.path.join(clips, name)], check=True)
    os.remove(wav)
# Broken clips: empty, cut short, not audio; and a row whose clip is missing.
open(os.path.join(clips, rows[1][1]), "wb").close()
with open(os.path.join(clips, rows[2][1]), "rb") as f:
    data = f.read()
with open(os.path.join(clips, rows[2][1]), "wb") as f:
    f.write(data[: len(data) // 3])
with open(os.path.join(clips, rows[3][1]), "wb") as f:
    f.write(bytes(random.randrange(256) for _ in range(4000)))
os.remove(os.path.join(clips, rows[4][1]))
n = len(rows)
splits = {"validated": rows, "train": rows[: n * 8 // 10], "dev": rows[n * 8 // 10: n * 9 // 10],
          "test": rows[n * 9 // 10:], "other": [], "invalidated": []}
for split, part in splits.items():
    with open(os.path.join(release, f"{split}.tsv"), "w") as f:
        f.write("\t".join(header) + "\n")
        for r in part:
            f.write("\t".join(r) + "\n")
with open(os.path.join(release, "clip_durations.tsv"), "w") as f:
    f.write("clip\tduration[ms]\n")
print(release)
