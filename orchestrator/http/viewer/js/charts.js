// Small time series of the scalar results (motion energy, image quality, counts, ...), one
// per number, over the last frames; a scene cut is a red mark across every chart.

import { isCut, scalarsOf } from "./shapes.js";

const WINDOW = 200; // frames shown
const CUT_COLOR = "#ff5c5c";

export class Charts {
  constructor(root, colorOf) {
    this.root = root;
    this.colorOf = colorOf;
    this.series = new Map(); // "feature.key" -> {feature, points: [[frame, value]], el, canvas}
    this.cuts = [];
    this.first = null; // the first frame received: charts fill their width from there
    this.last = 0;
  }

  push(frame, features) {
    if (frame < this.last) this.clear(); // frame numbers went back: a new stream
    if (this.first === null) this.first = frame;
    this.last = frame;
    for (const [name, value] of Object.entries(features)) {
      if (isCut(value)) this.cuts.push(frame);
      for (const [key, number] of scalarsOf(value)) {
        this.line(name, key).points.push([frame, number]);
      }
    }
    const first = frame - WINDOW;
    this.cuts = this.cuts.filter((f) => f > first);
    for (const s of this.series.values()) {
      while (s.points.length && s.points[0][0] <= first) s.points.shift();
    }
  }

  clear() {
    for (const s of this.series.values()) s.points.length = 0;
    this.cuts = [];
    this.first = null;
  }

  /** Forget the series of features no longer received. */
  retain(features) {
    for (const [id, s] of this.series) {
      if (!features.has(s.feature)) {
        s.el.remove();
        this.series.delete(id);
      }
    }
  }

  line(feature, key) {
    const id = `${feature}.${key}`;
    let s = this.series.get(id);
    if (!s) {
      const el = document.createElement("div");
      el.className = "chart";
      el.dataset.series = id;
      el.innerHTML = "<header><span></span><b></b></header><canvas></canvas>";
      el.querySelector("span").textContent = key === "value" ? feature : `${feature} ${key}`;
      s = { feature, points: [], el, canvas: el.querySelector("canvas") };
      const after = [...this.series.keys()].sort().find((k) => k > id);
      this.root.insertBefore(el, after ? this.series.get(after).el : null);
      this.series.set(id, s);
    }
    return s;
  }

  draw() {
    for (const s of this.series.values()) this.drawOne(s);
  }

  drawOne(s) {
    const c = s.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(c.clientWidth * dpr));
    const h = Math.max(1, Math.round(c.clientHeight * dpr));
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    const last = s.points.at(-1);
    s.el.querySelector("b").textContent = last ? format(last[1]) : "–";
    const x0 = Math.max(this.last - WINDOW, this.first ?? 0);
    const span = Math.max(1, this.last - x0);
    const x = (frame) => ((frame - x0) / span) * w;
    ctx.fillStyle = CUT_COLOR;
    for (const f of this.cuts) ctx.fillRect(Math.round(x(f)), 0, Math.max(1, dpr), h);
    if (s.points.length < 2) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [, v] of s.points) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (hi - lo < 1e-9) {
      hi += 0.5;
      lo -= 0.5;
    }
    const y = (v) => h - 2 * dpr - ((v - lo) / (hi - lo)) * (h - 4 * dpr);
    ctx.strokeStyle = this.colorOf(s.feature);
    ctx.lineWidth = 1.5 * dpr;
    ctx.beginPath();
    s.points.forEach(([f, v], i) => (i ? ctx.lineTo(x(f), y(v)) : ctx.moveTo(x(f), y(v))));
    ctx.stroke();
  }
}

function format(v) {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}
