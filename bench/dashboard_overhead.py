#!/usr/bin/python3
"""The cost of observing: the core benchmark's async task rate (core_bench
--tasks-async, best of 5 x 100k no-op tasks) on a head started with
--no-dashboard, on one whose /metrics, /api/cluster and /api/history are
scraped every second, and on one that is also open in headless Chromium
(polling every second) — ROUNDS rounds (default 5) of the three, in an order
that rotates each round. This VM's speed drifts by tens of percent over a
minute, so each round's observed rates are divided by the same round's rate
without, and the median of those paired ratios is the result (medians of the
rates are reported too). Also the CPU seconds the head, the scraper and the
browser used during the measurement, since on this 2-core machine they share
the cores with the tasks. Writes BUILD/bench/dashboard.json.

Usage: dashboard_overhead.py BUILD
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
CLI = f"{BUILD}/src/cli/strata"
ROUNDS = int(os.environ.get("ROUNDS", "5"))
TMP = tempfile.mkdtemp()
env = dict(os.environ, STRATA_TMPDIR=TMP)
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / TICK
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


def tree(root):
    """root and its descendants."""
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in open(f"/proc/{p}/task/{p}/children").read().split()]
        except FileNotFoundError:
            pass
    return out


def start_head(*flags):
    r = subprocess.run([CLI, "start", "--head", "--port", "0", *flags], env=env, capture_output=True, text=True,
                       check=True)
    m = re.search(r"dashboard: (http://\S+)", r.stdout)
    pid = json.load(open(f"{TMP}/cluster.json"))["pid"]
    return pid, m.group(1) if m else None


def rate():
    out = subprocess.run([f"{BUILD}/bench/core_bench", "--tasks-async"], env=env, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)["tasks_async_per_s"]


SCRAPER = """
import sys, time, urllib.request
while True:
    for path in ("metrics", "api/history?since_ms=0", "api/cluster"):
        urllib.request.urlopen(sys.argv[1] + path, timeout=5).read()
    time.sleep(1)
"""

results = {"off": [], "scraped": [], "browser": []}
cpu = {"head_scraped": [], "scraper": [], "head_browser": [], "browser": []}
modes = list(results)
for round_no in range(ROUNDS):
    for mode in modes[round_no % 3:] + modes[:round_no % 3]:
        head, url = start_head("--no-dashboard") if mode == "off" else start_head("--dashboard-port", "0")
        helpers = []
        if mode != "off":
            helpers.append(subprocess.Popen([sys.executable, "-c", SCRAPER, url]))
        if mode == "browser":
            helpers.append(subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                             f"--user-data-dir={TMP}/chromium", "--remote-debugging-port=0",
                                             url + "#cluster"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(2)  # the page loaded, the first scrapes done
        watched = {"head": [head]} | ({"scraper": tree(helpers[0].pid)} if helpers else {}) | \
                  ({"browser": tree(helpers[1].pid)} if len(helpers) > 1 else {})
        before = {k: cpu_seconds(v) for k, v in watched.items()}
        t = time.time()
        results[mode].append(rate())
        seconds = time.time() - t
        used = {k: (cpu_seconds(v) - before[k]) / seconds for k, v in watched.items()}  # cores busy
        if mode == "scraped":
            cpu["head_scraped"].append(used["head"])
            cpu["scraper"].append(used["scraper"])
        elif mode == "browser":
            cpu["head_browser"].append(used["head"])
            cpu["browser"].append(used["browser"])
        for h in helpers:
            h.send_signal(signal.SIGTERM)
            h.wait()
        subprocess.run([CLI, "stop"], env=env, capture_output=True)

med = {k: statistics.median(v) for k, v in results.items()}
paired = {m: statistics.median(a / b for a, b in zip(results[m], results["off"])) for m in ("scraped", "browser")}
out = {"tasks_async_per_s": med, "runs": results,
       "scraped_over_off": paired["scraped"], "browser_over_off": paired["browser"],
       "cores_used_during_run": {k: statistics.median(v) for k, v in cpu.items()}}
os.makedirs(f"{BUILD}/bench", exist_ok=True)
json.dump(out, open(f"{BUILD}/bench/dashboard.json", "w"), indent=1)
c = out["cores_used_during_run"]
print(f"async tasks/s (medians of {ROUNDS} rounds): {med['off']:,.0f} without the dashboard, "
      f"{med['scraped']:,.0f} scraped every second, {med['browser']:,.0f} also open in Chromium")
print(f"paired by round: scraped {100 * (out['scraped_over_off'] - 1):+.1f}%, "
      f"with the browser {100 * (out['browser_over_off'] - 1):+.1f}% (target: within 5%)")
print(f"cores used while tasks ran: head {c['head_scraped']:.2f} (scraped) / {c['head_browser']:.2f} (browser), "
      f"scraper {c['scraper']:.3f}, browser {c['browser']:.3f} (of 2)")
