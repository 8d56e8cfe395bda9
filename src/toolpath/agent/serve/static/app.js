// toolpath's page: start runs, follow their events, draw the plan DAG, approve, re-search.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const BOX_W = 190, BOX_H = 44, GAP_X = 50, GAP_Y = 22;
let current = null;   // {runId, plan, tools, states, source, status}

function say(text, cls) {
  const div = document.createElement("div");
  div.className = "msg " + cls;
  div.textContent = text;
  $("chat").appendChild(div);
  $("chat").scrollTop = $("chat").scrollHeight;
}

async function api(method, path, body) {
  const opts = {method, headers: {"Content-Type": "application/json"}};
  if (body !== undefined) opts.body = JSON.stringify(body);
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
  return data;
}

// -- the plan DAG ------------------------------------------------------------------------
function layers(plan) {
  const depth = {};
  const parents = (t) => refsOf(t).filter((p) => p !== t.id);
  const visit = (t) => {
    if (depth[t.id] !== undefined) return depth[t.id];
    depth[t.id] = 0;
    const ps = parents(t).map((p) => visit(plan.subtasks[p]) + 1);
    depth[t.id] = ps.length ? Math.max(...ps) : 0;
    return depth[t.id];
  };
  plan.subtasks.forEach(visit);
  return depth;
}

function refsOf(task) {
  const links = (current && current.plan && current.plan.links) || [];
  const found = new Set(links.filter((l) => l[1] === task.id).map((l) => Number(l[0])));
  const text = JSON.stringify(task.arguments || []);
  for (const m of text.matchAll(/<node-(\d+)>/g)) found.add(Number(m[1]));
  return [...found];
}

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawPlan() {
  const svg = $("dag");
  svg.replaceChildren();
  if (!current || !current.plan) return;
  const plan = current.plan, depth = layers(plan), rows = {}, pos = {};
  for (const t of plan.subtasks) {
    const d = depth[t.id];
    rows[d] = (rows[d] || 0) + 1;
    pos[t.id] = {x: 10 + d * (BOX_W + GAP_X), y: 10 + (rows[d] - 1) * (BOX_H + GAP_Y)};
  }
  const width = 20 + (Math.max(...Object.values(depth)) + 1) * (BOX_W + GAP_X);
  const height = 20 + Math.max(...Object.values(rows)) * (BOX_H + GAP_Y);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const defs = el("defs", {});
  const marker = el("marker", {id: "arrow", markerWidth: 8, markerHeight: 8, refX: 8, refY: 4,
                               orient: "auto"});
  marker.appendChild(el("path", {d: "M0,0 L8,4 L0,8 z", fill: "#555"}));
  defs.appendChild(marker);
  svg.appendChild(defs);
  for (const t of plan.subtasks) {
    for (const p of refsOf(t)) {
      if (!pos[p] || p === t.id) continue;
      svg.appendChild(el("line", {x1: pos[p].x + BOX_W, y1: pos[p].y + BOX_H / 2,
                                  x2: pos[t.id].x - 2, y2: pos[t.id].y + BOX_H / 2,
                                  "marker-end": "url(#arrow)"}));
    }
  }
  for (const t of plan.subtasks) {
    const state = nodeState(t);
    const g = el("g", {class: "node " + state, "data-subtask": t.id, "data-state": state});
    g.appendChild(el("rect", {x: pos[t.id].x, y: pos[t.id].y, width: BOX_W, height: BOX_H, rx: 5}));
    g.appendChild(el("text", {x: pos[t.id].x + 6, y: pos[t.id].y + 17},
                     `${t.id}. ${t.capability}`));
    g.appendChild(el("text", {x: pos[t.id].x + 6, y: pos[t.id].y + 35},
                     current.tools[t.id] ? "tool: " + current.tools[t.id] : "tool: –"));
    g.appendChild(el("title", {}, t.description || t.capability));
    svg.appendChild(g);
  }
}

function nodeState(task) {
  const s = current.states[task.id];
  if (s === "passed" || s === "failed" || s === "replanned") {
    if (s !== "replanned" || !runningNow(task)) return s;
  }
  return runningNow(task) ? "running" : "pending";
}

function runningNow(task) {
  if (current.status !== "running" || !current.approved) return false;
  if (current.states[task.id] === "passed" || current.states[task.id] === "failed") return false;
  return refsOf(task).every((p) => current.states[p] === "passed");
}

// -- events ---------------------------------------------------------------------------------
const handlers = {
  plan_made(e) {
    current.plan = e.plan; current.states = {}; current.tools = {};
    say(`plan: ${e.plan.subtasks.length} sub-tasks`, "agent");
  },
  path_chosen(e) {
    current.tools = {};
    for (const s of e.path.steps) current.tools[s.subtask] = s.tools.join(" → ");
    $("expected").textContent = `expected cost ${e.path.expected_cost.toFixed(2)} s, ` +
      `quality ${e.path.expected_quality.toFixed(3)} (alpha ${e.path.alpha})`;
    for (const [id, st] of Object.entries(current.states)) {
      if (st === "failed") current.states[id] = "replanned";
    }
  },
  verdict(e) {
    current.states[e.subtask] = e.ok ? "passed" : "failed";
    const li = document.createElement("li");
    li.className = e.ok ? "ok" : "bad";
    li.textContent = `${e.ok ? "pass" : "FAIL"} sub-task ${e.subtask} ${e.tool}: ${e.reason}`;
    $("verdicts").appendChild(li);
  },
  replanned(e) {
    for (const [, sub] of e.forbidden || []) current.states[sub] = "replanned";
    say("replanned: " + e.reason, "note");
  },
  run_finished(e) {
    current.status = e.status;
    $("run-status").textContent = e.status;
    const res = e.result || {};
    $("result").textContent = `${e.status}: ${e.reason}\n` +
      JSON.stringify({outputs: res.outputs, metrics: res.metrics}, null, 2);
    say(`${e.status}: ${e.reason}`, "agent");
    $("approve").disabled = true;
    refreshRuns();
  },
  status(e) {
    current.status = e.status;
    current.approved = current.approved || (e.status === "running" && current.seenPause);
    if (e.status === "paused") current.seenPause = true;
    $("run-status").textContent = e.status;
    $("approve").disabled = e.status !== "paused";
    $("queue").textContent = e.queue_position ? `LLM queue position: ${e.queue_position}` : "";
  },
};

function follow(runId, approveFirst) {
  if (current && current.source) current.source.close();
  current = {runId, plan: null, tools: {}, states: {}, status: "running",
             approved: !approveFirst, seenPause: false, source: null};
  $("run-id").textContent = runId;
  $("verdicts").replaceChildren();
  $("result").textContent = "";
  $("expected").textContent = "expected cost –, quality –";
  const link = $("report");
  link.href = `/runs/${runId}/report`;
  link.hidden = false;
  const source = new EventSource(`/runs/${runId}/events`);
  current.source = source;
  for (const kind of Object.keys(handlers)) {
    source.addEventListener(kind, (msg) => {
      if (!current || current.runId !== runId) return;
      handlers[kind](JSON.parse(msg.data));
      drawPlan();
    });
  }
  source.addEventListener("run_finished", () => source.close());
  drawPlan();
}

// -- actions --------------------------------------------------------------------------------
async function startRun(task) {
  say(task.request, "user");
  try {
    const started = await api("POST", "/runs?approve_first=true", task);
    say(`run ${started.run_id} started`, "note");
    follow(started.run_id, true);
    refreshRuns();
  } catch (err) {
    say("error: " + err.message, "note");
  }
}

async function approve(answer) {
  if (!current) return;
  try {
    await api("POST", `/runs/${current.runId}/approve`, answer);
    if (answer.approve) current.approved = true;
    $("approve").disabled = true;
  } catch (err) {
    say("error: " + err.message, "note");
  }
}

async function refreshRuns() {
  try {
    const data = await api("GET", "/runs?limit=15");
    const body = $("runs").querySelector("tbody");
    body.replaceChildren();
    for (const run of data.runs) {
      const tr = document.createElement("tr");
      const cells = [run.run_id, run.status, run.request.slice(0, 50)];
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      const td = document.createElement("td");
      const open = document.createElement("a");
      open.href = "#"; open.textContent = "open";
      open.addEventListener("click", (ev) => { ev.preventDefault(); follow(run.run_id, false); });
      const report = document.createElement("a");
      report.href = `/runs/${run.run_id}/report`; report.target = "_blank"; report.textContent = "report";
      td.append(open, " ", report);
      tr.appendChild(td);
      body.appendChild(tr);
    }
  } catch (err) {
    $("server").textContent = "runs: " + err.message;
  }
}

function wire() {
  $("ask").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("task").value.trim();
    if (!text) return;
    $("task").value = "";
    startRun({request: text, alpha: Number($("alpha").value)});
  });
  $("demo").addEventListener("click", async () => {
    const task = await api("GET", "/demo-task");
    task.alpha = Number($("alpha").value);
    startRun(task);
  });
  $("approve").addEventListener("click", () => approve({approve: true}));
  $("alpha").addEventListener("input", () => { $("alpha-value").textContent = $("alpha").value; });
  $("alpha").addEventListener("change", () => {
    if (current && current.status === "paused") {
      say(`search again with alpha ${$("alpha").value}`, "note");
      approve({alpha: Number($("alpha").value)});
    }
  });
  api("GET", "/status").then((s) => {
    $("server").textContent = `model: toolpath · ${s.active_runs.length} active run(s)`;
  }).catch((err) => { $("server").textContent = err.message; });
  refreshRuns();
  setInterval(refreshRuns, 5000);
}

wire();
