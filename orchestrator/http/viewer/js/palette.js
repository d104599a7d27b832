// One colour per feature: fixed for the catalog's own, derived from the name for any other
// (so a new feature gets a stable colour of its own).

const KNOWN = {
  persons: "#00e5ff",
  "persons.tracks": "#00e5ff",
  "persons.dwell": "#00e5ff",
  "persons.pose": "#76ff03",
  "persons.mask": "#2979ff",
  faces: "#ffd54f",
  "faces.tracks": "#ffd54f",
  "faces.expression": "#ffd54f",
  "faces.expression.smoothed": "#ffd54f",
  "faces.landmarks": "#ff4081",
  "faces.blinks": "#ffd54f",
};

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function hslHex(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, "0");
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

export function colorOf(name) {
  return KNOWN[name] ?? hslHex(hash(name) % 360, 0.85, 0.6);
}
