// Herald console: one page over Herald's own JSON APIs, signed in with an API key kept in sessionStorage.
"use strict";

const KEY_STORE = "herald.apiKey";
const POLL_MS = 3000;
const STATUS_COLOURS = { delivered: "#1a7f37", failed: "#b42318", pending: "#8a5a00", skipped: "#6b7280" };
const state = { key: null, session: null, timer: null, eventId: null, previewTimer: null, recentEvent: null, eventsAsked: 0 };

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function pill(word) {
  const text = word || "—";
  return el("span", { class: `pill s-${text}` }, text);
}

function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

// --- API calls: every error comes back in words ---------------------------------------------------------

class ApiError extends Error {}

function errorWords(status, body) {
  const found = body && (body.error?.message || body.message || body.detail || body.error);
  const reason = typeof found === "string" ? found : "";
  if (status === 401) return `Signed out: the API key was refused${reason ? ` (${reason})` : ""}.`;
  if (status === 403) return `Not allowed: ${reason || "the key lacks the scope this needs"}.`;
  if (status === 404) return `Not found: ${reason || "no such item"}.`;
  if (status === 429) return "Too many requests for this key; wait a moment and try again.";
  if (status >= 500) return `Herald could not answer (HTTP ${status}); try again shortly.`;
  return reason || `The request failed (HTTP ${status}).`;
}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError("Herald cannot be reached; check the connection.");
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch (error) { parsed = null; }
  if (!response.ok) {
    if (response.status === 401) signOut(errorWords(401, parsed));
    throw new ApiError(errorWords(response.status, parsed));
  }
  return parsed;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

function say(message) { $("status").textContent = message; }

// --- sign-in and scopes --------------------------------------------------------------------------------

function can(scope) { return !scope || (state.session && state.session.scopes.includes(scope)); }

function applyScopes(root) {
  for (const node of (root || document).querySelectorAll("[data-scope]")) {
    const scope = node.dataset.scope;
    const allowed = can(scope);
    node.classList.toggle("denied", !allowed);
    if (node.tagName === "BUTTON") node.disabled = !allowed;
    else node.setAttribute("aria-disabled", allowed ? "false" : "true");
    const note = `Needs the ${scope} scope`;
    if (allowed) { node.removeAttribute("title"); node.querySelector(".needs")?.remove(); }
    else {
      node.title = note;
      if (!node.querySelector(".needs")) node.append(el("span", { class: "needs" }, ` (needs ${scope})`));
    }
  }
}

async function signIn(key) {
  state.key = key;
  try {
    state.session = await api("GET", "/v1/console/session");
  } catch (error) {
    state.key = null;
    sessionStorage.removeItem(KEY_STORE);
    showView("signin");
    showError(error.message);
    return;
  }
  sessionStorage.setItem(KEY_STORE, key);
  $("org").textContent = `Org ${state.session.orgName}`;
  $("nav").hidden = false;
  $("who").hidden = false;
  applyScopes();
  showError("");
  route();
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORE);
  state.key = null;
  state.session = null;
  stopPolling();
  $("nav").hidden = true;
  $("who").hidden = true;
  $("key").value = "";
  if (location.hash !== "#signin") history.replaceState(null, "", "#signin");
  showView("signin");
  say(message ? "" : "Signed out.");
  showError(message || "");
}

// --- views ---------------------------------------------------------------------------------------------

function showView(name) {
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === name || (name === "event" && link.dataset.view === "events")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function stopPolling() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

function poll(load) {
  stopPolling();
  load();
  state.timer = setInterval(load, POLL_MS);
}

function route() {
  if (!state.key) { showView("signin"); return; }
  const hash = location.hash.replace(/^#/, "") || "events";
  const [name, ...rest] = hash.split("/");
  showError("");
  say("");
  const views = {
    events: ["events:read", () => poll(loadEvents)],
    event: ["events:read", () => { state.eventId = decodeURIComponent(rest.join("/")); poll(loadEvent); }],
    destinations: ["events:read", () => { stopPolling(); loadDestinations(); }],
    templates: ["templates:read", () => { stopPolling(); openTemplates(); }],
    overview: ["events:read", () => poll(loadOverview)],
  };
  const found = views[name] || views.events;
  showView(views[name] ? name : "events");
  if (!can(found[0])) {
    stopPolling();
    showError(`This view needs the ${found[0]} scope, which this key does not have.`);
    return;
  }
  found[1]();
}

// --- events --------------------------------------------------------------------------------------------

function eventQuery() {
  const form = new FormData($("event-filters"));
  const query = new URLSearchParams({ limit: "50" });
  for (const name of ["status", "source"]) if (form.get(name)) query.set(name, form.get(name));
  for (const name of ["since", "until"]) {
    const value = form.get(name);
    if (value) query.set(name, new Date(value).toISOString());
  }
  return query;
}

function counts(deliveries) {
  if (!deliveries) return "—";
  const parts = ["delivered", "failed", "pending", "skipped"].filter((s) => deliveries[s]).map((s) => `${deliveries[s]} ${s}`);
  return parts.length ? parts.join(", ") : "none";
}

async function loadEvents() {
  const asked = ++state.eventsAsked;  // a poll answered after a filter change is dropped
  try {
    const page = await api("GET", `/v1/events?${eventQuery()}`);
    if (asked !== state.eventsAsked) return;
    const severity = new FormData($("event-filters")).get("severity");
    const events = (page.events || []).filter((e) => !severity || e.severity === severity);
    if (events.length) state.recentEvent = events[0];
    const body = $("events-table").querySelector("tbody");
    body.replaceChildren(...events.map((e) => el("tr", { "data-event-id": e.id },
      el("td", {}, when(e.createdAt)),
      el("td", {}, el("a", { href: `#event/${encodeURIComponent(e.id)}` }, e.title)),
      el("td", {}, pill(e.severity)),
      el("td", {}, pill(e.status)),
      el("td", {}, e.incident ? pill(e.incident.state) : "—"),
      el("td", {}, sourceName(e.source)),
      el("td", { class: "counts" }, counts(e.deliveries)),
    )));
    $("events-empty").hidden = events.length > 0;
    $("events-updated").textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    showError("");
  } catch (error) { showError(error.message); }
}

function sourceName(source) {
  return { api: "API", alertmanager: "Alertmanager", pagerduty: "PagerDuty", grafana: "Grafana" }[source] || source || "API";
}

async function loadEvent() {
  const id = state.eventId;
  try {
    const event = await api("GET", `/v1/events/${encodeURIComponent(id)}`);
    if (id !== state.eventId) return;
    renderEvent(event);
    showError("");
  } catch (error) { showError(error.message); }
}

function renderEvent(event) {
  $("event-title").textContent = event.title;
  const facts = [
    ["Status", pill(event.status)], ["Severity", pill(event.severity)],
    ["Incident", event.incident ? pill(event.incident.state) : "—"], ["Source", sourceName(event.source)],
    ["When", when(event.createdAt)], ["Monitor", event.monitorId || "—"], ["Service", event.service || "—"],
    ["Dedup key", event.dedupKey || "—"], ["Message", event.message || "—"], ["Event id", event.id],
  ];
  $("event-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const rows = (event.deliveries || []).map((d) => el("tr", { "data-delivery-id": d.id, "data-status": d.status },
    el("td", {}, d.destination?.name || "—"),
    el("td", {}, d.destination?.kind || "—"),
    el("td", {}, d.destination?.family || "—"),
    el("td", { class: "delivery-status" }, pill(d.status)),
    el("td", {}, d.attempts ?? 0),
    el("td", {}, d.lastError || "—"),
    el("td", {}, when(d.nextRetryAt || d.nextAttemptAt)),
    el("td", { class: "mono" }, d.webhookId || d.id),
  ));
  $("deliveries-table").querySelector("tbody").replaceChildren(...rows);
  const escalations = event.escalations || [];
  $("escalations").replaceChildren(...(escalations.length ? [el("h3", {}, "Escalation")] : []), ...escalations.map((x) =>
    el("section", { class: "card" },
      el("p", {}, `User ${x.userId}: `, pill(x.state), x.important ? " (important)" : "", x.reason ? ` — ${x.reason}` : ""),
      el("ol", { class: "steps" }, ...(x.steps || []).map((s) => el("li", {},
        `${s.type}${s.kind ? ` (${s.kind})` : ""}${s.duration ? `, ${s.duration} s` : ""}: `, pill(s.status),
        s.at ? ` at ${when(s.at)}` : "", s.reason ? ` — ${s.reason}` : ""))))));
}

function confirmAction(text) {
  const dialog = $("confirm");
  $("confirm-text").textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}

async function eventAction(path, question, done) {
  if (!(await confirmAction(question))) return;
  try {
    const event = await api("POST", `/v1/events/${encodeURIComponent(state.eventId)}/${path}`);
    renderEvent(event);
    say(done);
  } catch (error) { showError(error.message); }
}

// --- destinations --------------------------------------------------------------------------------------

async function loadDestinations() {
  say("Loading destinations…");
  try {
    const found = await api("GET", "/v1/console/destinations");
    const rows = (found.destinations || []).map((d) => el("tr", {},
      el("td", {}, d.name),
      el("td", { class: "mono" }, d.ref),
      el("td", {}, `${d.kind} (${d.family})`),
      el("td", {}, pill(d.breaker)),
      el("td", {}, d.lastDelivery ? [pill(d.lastDelivery.status), ` ${when(d.lastDelivery.at)}`] : "none in 24 h"),
      el("td", {}, d.failureRate24h === null ? "—" : `${Math.round(d.failureRate24h * 100)} % of ${d.deliveries24h}`),
      el("td", {}, testButton(d)),
    ));
    $("destinations-table").querySelector("tbody").replaceChildren(...rows);
    say(rows.length ? "" : "This org has no destinations yet.");
  } catch (error) { say(""); showError(error.message); }
}

function testButton(destination) {
  const button = el("button", { type: "button", "data-scope": "events:write" }, "Send test");
  button.addEventListener("click", async () => {
    if (!(await confirmAction(`Send a test notification to ${destination.name}?`))) return;
    try {
      const answer = await api("POST", `/v1/console/destinations/${encodeURIComponent(destination.ref)}/test`);
      say(`Test to ${destination.name}: ${answer.result}${answer.detail ? ` (${answer.detail})` : ""}.`);
    } catch (error) { showError(error.message); }
  });
  applyScopes(el("div", {}, button));
  return button;
}

// --- templates -----------------------------------------------------------------------------------------

const SAMPLE_EVENT = { status: "triggered", severity: "critical", title: "Checkout latency above 2 s", message: "p99 latency is 2.4 s", monitorId: "mon_checkout", labels: { env: "production" } };

function previewEvent() {
  const e = state.recentEvent;
  if (!e) return SAMPLE_EVENT;
  const event = { status: e.status, severity: e.severity, title: e.title, labels: e.labels || {} };
  for (const name of ["message", "monitorId", "service", "url", "dedupKey"]) if (e[name]) event[name] = e[name];
  return event;
}

function templatePath() {
  const kind = $("tpl-kind").value;
  const ref = $("tpl-ref").value.trim();
  return `/v1/templates/${encodeURIComponent(kind)}${ref ? `/${encodeURIComponent(ref)}` : ""}`;
}

function templateFields() {
  const fields = {};
  for (const name of ["title", "text", "body"]) {
    const value = $(`tpl-${name}`).value;
    if (value.trim()) fields[name] = value;
  }
  return fields;
}

async function openTemplates() {
  if (!state.recentEvent && can("events:read")) {
    try {
      const page = await api("GET", "/v1/events?limit=1");
      state.recentEvent = (page.events || [])[0] || null;
    } catch (error) { state.recentEvent = null; }
  }
  $("tpl-event-note").textContent = state.recentEvent
    ? `The preview renders your latest event, “${state.recentEvent.title}”.`
    : "The preview renders a sample event (this org has no events yet).";
  await loadTemplate();
}

async function loadTemplate() {
  // The fields are read-only while a template loads, and an answer for a kind or destination no longer
  // selected is dropped: nothing the user types is overwritten by a late answer.
  const path = templatePath();
  const kind = $("tpl-kind").value;
  const fields = ["title", "text", "body"].map((name) => $(`tpl-${name}`));
  for (const field of fields) field.readOnly = true;
  $("template-form").setAttribute("aria-busy", "true");
  let found = null;
  let failure = null;
  try { found = await api("GET", path); } catch (error) { failure = error; }
  if (path !== templatePath()) return;
  for (const field of fields) field.readOnly = false;
  $("template-form").removeAttribute("aria-busy");
  if (found) {
    for (const name of ["title", "text", "body"]) $(`tpl-${name}`).value = found[name] || "";
    say(`Editing the saved ${kind} template${found.destinationRef ? ` for ${found.destinationRef}` : ""}.`);
  } else {
    for (const field of fields) field.value = "";
    const missing = failure.message.startsWith("Not found");
    say(missing ? `No ${kind} template saved here: Herald's own wording is used.` : "");
    if (!missing) showError(failure.message);
  }
  schedulePreview();
}

function schedulePreview() {
  clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(runPreview, 300);
}

async function runPreview() {
  const fields = templateFields();
  const request = { kind: $("tpl-kind").value, event: previewEvent() };
  if (Object.keys(fields).length) request.template = fields;
  const ref = $("tpl-ref").value.trim();
  if (ref) request.destinationRef = ref;
  try {
    const answer = await api("POST", "/v1/templates/preview", request);
    $("preview-line").textContent = `${answer.method} ${answer.url}`;
    $("preview-headers").textContent = Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}`).join("\n");
    $("preview-body").textContent = prettyBody(answer.body);
    showError("");
  } catch (error) {
    $("preview-line").textContent = "No preview: the template cannot render.";
    $("preview-headers").textContent = "";
    $("preview-body").textContent = "";
    showError(error.message);
  }
}

function prettyBody(body) {
  if (body === null || body === undefined) return "(no body)";
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch (error) { return body; }
}

async function saveTemplate(event) {
  event.preventDefault();
  try {
    await api("PUT", templatePath(), templateFields());
    say("Template saved: new deliveries use it.");
    showError("");
  } catch (error) { showError(error.message); }
}

async function deleteTemplate() {
  if (!(await confirmAction("Delete this template? Herald's own wording is used again."))) return;
  try {
    await api("DELETE", templatePath());
    await loadTemplate();
    say("Template deleted.");
  } catch (error) { showError(error.message); }
}

// --- overview ------------------------------------------------------------------------------------------

async function loadOverview() {
  try {
    const found = await api("GET", "/v1/console/overview");
    drawChart(found.hours || []);
    const dlq = $("dlq-body");
    if (found.deadLetters) {
      dlq.replaceChildren(el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Kind"), el("th", { scope: "col" }, "Messages waiting"))),
        el("tbody", {}, ...Object.entries(found.deadLetters).map(([kind, depth]) => el("tr", {}, el("td", {}, kind), el("td", {}, depth === null ? "unavailable" : depth))))));
    } else {
      dlq.replaceChildren(el("p", { class: "hint denied" }, "Dead-letter depth needs the operator:read scope, which this key does not have."));
    }
    showError("");
  } catch (error) { showError(error.message); }
}

function drawChart(hours) {
  const ns = "http://www.w3.org/2000/svg";
  const width = 720, height = 220, pad = 28;
  const statuses = Object.keys(STATUS_COLOURS);
  const max = Math.max(1, ...hours.map((h) => statuses.reduce((sum, s) => sum + (h[s] || 0), 0)));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  const total = hours.reduce((sum, h) => sum + statuses.reduce((n, s) => n + (h[s] || 0), 0), 0);
  svg.setAttribute("aria-label", `Bar chart: ${total} deliveries in the last 24 hours, at most ${max} in one hour.`);
  svg.style.width = "100%";
  const barWidth = (width - pad * 2) / Math.max(1, hours.length);
  hours.forEach((hour, i) => {
    let y = height - pad;
    for (const status of statuses) {
      const value = hour[status] || 0;
      if (!value) continue;
      const h = ((height - pad * 2) * value) / max;
      const rect = document.createElementNS(ns, "rect");
      y -= h;
      rect.setAttribute("x", String(pad + i * barWidth + 1));
      rect.setAttribute("y", String(y));
      rect.setAttribute("width", String(Math.max(1, barWidth - 2)));
      rect.setAttribute("height", String(h));
      rect.setAttribute("fill", STATUS_COLOURS[status]);
      const title = document.createElementNS(ns, "title");
      title.textContent = `${new Date(hour.hour).toLocaleString()}: ${value} ${status}`;
      rect.append(title);
      svg.append(rect);
    }
    if (i % 6 === 0) {
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", String(pad + i * barWidth));
      label.setAttribute("y", String(height - 8));
      label.setAttribute("font-size", "12");
      label.textContent = new Date(hour.hour).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      svg.append(label);
    }
  });
  const axis = document.createElementNS(ns, "text");
  axis.setAttribute("x", "2"); axis.setAttribute("y", String(pad)); axis.setAttribute("font-size", "12");
  axis.textContent = String(max);
  svg.append(axis);
  $("chart").replaceChildren(svg);
  $("legend").replaceChildren(...statuses.map((s) => {
    const swatch = el("span", { "aria-hidden": "true" });
    swatch.style.background = STATUS_COLOURS[s];
    return el("li", {}, swatch, s);
  }));
}

// --- start ---------------------------------------------------------------------------------------------

// `#key=TOKEN` signs in; the fragment never reaches the server and is removed from the address bar at once.
function signInFromFragment() {
  const fragment = location.hash.match(/^#key=([^&]+)/);
  if (!fragment) return false;
  history.replaceState(null, "", `${location.pathname}#events`);
  signIn(decodeURIComponent(fragment[1]));
  return true;
}

function start() {
  $("signin-form").addEventListener("submit", (event) => { event.preventDefault(); signIn($("key").value.trim()); });
  $("sign-out").addEventListener("click", () => signOut());
  $("event-filters").addEventListener("change", () => loadEvents());
  $("acknowledge").addEventListener("click", () => eventAction("acknowledge", "Acknowledge this event? Pending escalation steps stop.", "Acknowledged."));
  $("replay").addEventListener("click", () => eventAction("replay", "Send this event's failed deliveries again?", "Failed deliveries queued again."));
  $("template-form").addEventListener("submit", saveTemplate);
  $("template-form").addEventListener("input", (event) => { if (event.target.id !== "tpl-ref") schedulePreview(); });
  $("tpl-kind").addEventListener("change", loadTemplate);
  $("tpl-ref").addEventListener("change", loadTemplate);
  $("tpl-delete").addEventListener("click", deleteTemplate);
  for (const link of document.querySelectorAll("nav a")) {
    link.addEventListener("click", (event) => { if (link.classList.contains("denied")) event.preventDefault(); });
  }
  window.addEventListener("hashchange", () => { if (!signInFromFragment()) route(); });
  if (signInFromFragment()) return;
  const stored = sessionStorage.getItem(KEY_STORE);
  if (stored) signIn(stored);
  else showView("signin");
}

document.addEventListener("DOMContentLoaded", start);
