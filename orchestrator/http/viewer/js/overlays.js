// Overlays drawn on a transparent canvas above the picture, in frame pixels, from the
// features' JSON only: masks (translucent), points and skeletons, boxes and their labels.
//
// Rules that keep the picture readable whatever is subscribed:
// - a box feature refined by another box feature in the same event (persons by
//   persons.tracks, faces by faces.tracks) is not drawn twice: the refined one is drawn;
// - a feature whose items have no geometry (an expression per face, a dwell per track, a
//   gesture per hand) labels the boxes of another feature: by track id when both have
//   them, else by index when the counts agree (results keep detection order), preferring
//   its prerequisites.

import { itemsOf } from "./shapes.js";
import { layout } from "./skeletons.js";

const MASK_ALPHA = 0.4;

export function drawOverlays(ctx, features, { closure, colorOf, masks }) {
  const { width: W, height: H } = ctx.canvas;
  ctx.clearRect(0, 0, W, H);
  const unit = Math.max(W, H) / 800;
  for (const [name, bitmap] of masks) tint(ctx, bitmap, colorOf(name), W, H);

  const items = new Map();
  for (const name of Object.keys(features).sort()) {
    const found = itemsOf(features[name]);
    if (found.length) items.set(name, found);
  }
  const boxed = [...items.keys()].filter((n) => items.get(n).some((i) => i.box));
  const refined = new Set(boxed.filter((a) => boxed.some((b) => b !== a && closure(b).has(a))));
  const drawn = [...items.keys()].filter((n) => !refined.has(n));
  const extra = new Map();
  for (const name of drawn) {
    const own = items.get(name);
    if (own.some((i) => i.box || i.points)) continue;
    for (const [target, labels] of attach(name, own, items, boxed, refined, closure)) {
      if (target && labels.length) extra.set(target, [...(extra.get(target) || []), ...labels]);
    }
  }
  for (const name of drawn) drawPoints(ctx, items.get(name), colorOf(name), unit);
  for (const name of drawn) {
    for (const it of items.get(name)) {
      if (!it.box) continue;
      const text = [...(it.track !== null ? [`#${it.track}`] : []), ...it.labels];
      drawBox(ctx, it.box, colorOf(name), [...text, ...(extra.get(it) || [])].join(" · "), unit);
    }
  }
}

function attach(name, own, items, boxed, refined, closure) {
  const shown = boxed.filter((b) => !refined.has(b));
  const needed = shown.filter((b) => closure(name).has(b));
  const pool = needed.length ? needed : shown;
  const tracked = pool.filter((b) => items.get(b).some((it) => it.track !== null));
  if (own.some((i) => i.track !== null) && tracked.length) {
    const byTrack = new Map();
    for (const b of tracked) {
      for (const it of items.get(b)) {
        if (it.track !== null && !byTrack.has(it.track)) byTrack.set(it.track, it);
      }
    }
    return own.map((i) => [byTrack.get(i.track), i.labels]);
  }
  const same = pool.find((b) => items.get(b).length === own.length);
  return same ? own.map((i, k) => [items.get(same)[k], i.labels]) : [];
}

function drawBox(ctx, [x1, y1, x2, y2], color, text, unit) {
  ctx.lineWidth = Math.max(2, 2 * unit);
  ctx.strokeStyle = color;
  ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
  if (!text) return;
  const size = Math.round(9 * unit + 3);
  ctx.font = `600 ${size}px system-ui, "DejaVu Sans", sans-serif`;
  const pad = Math.round(size / 4);
  const w = ctx.measureText(text).width + 2 * pad;
  const h = size + 2 * pad;
  const x = Math.max(0, Math.min(x1, ctx.canvas.width - w)); // kept inside the frame
  const y = y1 - h >= 0 ? y1 - h : y1; // above the box, or inside at the top edge
  ctx.fillStyle = color;
  ctx.fillRect(x, y, w, h);
  ctx.fillStyle = "#111418";
  ctx.textBaseline = "top";
  ctx.fillText(text, x + pad, y + pad);
}

function drawPoints(ctx, items, color, unit) {
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = Math.max(1.5, 1.5 * unit);
  for (const it of items) {
    if (!it.points) continue;
    const pts = it.points;
    const { edges, visibility } = layout(pts.length);
    const seen = (p) => !visibility || (p[2] ?? 1) >= 0.5;
    ctx.beginPath();
    for (const [a, b] of edges) {
      if (a < pts.length && b < pts.length && seen(pts[a]) && seen(pts[b])) {
        ctx.moveTo(pts[a][0], pts[a][1]);
        ctx.lineTo(pts[b][0], pts[b][1]);
      }
    }
    ctx.stroke();
    const r = pts.length > 100 ? Math.max(0.8, 0.8 * unit) : Math.max(2, 2.2 * unit);
    for (const p of pts) {
      if (!seen(p)) continue;
      ctx.beginPath();
      ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** A grey mask (255 = inside) as a translucent layer of `color`, stretched over the frame. */
function tint(ctx, bitmap, color, W, H) {
  const off = document.createElement("canvas");
  off.width = bitmap.width;
  off.height = bitmap.height;
  const octx = off.getContext("2d", { willReadFrequently: true });
  octx.drawImage(bitmap, 0, 0);
  const img = octx.getImageData(0, 0, off.width, off.height);
  const [r, g, b] = rgb(color);
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i] * MASK_ALPHA;
    d[i] = r;
    d[i + 1] = g;
    d[i + 2] = b;
    d[i + 3] = a;
  }
  octx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, W, H);
}

export function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
