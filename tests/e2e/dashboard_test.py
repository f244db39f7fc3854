#!/usr/bin/python3
"""The dashboard against a real 3-node cluster with tasks running, in a real browser.

Usage: dashboard_test.py STRATA_CLI CLUSTER_DRIVER WORKDIR

Starts a head (dashboard on a free port) and two nodes with `strata start`,
runs a driver whose tasks keep every CPU busy (and 40 that throw), then: the
JSON API (three nodes alive, CPUs busy, the driver listed, nodes a page at a
time, tasks per function with the failures' errors), /metrics parsed line by
line (the scheduling-latency histogram counts every task), a `strata run`
pipeline's step rows on the pipelines page and in /metrics, a Dataset run
whose driver is killed mid-run shown LOST, another node's logs
through the head, `strata timeline`
(every task once, on the nodes that ran it), and headless Chromium loading
each page (the DOM shows
3 nodes, busy CPUs > 0, the job, the log list) and a screenshot of the
cluster page whose chart has the busy area drawn (its pixels are counted).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

CLI, DRIVER, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
env = dict(os.environ, STRATA_TMPDIR=WORK, STRATA_NODE_VENDOR="none")
failures = []


def run(*args):
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=60)


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def chromium(*args):
    profile = tempfile.mkdtemp(dir=WORK)
    return subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", "--window-size=1200,900", "--virtual-time-budget=5000",
                           *args], capture_output=True, text=True, timeout=90)


def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), (depth, color)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


run("stop")
head = run("start", "--head", "--port", "0", "--num-cpus", "1", "--dashboard-port", "0")
m = re.search(r"dashboard: (http://\S+)", head.stdout)
if head.returncode != 0 or not m:
    sys.exit("head did not start with a dashboard: " + head.stdout + head.stderr)
url = m.group(1)
address = json.load(open(f"{WORK}/cluster.json"))["address"]
driver = None
try:
    for _ in range(2):
        node = run("start", "--address", address, "--num-cpus", "1")
        if node.returncode != 0:
            sys.exit("node did not start: " + node.stderr)
    driver = subprocess.Popen([DRIVER, "spreadfail", "400", "100"], env=dict(env, STRATA_ADDRESS=address),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cluster = {}
    for _ in range(200):  # until three nodes are alive and tasks run
        cluster = json.loads(get(url + "api/cluster"))
        if cluster["nodes_by_state"].get("ALIVE") == 3 and cluster["cpus_busy"] > 0 and cluster["jobs"] >= 1:
            break
        time.sleep(0.05)
    else:
        sys.exit(f"never saw 3 nodes with busy CPUs and a job: {cluster}")
    if cluster["cpus_total"] != 3:
        failures.append(f"cpus_total {cluster['cpus_total']}, want 3")
    page = json.loads(get(url + "api/nodes?offset=2&limit=2"))
    if page["total"] != 3 or len(page["nodes"]) != 1:
        failures.append(f"/api/nodes page: {page}")
    ids = {n["node_id"] for n in json.loads(get(url + "api/status"))["nodes"]}
    if len(ids) != 3 or ids != {n["node_id"] for n in json.loads(run("status", "--json").stdout)["nodes"]}:
        failures.append("/api/status does not list the nodes `strata status --json` lists")
    jobs = json.loads(get(url + "api/jobs"))
    if not any(d["state"] == "RUNNING" and "cluster_driver" in d["executable"] for d in jobs["drivers"]):
        failures.append(f"/api/jobs: {jobs['drivers']}")
    logs = json.loads(get(url + "api/logs"))
    if "logs/head.log" not in [f["name"] for f in logs["files"]]:
        failures.append(f"/api/logs: {logs}")
    tail = json.loads(get(url + "api/logs?name=logs/head.log&q=DASHBOARD+AT"))
    if "dashboard at" not in tail["text"]:
        failures.append(f"log search: {tail}")

    # Another node's logs, asked of its agent: its node.log, not the head's.
    other = [n for n in json.loads(get(url + "api/nodes"))["nodes"] if n["index"] != 0][0]
    node_logs = json.loads(get(url + f"api/logs?node={other['node_id']}"))
    names = [f["name"] for f in node_logs.get("files", [])]
    if "logs/node.log" not in names or "logs/head.log" in names:
        failures.append(f"/api/logs?node= of another node: {node_logs}")
    else:
        t = json.loads(get(url + f"api/logs?node={other['node_id']}&name=logs/node.log&q=JOINED"))
        if "joined" not in t["text"].lower() or "dashboard at" in t["text"]:
            failures.append(f"another node's node.log tail: {t}")
    try:
        get(url + f"api/logs?node={other['node_id']}&name=logs/../../etc/passwd")
        failures.append("another node served a path out of its session")
    except urllib.error.HTTPError as e:
        if e.code != 404:
            failures.append(f"a path out of another node's session: HTTP {e.code}, want 404")

    # /metrics: every line a comment or a sample; the nodes and busy CPUs there.
    def metrics():
        samples = {}
        for line in get(url + "metrics").splitlines():
            if line.startswith("# HELP ") or re.match(r"# TYPE [a-z_]+ (gauge|counter|histogram)$", line):
                continue
            mm = re.match(r'^([a-z_]+)(\{[^}]*\})? (\S+)$', line)
            if not mm:
                failures.append("metrics line does not parse: " + line)
                continue
            samples[mm.group(1) + (mm.group(2) or "")] = float(mm.group(3))
        return samples

    samples = metrics()
    alive = sum(v for k, v in samples.items() if k.startswith('strata_nodes{state="ALIVE"'))
    cpu_total = samples.get('strata_resources_total{resource="CPU"}')
    if alive != 3 or cpu_total != 3:
        failures.append(f"metrics: {alive} alive nodes, CPU total {cpu_total}")

    # Each page in a real browser.
    def dom(page_name):
        r = chromium("--dump-dom", f"{url}?once#{page_name}")
        return r.stdout

    cluster_dom = dom("cluster")
    value = lambda html, id_: (re.search(rf'id="{id_}">([^<]*)<', html) or [None, ""])[1]
    if value(cluster_dom, "node-count") != "3":
        failures.append(f"cluster page: node-count {value(cluster_dom, 'node-count')!r}")
    busy = value(cluster_dom, "cpus-busy")
    if not re.match(r"^[0-9.]+$", busy) or float(busy) <= 0:
        failures.append(f"cluster page: cpus-busy {busy!r}")
    if not value(cluster_dom, "job-count").isdigit() or int(value(cluster_dom, "job-count")) < 1:
        failures.append(f"cluster page: job-count {value(cluster_dom, 'job-count')!r}")
    if cluster_dom.count("<tr><td title=") != 3:
        failures.append("cluster page: the node table does not have 3 rows")
    arch = os.uname().machine.replace("aarch64", "arm64")
    if cluster_dom.count(f'<span class="badge">{arch}</span>') != 3:
        failures.append(f"cluster page: not every node shows its {arch} badge")
    if "cluster_driver" not in dom("jobs"):
        failures.append("jobs page: the driver is not listed")
    tasks_dom = dom("tasks")
    if not value(tasks_dom, "t-finished").isdigit():
        failures.append(f"tasks page: finished {value(tasks_dom, 't-finished')!r}")
    if "logs/head.log" not in dom("logs"):
        failures.append("logs page: head.log not offered")
    if "autoscaler-off" not in dom("autoscaler"):
        failures.append("autoscaler page did not render")

    # Once the driver is done: every task counted once, where it ran.
    driver.wait(timeout=120)
    tasks = {}
    for _ in range(40):  # the nodes' next reports carry the last counts
        tasks = json.loads(get(url + "api/tasks"))
        by = {f["function"]: f for f in tasks["by_function"]}
        if by.get("NodeOf", {}).get("finished") == 400 and by.get("Boom", {}).get("failed") == 40:
            break
        time.sleep(0.25)
    else:
        failures.append(f"/api/tasks by function: {tasks.get('by_function')}")
    # Each task counted once over the cluster, where it ran (a forwarded
    # task used to count again on the node that sent it).
    if tasks.get("finished") != 440:
        failures.append(f"/api/tasks finished {tasks.get('finished')}, want 440 (400 + 40, each once)")
    if not any("boom" in f["error"] and f["function"] == "Boom" for f in tasks.get("failures", [])):
        failures.append(f"/api/tasks failures: {tasks.get('failures')}")
    if "on purpose" not in dom("tasks"):
        failures.append("tasks page: no failure text")
    # Every task went to a worker once: the scheduling-latency histogram
    # counts them all (summed over the nodes' next reports).
    for _ in range(40):
        samples = metrics()
        if samples.get("strata_scheduling_latency_seconds_count", 0) >= 440:
            break
        time.sleep(0.25)
    count = samples.get("strata_scheduling_latency_seconds_count", 0)
    if count < 440 or samples.get('strata_scheduling_latency_seconds_bucket{le="+Inf"}') != count:
        failures.append(f"metrics: scheduling latency histogram counts {count} tasks, want >= 440")

    # A pipeline run on the cluster: its steps' rows on the pipelines page
    # and in /metrics, as `strata run` printed them.
    with open(f"{WORK}/trips.csv", "w") as f:
        f.write("city,amount\n")
        for i in range(3000):
            f.write(f"{['Seoul', 'Busan', 'Daegu'][i % 3]},{i % 100}\n")
    with open(f"{WORK}/trips.yaml", "w") as f:
        f.write(f"read: {{format: csv, paths: [{WORK}/trips.csv]}}\n"
                "steps:\n  - filter: \"amount >= 25\"\n"
                "  - groupby: {by: [city], agg: {n: \"count()\"}}\n"
                f"write: {{format: jsonl, path: {WORK}/trips_out}}\n")
    pr = run("run", f"{WORK}/trips.yaml", "--address", address)
    if pr.returncode != 0:
        failures.append("strata run: " + pr.stdout + pr.stderr)
    for _ in range(40):  # the dashboard's snapshot is the head's status of the last heartbeat
        pipes = json.loads(get(url + "api/pipelines"))["pipelines"]
        mine = [p for p in pipes if p["name"].endswith("trips.yaml")]
        if mine and mine[0]["state"] != "RUNNING":
            break
        time.sleep(0.25)
    if len(mine) != 1 or mine[0]["state"] != "SUCCEEDED":
        failures.append(f"/api/pipelines: {pipes}")
    else:
        steps = {s["op"]: s for s in mine[0]["steps"]}
        f_ = steps.get("filter", {})
        if (f_.get("rows_in"), f_.get("rows_out"), f_.get("rows_dropped")) != (3000, 2250, 750) or \
                steps.get("groupby", {}).get("rows_out") != 3:
            failures.append(f"/api/pipelines steps: {mine[0]['steps']}")
        if mine[0]["rows_read"] != 3000 or mine[0]["rows_written"] != 3 or not mine[0]["stages"]:
            failures.append(f"/api/pipelines run: {mine[0]}")
        samples = metrics()
        outs = [v for k, v in samples.items()
                if k.startswith("strata_pipeline_step_rows_out_total{") and 'op="filter"' in k and "trips.yaml" in k]
        if outs != [2250]:
            failures.append(f"metrics: pipeline filter rows out {outs}")
    # A driver killed mid-run: its run is LOST, with why.
    stall = subprocess.Popen([DRIVER, "pipelinestall", "0", "0"], env=dict(env, STRATA_ADDRESS=address),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = None
    for _ in range(120):
        seen = [p for p in json.loads(get(url + "api/pipelines"))["pipelines"] if p["name"] == "Dataset"]
        if seen and seen[0]["state"] == "RUNNING":
            break
        time.sleep(0.1)
    else:
        failures.append(f"the stalled Dataset run never showed as RUNNING: {seen}")
    stall.kill()
    stall.wait()
    for _ in range(60):
        seen = [p for p in json.loads(get(url + "api/pipelines"))["pipelines"] if p["name"] == "Dataset"]
        if seen and seen[0]["state"] == "LOST":
            break
        time.sleep(0.1)
    if not seen or seen[0]["state"] != "LOST" or "driver left" not in seen[0]["error"]:
        failures.append(f"a killed driver's run: {seen}")

    pipes_dom = dom("pipelines")
    if "trips.yaml" not in pipes_dom or "2,250" not in pipes_dom or "SUCCEEDED" not in pipes_dom:
        failures.append("pipelines page: the run, its state or the filter's 2,250 rows out are missing")

    trace_path = f"{WORK}/trace.json"
    tl = run("timeline", "-o", trace_path)
    if tl.returncode != 0:
        failures.append("strata timeline: " + tl.stderr)
    else:
        trace = json.load(open(trace_path))["traceEvents"]
        slices = [e for e in trace if e["ph"] == "X"]
        node_of = [e for e in slices if e["name"] == "NodeOf"]
        booms = [e for e in slices if e["name"] == "Boom"]
        names = [e for e in trace if e["ph"] == "M" and e["name"] == "process_name"]
        if len(node_of) != 400 or len(booms) != 40 or not all(e["cat"] == "task,failed" for e in booms):
            failures.append(f"timeline: {len(node_of)} NodeOf, {len(booms)} Boom slices")
        if len(names) != 3 or len({e["pid"] for e in node_of}) < 2:
            failures.append(f"timeline: {len(names)} nodes, NodeOf on {len({e['pid'] for e in node_of})}")
        if any(e["dur"] < 90000 for e in node_of):
            failures.append("timeline: a NodeOf slice shorter than its 100 ms sleep")

    # The screenshot: the chart's busy area (rgba(76,154,255,0.45) on white).
    shot = f"{WORK}/dashboard.png"
    chromium(f"--screenshot={shot}", f"{url}?once#cluster")
    w, h, bpp, rows = png_pixels(shot)
    area = sum(1 for row in rows for i in range(0, len(row), bpp)
               if abs(row[i] - 172) < 24 and abs(row[i + 1] - 203) < 24 and row[i + 2] > 230)
    if area < 50:
        failures.append(f"screenshot {shot}: the chart shows no busy area ({area} pixels)")
finally:
    if driver:
        driver.kill()
        driver.wait()
    run("stop")
    subprocess.run(["pkill", "-f", f"strata start --address {address}"], check=False)

# With no cluster running, `strata run --dashboard 0` serves one from its
# embedded cluster while it runs.
emb = run("run", f"{WORK}/trips.yaml", "--dashboard", "0", "--no-progress")
if emb.returncode != 0 or not re.search(r"dashboard at http://127\.0\.0\.1:[0-9]+/", emb.stderr):
    failures.append("strata run --dashboard on the embedded cluster: " + emb.stdout + emb.stderr)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"dashboard: 3 nodes, {cluster['cpus_busy']} CPUs busy, every page rendered in Chromium, chart drawn")
