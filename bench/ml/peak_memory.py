#!/usr/bin/python3
"""Runs a command and measures its wall time and the peak memory of its
whole process tree (the sum of every descendant's proportional set size,
sampled every 0.1 s: shared memory is counted once, split among the
processes that map it) plus every Strata object file in /dev/shm (objects
sit there unmapped between tasks; a mapped one is counted twice, so the
figure errs high).
Usage: peak_memory.py OUT_FILE CMD [ARGS...]; OUT_FILE gets "seconds peak_mb"."""
import os
import subprocess
import sys
import time


def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def shm_kb():
    total = 0
    for entry in os.listdir("/dev/shm"):
        if entry.startswith("strata_"):
            try:
                total += os.stat(f"/dev/shm/{entry}").st_blocks * 512 // 1024
            except OSError:
                pass
    return total


start = time.time()
proc = subprocess.Popen(sys.argv[2:])
peak = 0
while proc.poll() is None:
    peak = max(peak, sum(pss_kb(p) for p in descendants(proc.pid)) + shm_kb())
    time.sleep(0.1)
elapsed = time.time() - start
with open(sys.argv[1], "w") as f:
    f.write(f"{elapsed:.2f} {peak // 1024}\n")
sys.exit(proc.returncode)
