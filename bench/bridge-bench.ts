/**
 * Bridge benchmarks: AMI parsing throughput on the real recordings, and fan-out to 50 extensions under a
 * steady call load with the bridge's memory watched. Pure Node, real sockets, the real bridge process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmiCallTracker } from '../bridge/sources/ami/call-tracker';
import { AmiParser } from '../bridge/sources/ami/parse';
import { postCall, REPO_ROOT, startBridge } from '../tests/helpers/bridge-process';
import { TestClient } from '../tests/helpers/ws-client';
import type { Row } from './rows';

export async function benchAmi(): Promise<Row[]> {
  const recordings = ['answered.raw', 'missed-caller-cancel.raw', 'originate.raw'].map((name) =>
    readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'ami', name)),
  );
  // Replayed as one endless stream: the banner once, then the recordings' bodies again and again, in 1400-byte
  // TCP-sized chunks.
  const banner = recordings[0]!.subarray(0, recordings[0]!.indexOf('\r\n') + 2);
  const bodies = Buffer.concat(recordings.map((data) => data.subarray(data.indexOf('\r\n') + 2)));
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bodies.length; offset += 1400)
    chunks.push(bodies.subarray(offset, offset + 1400));

  const measure = (withTracker: boolean) => {
    let messages = 0;
    let calls = 0;
    const tracker = new AmiCallTracker(() => calls++, {});
    const parser = new AmiParser({
      banner: () => {},
      error: () => {},
      message: (message) => {
        messages++;
        if (withTracker) tracker.handle(message);
      },
    });
    parser.feed(banner);
    const started = performance.now();
    let bytes = 0;
    while (performance.now() - started < 3000) {
      for (const chunk of chunks) parser.feed(chunk);
      bytes += bodies.length;
    }
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: Math.round(messages / seconds), mbPerSecond: bytes / seconds / 1e6, calls };
  };
  measure(true); // warm-up
  const parseOnly = measure(false);
  const withTracker = measure(true);
  return [
    {
      metric: 'AMI parse throughput (recordings replayed in a loop, 1400-byte chunks)',
      value: `${parseOnly.perSecond.toLocaleString('en')} events/s (${parseOnly.mbPerSecond.toFixed(0)} MB/s)`,
      goal: '≥ 100,000 events/s',
      met: parseOnly.perSecond >= 100_000,
    },
    {
      metric: 'AMI parse + call tracking',
      value: `${withTracker.perSecond.toLocaleString('en')} events/s`,
      goal: '',
    },
  ];
}

interface Health {
  fanoutMs: { count: number; p50: number; p95: number; p99: number; max: number };
  memoryMb: { rss: number; heapUsed: number };
}

export async function benchFanout(seconds = Number(process.env.BENCH_FANOUT_SECONDS ?? 60)): Promise<Row[]> {
  const bridge = await startBridge({ nodeArgs: ['--expose-gc'] });
  // The heap is read after a full collection: what is still alive, not when the collector last ran.
  const health = async () =>
    (await (
      await fetch(`${bridge.httpUrl}/health?gc=1`, { headers: { authorization: `Bearer ${bridge.token}` } })
    ).json()) as Health;
  const clients: TestClient[] = [];
  try {
    for (let index = 0; index < 50; index++) {
      const client = await TestClient.connect(bridge.wsUrl, bridge.token);
      await client.hello();
      clients.push(client);
    }
    // 20 calls per second, each a ringing and an end event: 40 events/s fanned out to 50 extensions.
    const memory: Array<{ at: number; rss: number; heap: number }> = [];
    const started = Date.now();
    let calls = 0;
    let nextSample = started;
    while (Date.now() - started < seconds * 1000) {
      const tickStart = Date.now();
      const batch: Promise<unknown>[] = [];
      for (let index = 0; index < 20; index++) {
        const callId = `fan-${calls++}`;
        const from = `+97254${String(1_000_000 + (calls % 1_000_000)).slice(-7)}`;
        batch.push(
          postCall(bridge, { callId, state: 'ringing', from }).then(() =>
            postCall(bridge, { callId, state: 'ended', from }),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await Promise.all(batch);
      if (Date.now() >= nextSample) {
        const now = await health();
        memory.push({
          at: (Date.now() - started) / 1000,
          rss: now.memoryMb.rss,
          heap: now.memoryMb.heapUsed,
        });
        nextSample += 5000;
      }
      const spent = Date.now() - tickStart;
      if (spent < 1000) await new Promise((resolve) => setTimeout(resolve, 1000 - spent));
    }
    if (process.env.BENCH_VERBOSE) console.log(memory);
    const final = await health();
    const received = clients.reduce(
      (sum, client) => sum + client.frames.filter((frame) => frame.type === 'call').length,
      0,
    );
    // Each sample is the heap after a full collection: live memory only.
    const after10 = memory.filter((sample) => sample.at >= 10);
    const firstFloor = after10[0]?.heap ?? Number.NaN;
    const secondFloor = after10.at(-1)?.heap ?? Number.NaN;
    const rssFrom = after10[0]?.rss ?? Number.NaN;
    const rssTo = after10.at(-1)?.rss ?? Number.NaN;
    const fan = final.fanoutMs;
    return [
      {
        metric: `Fan-out, 50 extensions, 20 calls/s for ${seconds} s (${calls} calls, ${received.toLocaleString('en')} frames received): PBX event receipt → frame sent to every extension`,
        value: `p50 ${fan.p50} ms · p99 ${fan.p99} ms · max ${fan.max} ms`,
        goal: 'p99 < 5 ms',
        met: fan.p99 < 5,
      },
      {
        metric: 'Bridge live heap (after a full GC) from 10 s to the end of the fan-out run',
        value: `${firstFloor} → ${secondFloor} MB (${Math.round(((secondFloor - firstFloor) * 1e6) / Math.max(1, calls - 200) / 100) / 10} KB per call: the journal and recent calls in memory, both capped); RSS ${rssFrom} → ${rssTo} MB`,
        goal: 'flat',
        met: secondFloor - firstFloor < 5,
      },
    ];
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await bridge.stop();
  }
}
