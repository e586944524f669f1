// Herald's web console: plain JavaScript over the REST API (/v3/...) and the console's own calls
// (/console/api/...). No build step; every value from the broker is put in the page as text, never as HTML.
"use strict";

const state = { cluster: null, charts: [] };

// ---- helpers ----

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.substring(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const name = body && body.error_name ? body.error_name + ": " : "";
    throw new Error(name + (body && body.message ? body.message : response.status));
  }
  return body;
}

const v3 = (path) => api("/v3/clusters/" + state.cluster + path);

function table(headers, rows, numeric) {
  const num = new Set(numeric || []);
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h, i) => el("th", num.has(i) ? { class: "num" } : {}, h)))),
    el("tbody", {}, rows.length === 0
      ? el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "none"))
      : rows.map(r => el("tr", {}, r.map((c, i) => el("td", num.has(i) ? { class: "num" } : {}, c))))));
}

function card(label, value) {
  return el("div", { class: "card" }, el("div", { class: "label" }, label), el("div", { class: "value" }, value));
}

function bytes(n) {
  if (n === null || n === undefined || isNaN(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
}

function link(href, text) { return el("a", { href }, text); }

/** A partition's size as a bar against the largest partition of its topic (not hosted here: "–"). */
function sizeBar(size, largest) {
  if (size === undefined) return el("span", { class: "muted" }, "–");
  return el("div", { class: "sizebar" },
    el("div", { class: "bar", style: "width:" + Math.max(1, Math.round(100 * size / largest)) + "px" }),
    el("span", {}, bytes(size)));
}

function message(text, bad) { return el("div", { class: "message " + (bad ? "bad" : "ok") }, text); }

function fail(error) {
  main().replaceChildren(el("h1", {}, "Error"), message(error.message, true));
}

function main() { return document.getElementById("main"); }

function base64ToBytes(b64) { return Uint8Array.from(atob(b64), c => c.charCodeAt(0)); }

function hex(b64) {
  return Array.from(base64ToBytes(b64)).map(b => b.toString(16).padStart(2, "0")).join(" ");
}

function render(data, format) {
  if (data === null) return el("span", { class: "muted" }, "null");
  if (format === "hex") {
    const b64 = data.type === "BINARY" ? data.data : btoa(unescape(encodeURIComponent(
      typeof data.data === "string" ? data.data : JSON.stringify(data.data))));
    return el("pre", {}, hex(b64));
  }
  if (data.type === "JSON") return el("pre", {}, JSON.stringify(data.data, null, 2));
  return el("pre", {}, data.data);
}

// ---- charts (uPlot) over the broker's last hour ----

async function history() { return api("/console/api/history"); }

/** Per-second rates of a counter from consecutive samples. */
function rates(samples, value) {
  const xs = [], ys = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i].t - samples[i - 1].t) / 1000;
    if (dt <= 0) continue;
    xs.push(samples[i].t / 1000);
    ys.push(Math.max(0, (value(samples[i]) - value(samples[i - 1])) / dt));
  }
  return [xs, ys];
}

/** A chart over time (x in epoch seconds), sized to its place in the page once it is there. */
function chart(title, series, data) {
  const holder = el("div", { class: "chart", "data-chart": title, "data-points": data[0].length });
  // The last hour, or since the broker's first sample when it started less than an hour ago (at least a minute).
  const now = Date.now() / 1000;
  const from = Math.min(now - 60, Math.max(now - 3600, data[0].length ? data[0][0] : now - 3600));
  requestAnimationFrame(() => {
    const opts = {
      title, width: Math.max(300, holder.clientWidth - 20), height: 200,
      scales: { x: { time: true, range: () => [from, now] } },
      series: [{}].concat(series.map((label, i) => ({ label, stroke: ["#2c5bd8", "#e0703a", "#2e7d32"][i % 3],
        width: 2, points: { show: data[0].length < 3 } }))),
      axes: [{}, { size: 70 }],
    };
    state.charts.push(new uPlot(opts, data, holder));
  });
  return holder;
}

function sum(obj, field) { return Object.values(obj || {}).reduce((a, t) => a + (t[field] || 0), 0); }

// ---- pages ----

async function overview() {
  const [cluster, brokers, quorum, hist] = await Promise.all([v3(""), v3("/brokers"), api("/console/api/quorum"),
    history()]);
  const samples = hist.samples;
  const last = samples[samples.length - 1];
  const inRate = rates(samples, s => sum(s.topics, "bytes_in"));
  const outRate = rates(samples, s => sum(s.topics, "bytes_out"));
  return [
    el("h1", {}, "Cluster"),
    el("div", { class: "cards" },
      card("Cluster id", cluster.cluster_id),
      card("Brokers", brokers.data.length),
      card("Quorum leader", quorum.leader_id < 0 ? "none" : "node " + quorum.leader_id),
      card("Metadata offset", quorum.high_watermark),
      card("Topics", Object.keys(last.topics).length),
      card("Data", bytes(sum(last.topics, "size")))),
    el("h2", {}, "Brokers"),
    table(["Id", "Host", "Port", "Rack"], brokers.data.map(b => [b.broker_id, b.host, b.port, b.rack || "–"])),
    el("h2", {}, "Metadata quorum"),
    table(["Node", "Role", "Log end offset", "Lag"], quorum.voters.map(r => [r.node_id, "voter", r.log_end_offset, r.lag])
      .concat(quorum.observers.map(r => [r.node_id, "observer", r.log_end_offset, r.lag])), [2, 3]),
    el("h2", {}, "Traffic (last hour)"),
    el("div", { class: "grid2" },
      chart("Bytes in per second", ["in"], inRate),
      chart("Bytes out per second", ["out"], outRate)),
  ];
}

async function topics() {
  const [list, hist] = await Promise.all([v3("/topics"), history()]);
  const samples = hist.samples;
  const last = samples[samples.length - 1].topics;
  const prev = samples.length > 1 ? samples[samples.length - 2] : null;
  const rate = (name) => {
    if (!prev || !prev.topics[name] || !last[name]) return "–";
    const dt = (samples[samples.length - 1].t - prev.t) / 1000;
    return dt > 0 ? bytes((last[name].bytes_in - prev.topics[name].bytes_in) / dt) + "/s" : "–";
  };
  const status = el("div");
  const form = el("form", { class: "inline", onsubmit: async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    try {
      await api("/v3/clusters/" + state.cluster + "/topics", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ topic_name: data.get("name"), partitions_count: Number(data.get("partitions")) || null }) });
      location.hash = "#/topics/" + encodeURIComponent(data.get("name"));
    } catch (err) { status.replaceChildren(message(err.message, true)); }
  } },
    el("label", {}, "Name", el("input", { name: "name", required: "" })),
    el("label", {}, "Partitions", el("input", { name: "partitions", type: "number", min: "1", value: "1" })),
    el("button", { type: "submit" }, "Create topic"));
  return [
    el("h1", {}, "Topics"),
    table(["Topic", "Partitions", "Replication", "Size", "In", "Internal"], list.data.map(t => [
      link("#/topics/" + encodeURIComponent(t.topic_name), t.topic_name), t.partitions_count, t.replication_factor,
      last[t.topic_name] ? bytes(last[t.topic_name].size) : "–", rate(t.topic_name), t.is_internal ? "yes" : ""]),
      [1, 2, 3, 4]),
    el("h2", {}, "New topic"), form, status,
  ];
}

async function topic(name) {
  const enc = encodeURIComponent(name);
  const [t, partitions, configs, hist] = await Promise.all([v3("/topics/" + enc), v3("/topics/" + enc + "/partitions"),
    v3("/topics/" + enc + "/configs"), history()]);
  const samples = hist.samples.filter(s => s.topics[name]);
  const sizes = (hist.partition_sizes || {})[name] || {};
  const largest = Math.max(1, ...Object.values(sizes));
  const status = el("div");
  const form = el("form", { class: "inline", onsubmit: async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const body = { value: { type: "STRING", data: data.get("value") } };
    if (data.get("key")) body.key = { type: "STRING", data: data.get("key") };
    if (data.get("partition") !== "") body.partition_id = Number(data.get("partition"));
    try {
      const r = await api("/v3/clusters/" + state.cluster + "/topics/" + enc + "/records",
        { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      status.replaceChildren(message("Produced to partition " + r.partition_id + " at offset " + r.offset));
    } catch (err) { status.replaceChildren(message(err.message, true)); }
  } },
    el("label", {}, "Partition", el("input", { name: "partition", type: "number", min: "0", placeholder: "any" })),
    el("label", {}, "Key", el("input", { name: "key" })),
    el("label", {}, "Value", el("input", { name: "value", required: "", size: "40" })),
    el("button", { type: "submit" }, "Produce"));
  return [
    el("h1", {}, "Topic " + name),
    el("div", { class: "cards" }, card("Partitions", t.partitions_count), card("Replication", t.replication_factor),
      card("Id", t.topic_id)),
    el("h2", {}, "Partitions"),
    table(["Partition", "Leader", "Replicas", "ISR", "Size (this broker)", ""], partitions.data.map(p => [
      link("#/browse?topic=" + enc + "&partition=" + p.partition_id, p.partition_id),
      p.leader_id === null ? el("span", { class: "bad" }, "offline") : p.leader_id, p.replicas.join(", "), p.isr.join(", "),
      sizeBar(sizes[p.partition_id], largest),
      p.isr.length < p.replicas.length ? el("span", { class: "bad" }, "under-replicated") : ""])),
    el("div", { class: "grid2" },
      chart("Bytes in per second", ["in"], rates(samples, s => s.topics[name].bytes_in)),
      chart("Size", ["bytes"], [samples.map(s => s.t / 1000), samples.map(s => s.topics[name].size)])),
    el("h2", {}, "Produce a test record"), form, status,
    el("h2", {}, "Configs"),
    table(["Name", "Value", "Source"], configs.data.map(c => [c.name, c.is_sensitive ? "(sensitive)" : c.value,
      c.is_default ? el("span", { class: "muted" }, "default") : el("b", {}, c.source)])),
  ];
}

async function groups() {
  const list = await v3("/consumer-groups");
  const lags = await Promise.all(list.data.map(g => v3("/consumer-groups/" + encodeURIComponent(g.consumer_group_id)
    + "/lag-summary").catch(() => null)));
  return [
    el("h1", {}, "Consumer groups"),
    table(["Group", "State", "Type", "Total lag", "Largest lag"], list.data.map((g, i) => [
      link("#/groups/" + encodeURIComponent(g.consumer_group_id), g.consumer_group_id), g.state, g.type,
      lags[i] ? lags[i].total_lag : "–",
      lags[i] && lags[i].max_lag_topic_name ? lags[i].max_lag + " (" + lags[i].max_lag_topic_name + "-"
        + lags[i].max_lag_partition_id + ")" : "–"]), [3]),
  ];
}

async function group(id) {
  const enc = encodeURIComponent(id);
  const [g, lags, consumers, hist] = await Promise.all([v3("/consumer-groups/" + enc), v3("/consumer-groups/" + enc + "/lags"),
    v3("/consumer-groups/" + enc + "/consumers"), history()]);
  const samples = hist.samples.filter(s => s.groups[id] !== undefined);
  return [
    el("h1", {}, "Consumer group " + id),
    el("div", { class: "cards" }, card("State", g.state), card("Type", g.type), card("Members", consumers.data.length),
      card("Total lag", lags.data.reduce((a, l) => a + l.lag, 0))),
    chart("Lag (last hour)", ["lag"], [samples.map(s => s.t / 1000), samples.map(s => s.groups[id])]),
    el("h2", {}, "Lag per partition"),
    table(["Topic", "Partition", "Committed", "Log end", "Lag", "Consumer"], lags.data.map(l => [l.topic_name,
      l.partition_id, l.current_offset, l.log_end_offset, l.lag > 0 ? el("b", {}, l.lag) : l.lag,
      l.client_id || el("span", { class: "muted" }, "unassigned")]), [1, 2, 3, 4]),
    el("h2", {}, "Members"),
    table(["Client", "Host", "Assigned partitions"], consumers.data.map(c => [c.client_id, c.host,
      c.assignments.map(a => a.topic_name + "-" + a.partition_id).join(", ")])),
  ];
}

async function browse(params) {
  const list = await v3("/topics");
  const topicName = params.get("topic") || (list.data.find(t => !t.is_internal) || {}).topic_name || "";
  const format = params.get("format") || "text";
  const form = el("form", { class: "inline", onsubmit: (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const q = new URLSearchParams();
    for (const [k, v] of data.entries()) if (v !== "") q.set(k, v);
    location.hash = "#/browse?" + q.toString();
  } },
    el("label", {}, "Topic", el("select", { name: "topic" }, list.data.map(t => {
      const o = el("option", { value: t.topic_name }, t.topic_name);
      if (t.topic_name === topicName) o.selected = true;
      return o;
    }))),
    el("label", {}, "Partition", el("input", { name: "partition", type: "number", min: "0", value: params.get("partition") || "0" })),
    el("label", {}, "From offset", el("input", { name: "offset", type: "number", min: "0", value: params.get("offset") || "" })),
    el("label", {}, "Or from time", el("input", { name: "time", type: "datetime-local", value: params.get("time") || "" })),
    el("label", {}, "Show as", el("select", { name: "format" }, ["text", "json", "hex"].map(f => {
      const o = el("option", { value: f }, f);
      if (f === format) o.selected = true;
      return o;
    }))),
    el("button", { type: "submit" }, "Show"));
  const out = [el("h1", {}, "Messages"), form];
  if (!topicName) return out;
  const q = new URLSearchParams({ max_count: "50", format: format === "json" ? "json" : format === "hex" ? "base64" : "text" });
  if (params.get("offset")) q.set("offset", params.get("offset"));
  else if (params.get("time")) q.set("timestamp", String(new Date(params.get("time")).getTime()));
  const partition = params.get("partition") || "0";
  const page = await v3("/topics/" + encodeURIComponent(topicName) + "/partitions/" + partition + "/records?" + q);
  out.push(el("h2", {}, topicName + "-" + partition),
    table(["Offset", "Time", "Key", "Value", "Headers"], page.data.map(r => [r.offset,
      new Date(r.timestamp).toISOString(), render(r.key, format), render(r.value, format),
      el("pre", {}, r.headers.map(h => h.name + "=" + (h.value === null ? "null" : format === "hex" ? hex(h.value)
        : new TextDecoder().decode(base64ToBytes(h.value)))).join("\n"))]), [0]));
  if (page.data.length > 0) {
    const next = new URLSearchParams(params);
    next.set("offset", page.next_offset);
    next.delete("time");
    out.push(el("p", {}, link("#/browse?" + next.toString(), "Next page from offset " + page.next_offset)));
  }
  return out;
}

async function dlq() {
  const topics = await api("/console/api/dlq");
  const status = el("div");
  return [
    el("h1", {}, "Dead-letter topics"),
    el("p", { class: "muted" }, "Topics with errors.deadletterqueue.group.enable=true. Replay produces each record again "
      + "to the topic its __dlq.errors.topic header names, once."),
    table(["Topic", "Records", "Not replayed", ""], topics.data.map(t => [
      link("#/browse?topic=" + encodeURIComponent(t.topic), t.topic), t.records, t.pending,
      el("button", { "data-replay": t.topic, onclick: async () => {
        try {
          const r = await api("/console/api/dlq/" + encodeURIComponent(t.topic) + "/replay", { method: "POST" });
          status.replaceChildren(message("Replayed " + r.replayed + " records from " + t.topic
            + (r.skipped ? " (" + r.skipped + " without a source topic left)" : "")));
        } catch (err) { status.replaceChildren(message(err.message, true)); }
      } }, "Replay")]), [1, 2]),
    status,
  ];
}

// ---- routing ----

async function route() {
  state.charts.forEach(c => c.destroy());
  state.charts = [];
  const hash = location.hash.substring(1) || "/";
  const [path, query] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || "");
  const page = parts[0] || "overview";
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("active", a.dataset.page === page));
  try {
    if (!state.cluster) {
      state.cluster = (await api("/v3/clusters")).data[0].cluster_id;
      document.getElementById("cluster-id").textContent = state.cluster;
    }
    let content;
    if (page === "topics" && parts[1]) content = await topic(parts[1]);
    else if (page === "topics") content = await topics();
    else if (page === "groups" && parts[1]) content = await group(parts[1]);
    else if (page === "groups") content = await groups();
    else if (page === "browse") content = await browse(params);
    else if (page === "dlq") content = await dlq();
    else content = await overview();
    main().replaceChildren(...content);
    main().dataset.loaded = hash;
  } catch (error) {
    fail(error);
    main().dataset.loaded = hash;
  }
}

window.addEventListener("hashchange", route);
route();
