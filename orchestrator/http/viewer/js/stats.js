// Frame rate, latency and drops as this viewer sees them: its own (events it missed by
// falling behind) and the stream's (frames dropped or unreadable at the source).

const KEEP = 60;

export class Stats {
  constructor(el) {
    this.el = el;
    this.arrivals = [];
    this.latencies = [];
    this.frame = null;
    this.mine = 0;
    this.stream = 0;
  }

  result(event) {
    this.arrivals.push(performance.now());
    this.latencies.push(event.latency_ms);
    if (this.arrivals.length > KEEP) this.arrivals.shift();
    if (this.latencies.length > KEEP) this.latencies.shift();
    this.frame = event.frame;
  }

  dropped(event) {
    if (event.reason === "client_behind") this.mine += event.count || 1;
    else this.stream += 1;
  }

  error() {
    this.stream += 1;
  }

  render() {
    const now = performance.now();
    const recent = this.arrivals.filter((t) => now - t < 2000).length;
    this.el.frame.textContent = this.frame ?? "–";
    this.el.fps.textContent = this.frame === null ? "–" : (recent / 2).toFixed(1);
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
    this.el.latency.textContent = median === null ? "–" : `${median.toFixed(0)} ms`;
    this.el.latency.title = "median of the last frames: arrival on the server's stdin to sent";
    this.el.mine.textContent = this.mine;
    this.el.stream.textContent = this.stream;
  }
}
