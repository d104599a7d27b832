// What can be drawn, found in any feature's JSON by a generic rule, so that a feature added
// to the server later shows up without viewer code:
// - an item is an object with a box (`box`, `xyxy`, `bbox`: [x1, y1, x2, y2] in frame pixels)
//   and/or points (`keypoints`, `points`, `landmarks`: [[x, y, ...], ...]), or an object in an
//   array of objects (label-only items, e.g. an expression per face, a dwell time per track);
//   its short strings (`label`, `gesture`, ...) and `seconds`/`blinks` are its labels;
//   `{boxes: [[x1, y1, x2, y2], ...]}` with parallel `tracks`/`ids`/`labels` arrays works too;
// - a mask is an object with `png` (base64), `width` and `height`;
// - a picture is an object with `jpeg` (base64), `width` and `height` (image.preview);
// - scalars are the numbers at the top of a result (time series), and `cut: true` a mark.

const BOX_KEYS = ["box", "xyxy", "bbox"];
const POINT_KEYS = ["keypoints", "points", "landmarks"];
const LABEL_UNITS = { seconds: " s", blinks: " blinks" };
const MAX_LABEL = 32; // longer strings are data (base64, ids), not labels
const NOT_SERIES = new Set(["width", "height", "frame_width", "frame_height", "bytes"]);
const MAX_DEPTH = 4;

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export const isBox = (v) => Array.isArray(v) && v.length === 4 && v.every(isNumber);

export const isPoints = (v) =>
  Array.isArray(v) &&
  v.length > 0 &&
  v.every((p) => Array.isArray(p) && p.length >= 2 && isNumber(p[0]) && isNumber(p[1]));

function label(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** One drawable item: box, points, track id and text labels (any may be missing). */
function item(obj) {
  const out = { box: null, points: null, track: null, labels: [] };
  const boxKey = BOX_KEYS.find((k) => isBox(obj[k]));
  if (boxKey) out.box = obj[boxKey];
  const pointsKey = POINT_KEYS.find((k) => isPoints(obj[k]));
  if (pointsKey) out.points = obj[pointsKey];
  if (Number.isInteger(obj.track)) out.track = obj.track;
  for (const value of Object.values(obj)) {
    if (typeof value === "string" && value && value !== "none" && value.length <= MAX_LABEL) {
      out.labels.push(value);
    }
  }
  for (const [key, unit] of Object.entries(LABEL_UNITS)) {
    if (isNumber(obj[key])) out.labels.push(label(obj[key]) + unit);
  }
  return out;
}

function boxesItems(obj) {
  const tracks = obj.tracks ?? obj.ids ?? obj.track_ids;
  return obj.boxes.map((box, i) => {
    const it = { box, points: null, track: null, labels: [] };
    if (Array.isArray(tracks) && Number.isInteger(tracks[i])) it.track = tracks[i];
    const text = Array.isArray(obj.labels) ? obj.labels[i] : undefined;
    if (typeof text === "string") it.labels.push(text);
    return it;
  });
}

/** Every item of a feature's result, in order. */
export function itemsOf(value) {
  const out = [];
  const visit = (v, depth) => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(v)) {
      if (v.length && v.every(isObject)) v.forEach((x) => out.push(item(x)));
      return;
    }
    if (!isObject(v)) return;
    if (Array.isArray(v.boxes) && v.boxes.length && v.boxes.every(isBox)) {
      out.push(...boxesItems(v));
      return;
    }
    if (BOX_KEYS.some((k) => isBox(v[k])) || POINT_KEYS.some((k) => isPoints(v[k]))) {
      out.push(item(v));
      return;
    }
    for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(value, 0);
  return out;
}

const encoded = (v, key) =>
  isObject(v) && typeof v[key] === "string" && isNumber(v.width) && isNumber(v.height);

export const isMask = (v) => encoded(v, "png");
export const isPicture = (v) => encoded(v, "jpeg");

/** The numbers at the top of a result, as [name, value] pairs, for time series. */
export function scalarsOf(value) {
  if (!isObject(value)) return isNumber(value) ? [["value", value]] : [];
  return Object.entries(value).filter(([k, v]) => isNumber(v) && !NOT_SERIES.has(k));
}

export const isCut = (value) => isObject(value) && value.cut === true;

export function base64Bytes(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
