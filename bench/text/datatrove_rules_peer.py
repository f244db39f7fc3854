#!/usr/bin/python3
"""The peer for bench/text/run_text.sh: datatrove's default quality chain
(GopherRepetition, GopherQuality, C4Quality, FineWebQuality) as datatrove
runs it, on one core, in Python with NLTK's word tokenizer — the cost
datatrove's users pay. datatrove itself is not installable here (no PyPI);
these are its rules, written for this benchmark from datatrove's
documented behaviour, with Debian's python3-nltk. NLTK's English Punkt model
is not packaged either: an untrained PunktSentenceTokenizer stands in (the
same algorithm, no learned abbreviations).

Usage: datatrove_rules_peer.py CORPUS.jsonl MAX_MB [minhash]  ->  prints "MB seconds kept"
With `minhash`: datatrove's MinHash signatures instead (simplify_text, word
5-grams, xxhash64, 112 permutations with numpy) — "kept" is then the number
of documents with a signature.
"""
import json
import re
import sys
import time
from collections import Counter

from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer

_words = NLTKWordTokenizer()
_sents = PunktSentenceTokenizer()
PUNCT = set("!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»") | {
    chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b)}
STOP = {"the", "be", "to", "of", "and", "that", "have", "with"}


def words(text):
    return [w for s in _sents.tokenize(text) for w in _words.tokenize(s) if w.strip()]


def dups(items):
    seen, n, chars = set(), 0, 0
    for x in items:
        if x in seen:
            n, chars = n + 1, chars + len(x)
        else:
            seen.add(x)
    return n, chars


def gopher_repetition(text):
    if not text:
        return False
    paras = re.split(r"\n{2,}", text.strip())
    n, c = dups(paras)
    if n / len(paras) > 0.3 or c / len(text) > 0.2:
        return False
    lines = re.split("\n+", text)
    n, c = dups(lines)
    if n / len(lines) > 0.3 or c / len(text) > 0.2:
        return False
    w = words(text)
    for n, frac in ((2, 0.2), (3, 0.18), (4, 0.16)):
        grams = [" ".join(w[i:i + n]) for i in range(len(w) - n + 1)]
        if grams:
            g, count = Counter(grams).most_common(1)[0]
            if len(g) * count / len(text) > frac:
                return False
    for n, frac in ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)):
        seen, rep, i = set(), 0, 0
        while i < len(w) - n + 1:
            g = "".join(w[i:i + n])
            if g in seen:
                rep, i = rep + len(g), i + n
            else:
                seen.add(g)
                i += 1
        if rep / len(text) > frac:
            return False
    return True


def gopher_quality(text):
    w = words(text)
    if not w:
        return False
    ns = [x for x in w if any(ch not in PUNCT for ch in x)]
    if len(ns) < 50 or len(ns) > 100000:
        return False
    avg = sum(len(x) for x in ns) / len(ns)
    if avg < 3 or avg > 10:
        return False
    if text.count("#") / len(w) > 0.1 or (text.count("...") + text.count("…")) / len(w) > 0.1:
        return False
    lines = text.splitlines()
    if sum(l.lstrip().startswith(("•", "-")) for l in lines) / len(lines) > 0.9:
        return False
    if sum(l.rstrip().endswith(("...", "…")) for l in lines) / len(lines) > 0.3:
        return False
    if sum(any(c.isalpha() for c in x) for x in w) / len(w) < 0.8:
        return False
    return sum(x in STOP for x in w) >= 2


CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")


def c4_quality(text):
    sentences, kept = 0, []
    for line in text.splitlines():
        line = line.strip()
        ws = line.split()
        if any(len(x) > 1000 for x in ws):
            continue
        line = CITATION.sub("", line)
        if not line.endswith((".", "?", "!", '"', "'")) or line.endswith("..."):
            continue
        if len(ws) < 3:
            continue
        low = line.lower()
        if "lorem ipsum" in low or "{" in line:
            return None
        if "javascript" in low or any(p in low for p in POLICY):
            continue
        sentences += len(_sents.tokenize(line))
        kept.append(line)
    return "\n".join(kept).strip() if sentences >= 5 else None


def fineweb_quality(text):
    if not text:
        return False
    lines = text.split("\n")
    if sum(l.endswith((".", "'", '"', "!", "?")) for l in lines) / len(lines) <= 0.12:
        return False
    if sum(len(l) <= 30 for l in lines) / len(lines) >= 0.67:
        return False
    non_empty = [l for l in lines if l.strip()]
    if dups(non_empty)[1] / max(1, len(text.replace("\n", ""))) >= 0.01:
        return False
    return text.count("\n") / max(1, len(words(text))) <= 0.3


PUNCT_TABLE = str.maketrans("", "", "".join(PUNCT))


def simplify(text):
    import unicodedata
    text = re.sub(r"\s+", " ", text.lower().strip()).translate(PUNCT_TABLE)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.sub(r"\d+", "0", text).strip()


def minhash_all(docs):
    import numpy as np
    import xxhash
    prime = np.uint64((1 << 61) - 1)
    gen = np.random.RandomState(1)
    a = gen.randint(1, prime, dtype=np.uint64, size=(1, 112))
    b = gen.randint(0, prime, dtype=np.uint64, size=(1, 112))
    signed = 0
    for text in docs:
        w = words(simplify(text))
        sh = np.fromiter([xxhash.xxh64_intdigest(" ".join(w[i:i + 5])) for i in range(len(w) - 4)],
                         dtype=np.uint64).reshape((-1, 1))
        if sh.size:
            np.min((sh * a + b) % prime, axis=0)
            signed += 1
    return signed


def main():
    path, max_mb = sys.argv[1], float(sys.argv[2])
    docs, size = [], 0
    with open(path) as f:
        for line in f:
            docs.append(json.loads(line)["text"])
            size += len(line)
            if size >= max_mb * 1e6:
                break
    t0, kept = time.time(), 0
    if len(sys.argv) > 3 and sys.argv[3] == "minhash":
        kept = minhash_all(docs)
        print(f"{size / 1e6:.2f} {time.time() - t0:.2f} {kept}")
        return
    for text in docs:
        if not gopher_repetition(text) or not gopher_quality(text):
            continue
        text = c4_quality(text)
        if text is not None and fineweb_quality(text):
            kept += 1
    print(f"{size / 1e6:.2f} {time.time() - t0:.2f} {kept}")


main()
