// The server's HTTP API, by URLs relative to the page: the viewer works behind a proxy that
// serves it under a path, and never talks to another origin.

export function url(path) {
  return new URL(path, document.baseURI);
}

export function wsURL(path) {
  const u = url(path);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.href;
}

export class HttpError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function request(path, options = {}) {
  const response = await fetch(url(path), { credentials: "same-origin", ...options });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

export const session = () => request("session", { cache: "no-store" });

export const login = (token) =>
  request("session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });

export const logout = () => request("session", { method: "DELETE" });

export const catalog = () => request("features?all=1");

export const livePlan = () => request("plan", { cache: "no-store" });
