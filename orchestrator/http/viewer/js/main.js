// The viewer: the live frame with overlays, time series, the catalog as toggles and the
// live plan, over one WebSocket subscription to this server.
//
// `window.framegraph` says what is on screen (state, the event drawn, counters): for
// tests, and for anyone curious in the browser's console.

import * as api from "./api.js";
import { Charts } from "./charts.js";
import { Connection } from "./connection.js";
import { askForToken } from "./login.js";
import { drawOverlays } from "./overlays.js";
import { colorOf } from "./palette.js";
import { renderPlan } from "./plan.js";
import { base64Bytes, isMask, isPicture, itemsOf } from "./shapes.js";
import { Stats } from "./stats.js";
import { Toggles } from "./toggles.js";

const DEFAULT = [
  "image.preview", "persons.tracks", "persons.dwell", "motion", "image.quality", "scene.cut",
];
const PLAN_EVERY_MS = 2000;
const $ = (id) => document.getElementById(id);

const view = {
  state: "connecting",
  detail: "",
  paused: false,
  drawn: null, // {frame, features, width, height}: the event whose picture and overlays are shown
  received: 0,
  subscription: [],
  plan: null,
  colorOf,
};
window.framegraph = view;

const video = $("video");
const overlay = $("overlay");
const stats = new Stats({
  frame: $("stat-frame"),
  fps: $("stat-fps"),
  latency: $("stat-latency"),
  mine: $("stat-mine"),
  stream: $("stat-stream"),
});
const charts = new Charts($("charts"), colorOf);
view.charts = charts;
let entries = new Map();
let frameSize = null;
let connection = null;

function closureOf() {
  const memo = new Map();
  const closure = (name) => {
    if (!memo.has(name)) {
      const out = new Set();
      for (const dep of entries.get(name)?.needs || []) {
        out.add(dep);
        for (const d of closure(dep)) out.add(d);
      }
      memo.set(name, out);
    }
    return memo.get(name);
  };
  return closure;
}
let closure = closureOf();

// State -----------------------------------------------------------------------------------
const BANNERS = {
  connecting: "Connecting…",
  disconnected: "Connection lost",
  ended: "Stream ended",
  idle: "No feature selected",
  login: "Log in to watch this stream",
};

function setState(state, detail = "") {
  view.state = state;
  view.detail = detail;
  showState();
}

function showState() {
  const shown = view.paused && view.state === "live" ? "paused" : view.state;
  const badge = $("state");
  badge.dataset.state = shown;
  badge.textContent = shown + (view.detail ? ` · ${view.detail}` : "");
  const banner = $("banner");
  banner.hidden = shown === "live" || shown === "paused";
  banner.textContent = [BANNERS[shown] || shown, view.detail].filter(Boolean).join(" — ");
}

// Events ----------------------------------------------------------------------------------
let pending = null;
let drawing = false;

function onEvent(event) {
  switch (event.type) {
    case "result":
      view.received += 1;
      stats.result(event);
      charts.push(event.frame, event.features);
      showErrors(event.errors);
      pending = event;
      pump();
      break;
    case "dropped":
      stats.dropped(event);
      break;
    case "error":
      stats.error(event);
      break;
    case "subscribed":
    case "changed":
      showPlan(event.plan);
      break;
    case "rejected":
      $("errors").hidden = false;
      $("errors").textContent = `refused: ${event.message}`;
      break;
    default:
      break;
  }
}

async function pump() {
  if (drawing) return;
  drawing = true;
  try {
    while (pending && !view.paused && !document.hidden) {
      const event = pending;
      pending = null;
      await draw(event);
    }
  } finally {
    drawing = false;
  }
}

function decode(b64, type) {
  return createImageBitmap(new Blob([base64Bytes(b64)], { type }));
}

/** Picture and overlays of one event, decoded first and then drawn together. */
async function draw(event) {
  const features = event.features;
  const picture = Object.values(features).find(isPicture);
  const masks = Object.entries(features).filter(([, v]) => isMask(v));
  let bitmaps;
  try {
    bitmaps = await Promise.all([
      picture ? decode(picture.jpeg, "image/jpeg") : null,
      ...masks.map(([, v]) => decode(v.png, "image/png")),
    ]);
  } catch (err) {
    console.warn("frame", event.frame, "could not be decoded", err);
    return;
  }
  const [bitmap, ...maskBitmaps] = bitmaps;
  if (picture) {
    frameSize = [picture.frame_width ?? picture.width, picture.frame_height ?? picture.height];
  }
  const [w, h] = frameSize || extent(features);
  for (const canvas of [video, overlay]) {
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
  }
  const vctx = video.getContext("2d");
  if (bitmap) {
    vctx.drawImage(bitmap, 0, 0, w, h);
    bitmap.close();
  } else {
    vctx.fillStyle = "#000";
    vctx.fillRect(0, 0, w, h);
  }
  drawOverlays(overlay.getContext("2d"), features, {
    closure,
    colorOf,
    masks: masks.map(([name], i) => [name, maskBitmaps[i]]),
  });
  maskBitmaps.forEach((b) => b.close());
  view.drawn = { frame: event.frame, features, width: w, height: h };
  charts.draw();
}

/** Without a picture: a canvas large enough for what is drawn. */
function extent(features) {
  let w = 640;
  let h = 360;
  for (const value of Object.values(features)) {
    for (const it of itemsOf(value)) {
      const corners = it.box ? [it.box.slice(0, 2), it.box.slice(2)] : [];
      for (const [x, y] of [...corners, ...(it.points || [])]) {
        w = Math.max(w, Math.ceil(x));
        h = Math.max(h, Math.ceil(y));
      }
    }
  }
  return [w, h];
}

function showErrors(errors) {
  const el = $("errors");
  const list = Object.entries(errors || {});
  el.hidden = !list.length;
  el.textContent = list.map(([name, message]) => `${name}: ${message}`).join(" · ");
}

function showPlan(plan) {
  if (!plan) return;
  view.plan = plan;
  const mine = new Set(view.subscription);
  for (const name of view.subscription) for (const dep of closure(name)) mine.add(dep);
  renderPlan($("plan"), plan, entries, mine);
}

async function refreshPlan() {
  try {
    showPlan(await api.livePlan());
  } catch {
    // the connection's state already says what is wrong
  }
}

// Access ----------------------------------------------------------------------------------
/** Resolves once this browser may use the API (logging in first if the server asks). */
async function ensureSession() {
  const session = await api.session();
  $("logout").hidden = !session.auth_required;
  if (session.auth_required && !session.authenticated) {
    setState("login");
    await askForToken();
  }
}

/** After a connection failed before opening: log in if that was the reason. */
async function onRefused() {
  let session;
  try {
    session = await api.session();
  } catch {
    return true; // the server is away: keep retrying
  }
  if (session.auth_required && !session.authenticated) {
    setState("login");
    await askForToken();
    connection.connect();
    return false;
  }
  return true;
}

// Start -----------------------------------------------------------------------------------
function initialSelection(catalog) {
  const valid = new Set(catalog.features.filter((e) => e.public).map((e) => e.name));
  const hash = new URLSearchParams(location.hash.slice(1)).get("features");
  const fallback = catalog.default.length ? catalog.default : DEFAULT;
  const wanted = hash !== null ? hash.split(",") : fallback;
  return wanted.map((n) => n.trim()).filter((n) => valid.has(n));
}

function remember(selected) {
  history.replaceState(null, "", `#features=${selected.join(",")}`);
}

async function start() {
  setState("connecting");
  await ensureSession();
  const catalog = await api.catalog();
  entries = new Map(catalog.features.map((e) => [e.name, e]));
  closure = closureOf();
  const toggles = new Toggles($("toggles"), entries, initialSelection(catalog), {
    closure,
    colorOf,
    onChange(subscription, selected) {
      view.subscription = subscription;
      remember(selected);
      charts.retain(new Set(subscription));
      connection.setFeatures(subscription);
    },
  });
  view.subscription = toggles.subscription();
  connection = new Connection(api.wsURL("ws"), { onEvent, onState: setState, onRefused });
  connection.start(view.subscription);
  setInterval(refreshPlan, PLAN_EVERY_MS);
  setInterval(() => stats.render(), 500);

  // A hidden tab draws nothing (its stats still count); it shows the newest frame on return.
  document.addEventListener("visibilitychange", pump);
  $("pause").addEventListener("click", () => {
    view.paused = !view.paused;
    $("pause").textContent = view.paused ? "Resume" : "Pause";
    showState();
    pump();
  });
  $("logout").addEventListener("click", async () => {
    connection.stop();
    await api.logout().catch(() => null);
    location.reload();
  });
}

async function boot() {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (err) {
      // the server is not there (yet): try again, as the connection itself would
      const seconds = Math.min(10, attempt);
      setState("disconnected", `${err.message}; retrying in ${seconds} s`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

boot();
