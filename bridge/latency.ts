/**
 * Latency figures the bridge reports in /health: bounded windows of recent samples, so a long-running
 * bridge reports the present.
 */
const WINDOW = 2000;
const PENDING_LIMIT = 10_000;

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export class SampleWindow {
  private samples: number[] = [];
  private total = 0;

  add(sample: number): void {
    this.samples.push(sample);
    if (this.samples.length > WINDOW * 2) this.samples = this.samples.slice(-WINDOW);
    this.total++;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(-WINDOW).sort((a, b) => a - b);
    const round = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);
    return {
      count: this.total,
      p50: round(percentile(sorted, 0.5)),
      p95: round(percentile(sorted, 0.95)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted.at(-1) ?? null),
    };
  }
}

/** From the bridge's receipt of a ringing event to the extension's ack that the card is on screen. */
export class PopLatency {
  private readonly pending = new Map<string, number>();
  private readonly window = new SampleWindow();

  /** A live ringing call was sent to the extension; `receivedAt` is from performance.now(). */
  started(callId: string, receivedAt: number): void {
    if (this.pending.has(callId)) return;
    if (this.pending.size >= PENDING_LIMIT) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(callId, receivedAt);
  }

  /** The first ack for a call closes its sample; later acks (other clients, retries) do not count. */
  acked(callId: string, now: number): number | undefined {
    const startedAt = this.pending.get(callId);
    if (startedAt === undefined) return undefined;
    this.pending.delete(callId);
    const sample = now - startedAt;
    this.window.add(sample);
    return sample;
  }

  summary(): LatencySummary {
    return this.window.summary();
  }
}
