// One WebSocket subscription that survives: it reconnects with backoff when the connection
// drops, follows the wanted feature set at run time (subscribe / change / unsubscribe),
// and says what state it is in.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000];
const QUEUE = 4; // a viewer wants the newest frames: a short queue, policy "latest"

export class Connection {
  /**
   * @param {string} url the WebSocket URL
   * @param {{onEvent: (e: object) => void, onState: (state: string, detail: string) => void,
   *          onRefused: () => Promise<boolean>}} handlers
   *   onRefused: called when a connection failed before it opened; resolve false to stop
   *   retrying (e.g. a login is needed and will restart it).
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.features = [];
    this.ws = null;
    this.subscribed = false;
    this.attempt = 0;
    this.nextId = 1;
    this.timer = null;
    this.ended = null; // the `end` event of the last subscription, if the server ended it
    this.queue = QUEUE; // dropped if the server allows less (--max-queue): its default then
    this.stopped = true;
  }

  start(features) {
    this.features = [...features];
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, "viewer closed");
  }

  /** Change what this viewer receives; takes effect from the server's next frame. */
  setFeatures(features) {
    this.features = [...features];
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (!this.features.length) {
      if (this.subscribed) this.send({ type: "unsubscribe" });
      this.subscribed = false;
      this.state("idle", "no feature selected");
    } else if (this.subscribed) {
      this.send({ type: "change", features: this.features });
    } else {
      this.subscribe();
    }
  }

  connect() {
    clearTimeout(this.timer);
    // A retry keeps saying why it retries (ended, or lost) rather than flicker.
    if (!this.attempt) this.state("connecting", "");
    else if (!this.ended) this.state("disconnected", `reconnecting (attempt ${this.attempt + 1})`);
    let opened = false;
    const ws = (this.ws = new WebSocket(this.url));
    ws.onopen = () => {
      opened = true;
      if (this.features.length) this.subscribe();
      else this.state("idle", "no feature selected");
    };
    ws.onmessage = (message) => this.receive(JSON.parse(message.data));
    ws.onclose = async (close) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.subscribed = false;
      if (this.stopped) return;
      if (!opened && !(await this.handlers.onRefused())) return;
      this.retry(close);
    };
  }

  retry(close) {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const seconds = Math.round(delay / 100) / 10;
    if (this.ended) {
      const why = this.ended.reason || "stream ended";
      this.state("ended", `${why}; waiting for the stream (${seconds} s)`);
    } else {
      const why = close.code === 1006 ? "connection lost" : `closed (${close.code})`;
      this.state("disconnected", `${why}; reconnecting in ${seconds} s`);
    }
    this.timer = setTimeout(() => this.connect(), delay);
  }

  subscribe() {
    const queue = this.queue ? { queue: this.queue } : {};
    this.send({ type: "subscribe", features: this.features, policy: "latest", ...queue });
  }

  receive(event) {
    switch (event.type) {
      case "subscribed":
        this.subscribed = true;
        this.attempt = 0;
        this.ended = null;
        this.state("live", "");
        break;
      case "rejected":
        if (event.request === "subscribe") this.subscribed = false;
        if (event.request === "subscribe" && event.error === "bad_queue" && this.queue) {
          this.queue = null;
          this.subscribe();
          return;
        }
        if (event.status === 410) {
          // subscribing after the end of input (the server lingers): wait for a new stream
          this.ended = { reason: "the stream has ended" };
          this.ws.close(1000, "stream ended");
        }
        break;
      case "end":
        this.ended = event;
        this.subscribed = false;
        this.state("ended", event.reason || event.code);
        break;
      default:
        break;
    }
    this.handlers.onEvent(event);
  }

  send(body) {
    this.ws.send(JSON.stringify({ ...body, id: this.nextId++ }));
  }

  state(name, detail) {
    this.handlers.onState(name, detail);
  }
}
