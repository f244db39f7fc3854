// The dashboard page: polls the JSON API (/api/...) once a second for the
// page on screen and draws it. No framework and no network beyond this head.
"use strict";

const $ = (id) => document.getElementById(id);
let page = "cluster";
let nodeOffset = 0;
const NODES_PER_PAGE = 100;
// The chart's points: fetched once, then only the new ones each second.
const chart = { time_ms: [], cpus_total: [], cpus_busy: [] };

async function updateHistory() {
  const since = chart.time_ms.length ? chart.time_ms[chart.time_ms.length - 1] : Date.now() - 3600 * 1000;
  const h = await api(`/api/history?step_ms=1000&since_ms=${since}`);
  for (const k of Object.keys(chart)) chart[k].push(...h[k]);
  const drop = chart.time_ms.findIndex((t) => t >= Date.now() - 3600 * 1000);
  if (drop > 0) for (const k of Object.keys(chart)) chart[k].splice(0, drop);
}

function fmtBytes(b) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return b.toFixed(i ? 1 : 0) + " " + u[i];
}
function fmtNum(v) { return Number.isInteger(v) ? String(v) : v.toFixed(1); }
function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }
function rows(tbody, list) { $(tbody).querySelector("tbody").innerHTML = list.join(""); }
async function api(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

function drawChart(h) {
  const c = $("cpu-chart"), g = c.getContext("2d");
  const W = c.width, H = c.height, L = 48, B = 22, T = 10, R = 10;
  g.clearRect(0, 0, W, H);
  const t = h.time_ms, total = h.cpus_total, busy = h.cpus_busy;
  // The last hour, or since the first sample when the head is younger
  // (at least a minute), so a new cluster's chart is not a sliver.
  const now = Math.max(Date.now(), t.length ? t[t.length - 1] : 0);
  const t0 = Math.max(now - 3600 * 1000, Math.min(t.length ? t[0] : now, now - 60 * 1000));
  const ymax = Math.max(1, ...total);
  const x = (ms) => L + (W - L - R) * (ms - t0) / (now - t0);
  const y = (v) => H - B - (H - B - T) * v / ymax;
  g.strokeStyle = "#e5e7eb"; g.fillStyle = "#667"; g.font = "11px sans-serif";
  for (let k = 0; k <= 4; k++) {
    const v = ymax * k / 4;
    g.beginPath(); g.moveTo(L, y(v)); g.lineTo(W - R, y(v)); g.stroke();
    g.fillText(fmtNum(v), 4, y(v) + 4);
  }
  for (let k = 0; k <= 6; k++) {
    const ago = (now - t0) * (6 - k) / 6 / 1000;
    const label = k === 6 ? "now" : ago >= 120 ? "-" + Math.round(ago / 60) + " min" : "-" + Math.round(ago) + " s";
    g.fillText(label, x(t0 + (now - t0) * k / 6) - 14, H - 6);
  }
  if (!t.length) return;
  g.beginPath(); g.moveTo(x(t[0]), y(0));
  t.forEach((ms, i) => g.lineTo(x(ms), y(busy[i])));
  g.lineTo(x(t[t.length - 1]), y(0)); g.closePath();
  g.fillStyle = "rgba(76,154,255,0.45)"; g.fill();
  g.beginPath(); t.forEach((ms, i) => (i ? g.lineTo(x(ms), y(total[i])) : g.moveTo(x(ms), y(total[i]))));
  g.strokeStyle = "#1d2330"; g.lineWidth = 2; g.stroke(); g.lineWidth = 1;
  g.fillStyle = "#1d2330"; g.fillText("total", W - R - 60, T + 10);
  g.fillStyle = "#4c9aff"; g.fillText("busy", W - R - 28, T + 10);
}

async function showCluster() {
  const [s, , n] = await Promise.all([
    api("/api/cluster"), updateHistory(),
    api(`/api/nodes?offset=${nodeOffset}&limit=${NODES_PER_PAGE}&state=${encodeURIComponent($("nodes-state").value)}`)]);
  $("node-count").textContent = (s.nodes_by_state.ALIVE || 0);
  $("node-kinds").textContent = Object.entries(s.nodes_by_type).map(([t, st]) => `${st.ALIVE || 0} ${t}`).join(", ") +
    " · " + Object.entries(s.alive_by_arch).map(([a, c]) => `${c} ${a}`).join(", ");
  $("cpus-busy").textContent = fmtNum(s.cpus_busy);
  $("cpus-total").textContent = fmtNum(s.cpus_total);
  $("cpus-pct").textContent = s.cpus_total ? Math.round(100 * s.cpus_busy / s.cpus_total) + "% busy" : "";
  $("store-used").textContent = fmtBytes(s.store_used_bytes);
  $("store-sub").textContent = "of " + fmtBytes(s.store_capacity_bytes) + ", " + fmtBytes(s.store_spilled_bytes) + " spilled";
  $("tasks-pending").textContent = s.tasks_pending;
  $("tasks-infeasible").textContent = s.tasks_infeasible ? s.tasks_infeasible + " infeasible" : "";
  $("cost").textContent = "$" + s.cost_per_hour.toFixed(2);
  $("job-count").textContent = s.jobs;
  drawChart(chart);
  $("nodes-range").textContent = n.total ? `${n.offset + 1}–${n.offset + n.nodes.length} of ${n.total}` : "none";
  rows("nodes-table", n.nodes.map((d) => {
    const tot = d.resources_total.CPU || 0, used = d.resources_used.CPU || 0;
    // Badges: what the node detected of its machine (intel, avx512, ...) and custom resources.
    const badges = Object.keys(d.resources_total).filter((k) => !["CPU", "GPU", "memory", "object_store_memory"].includes(k));
    return `<tr><td title="${esc(d.node_id)}">${esc(d.node_id.slice(0, 12))}</td><td>${esc(d.node_type)}</td><td>${esc(d.arch)}</td>` +
      `<td>${badges.map((b) => `<span class="badge">${esc(b)}</span>`).join(" ")}</td>` +
      `<td class="state-${esc(d.state)}">${esc(d.state)}</td><td>${esc(d.address)}</td>` +
      `<td><span class="bar" style="width:${tot ? Math.round(60 * used / tot) : 0}px"></span>${fmtNum(used)}/${fmtNum(tot)}</td>` +
      `<td>${fmtBytes(d.resources_total.memory || 0)}</td>` +
      `<td>${fmtBytes(d.object_store.used_bytes)} / ${fmtBytes(d.object_store.capacity_bytes)}</td>` +
      `<td>${d.workers.busy}/${d.workers.total}</td><td>${d.tasks_finished}</td></tr>`;
  }));
}

async function showAutoscaler() {
  const a = await api("/api/autoscaler");
  $("autoscaler-off").style.display = a.report ? "none" : "block";
  const types = a.report ? Object.entries(a.report.node_types) : [];
  rows("types-table", types.map(([name, t]) => `<tr><td>${esc(name)}</td><td>${t.running}</td><td>${t.launching}</td>` +
    `<td>${t.idle}</td><td>${t.min_workers}–${t.max_workers}</td><td>${t.price_per_hour.toFixed(3)}</td><td>${esc(t.paused || "")}</td></tr>`));
  $("autoscaler-plan").textContent = a.report ? `cost now $${a.report.cost_per_hour.toFixed(2)}/hour · ${a.report.plan}` : "";
  const shape = (s) => Object.entries(s).map(([k, v]) => `${k}: ${fmtNum(v)}`).join(", ");
  rows("demand-table", a.pending_demands.map((d) => `<tr><td>pending</td><td>${esc(shape(d.shape))}</td><td>${d.count}</td></tr>`)
    .concat(a.infeasible_demands.map((d) => `<tr><td>infeasible</td><td>${esc(shape(d.shape))}</td><td>${d.count}</td></tr>`)));
  rows("events-table", a.events.map((e) => `<tr><td>${new Date(e.time * 1000).toLocaleTimeString()}</td><td>${esc(e.action)}</td></tr>`));
}

async function showJobs() {
  const j = await api("/api/jobs?tail=20");
  const now = Date.now();
  rows("jobs-table", j.drivers.map((d) => {
    const end = d.end_time_ms || now;
    return `<tr><td>${esc(d.job_id)}</td><td>${esc(d.state)}</td><td>${esc(d.executable)}</td><td>${d.driver_pid}</td>` +
      `<td>${new Date(d.start_time_ms).toLocaleTimeString()}</td><td>${((end - d.start_time_ms) / 1000).toFixed(1)} s</td></tr>`;
  }));
  $("submitted").innerHTML = j.submitted.length ? j.submitted.map((s) =>
    `<h3>${esc(s.job_id)}</h3><pre>${esc(s.output_tail || "(no output yet)")}</pre>`).join("") : '<p class="muted">none</p>';
}

async function showTasks() {
  const t = await api("/api/tasks");
  $("t-running").textContent = t.running;
  $("t-pending").textContent = t.pending;
  $("t-infeasible").textContent = t.infeasible;
  $("t-finished").textContent = t.finished;
  rows("task-functions", t.by_function.map((f) => `<tr><td>${esc(f.function)}</td><td>${f.finished}</td>` +
    `<td>${f.failed}</td><td>${f.mean_ms.toFixed(2)} ms</td></tr>`));
  rows("task-failures", t.failures.map((f) => `<tr><td>${new Date(f.time_ms).toLocaleTimeString()}</td>` +
    `<td>${esc(f.function)}</td><td>${esc(f.node_id.slice(0, 12))}</td><td><code>${esc(f.error)}</code></td></tr>`));
  rows("task-nodes", t.nodes.map((n) => `<tr><td>${esc(n.node_id.slice(0, 12))}</td><td>${esc(n.node_type)}</td>` +
    `<td>${n.running}</td><td>${n.pending}</td><td>${n.finished}</td></tr>`));
}

// One run: its stages (parts done, rows, rows/s) and its steps' rows in,
// out and dropped, with what each filter counted per rule.
function pipelineHtml(p) {
  const pct = (st) => st.parts_total ? Math.round(100 * st.parts_done / st.parts_total) : null;
  const stages = p.stages.map((st) => {
    const done = st.ended ? 100 : pct(st);
    const bar = done === null ? "" : `<span class="bar" style="width:${Math.round(0.6 * done)}px"></span>`;
    return `<tr><td>${esc(st.name)}</td><td>${bar}${st.parts_done}${st.parts_total ? " / " + st.parts_total : ""}${st.ended ? " ✓" : ""}</td>` +
      `<td>${st.rows.toLocaleString()}</td><td>${st.seconds > 0 ? Math.round(st.rows / st.seconds).toLocaleString() : "–"}</td></tr>`;
  });
  const steps = p.steps.map((st) => {
    const rules = Object.entries(st.counters).map(([k, v]) => `${esc(k)} ${v.toLocaleString()}`).join(", ");
    return `<tr><td>${st.step}</td><td>${esc(st.op)}</td><td>${st.rows_in.toLocaleString()}</td><td>${st.rows_out.toLocaleString()}</td>` +
      `<td>${st.row_local ? st.rows_dropped.toLocaleString() : "–"}</td><td class="muted">${rules}</td></tr>`;
  });
  return `<div class="pipeline" data-state="${esc(p.state)}"><h2>${esc(p.name)} <span class="state-${esc(p.state)}">${esc(p.state)}</span>` +
    ` <span class="muted">job ${esc(p.job_id.slice(0, 12))} · run ${p.run} · ${p.seconds.toFixed(1)} s · ` +
    `${p.rows_read.toLocaleString()} rows read (${Math.round(p.rows_per_second).toLocaleString()}/s)` +
    `${p.state === "SUCCEEDED" ? " · " + p.rows_written.toLocaleString() + " written" : ""}</span></h2>` +
    (p.error ? `<p><code>${esc(p.error)}</code></p>` : "") +
    `<table class="stages"><thead><tr><th>stage</th><th>parts</th><th>rows</th><th>rows/s</th></tr></thead><tbody>${stages.join("")}</tbody></table>` +
    `<table class="steps"><thead><tr><th>step</th><th>operator</th><th>rows in</th><th>rows out</th><th>dropped</th><th>by rule</th></tr></thead>` +
    `<tbody>${steps.join("")}</tbody></table></div>`;
}

async function showPipelines() {
  const r = await api("/api/pipelines");
  $("pipelines-none").style.display = r.pipelines.length ? "none" : "block";
  $("pipelines").innerHTML = r.pipelines.map(pipelineHtml).join("");
}

// Logs of any node: the head's own are read by the head, another node's are
// asked of its agent (?node=).
async function showLogs() {
  const nodeSel = $("log-node"), sel = $("log-file");
  if (!nodeSel.options.length) {
    const n = await api("/api/nodes?state=ALIVE&limit=1000");
    n.nodes.sort((a, b) => a.index - b.index);  // the head's own first
    nodeSel.innerHTML = n.nodes.map((d) => `<option value="${d.index === 0 ? "" : esc(d.node_id)}">` +
      `${esc(d.node_type)} ${esc(d.node_id.slice(0, 12))} (${esc(d.address)})</option>`).join("");
  }
  const node = nodeSel.value ? `&node=${encodeURIComponent(nodeSel.value)}` : "";
  if (!sel.options.length) {
    const l = await api(`/api/logs?${node}`);
    sel.innerHTML = l.files.map((f) => `<option value="${esc(f.name)}">${esc(f.name)} (${fmtBytes(f.bytes)})</option>`).join("");
  }
  if (!sel.value) return;
  const q = encodeURIComponent($("log-query").value);
  const r = await api(`/api/logs?name=${encodeURIComponent(sel.value)}&lines=500&q=${q}${node}`);
  $("log-text").textContent = r.text;
}

const pages = { cluster: showCluster, autoscaler: showAutoscaler, jobs: showJobs, tasks: showTasks, pipelines: showPipelines,
  logs: showLogs };

function select(name) {
  page = pages[name] ? name : "cluster";
  document.querySelectorAll(".page").forEach((p) => p.classList.toggle("active", p.id === "page-" + page));
  document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("active", a.dataset.page === page));
  refresh();
}

async function refresh() {
  try {
    await pages[page]();
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("updated").textContent = "cannot reach the head: " + e.message;
  }
}

window.addEventListener("hashchange", () => select(location.hash.slice(1)));
$("nodes-prev").onclick = () => { nodeOffset = Math.max(0, nodeOffset - NODES_PER_PAGE); refresh(); };
$("nodes-next").onclick = () => { nodeOffset += NODES_PER_PAGE; refresh(); };
$("nodes-state").onchange = () => { nodeOffset = 0; refresh(); };
$("log-go").onclick = refresh;
$("log-node").onchange = () => { $("log-file").innerHTML = ""; refresh(); };
select(location.hash.slice(1));
// The logs page refreshes on request; the others every second. ?once draws
// one time (headless browsers taking a screenshot wait for a page to idle).
if (!new URLSearchParams(location.search).has("once")) setInterval(() => { if (page !== "logs") refresh(); }, 1000);
