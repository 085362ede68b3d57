/**
 * Office mode's hub, side by side on PGlite (embedded) and PostgreSQL (a private cluster started here), the
 * real bridge process from its config file, desks as protocol clients on real sockets: 100,000 cards pushed,
 * a new desk's download of them, 20 desks editing at once (what the hub takes, and how long an edit takes
 * to reach another desk), and the bridge's memory with the store at 100,000 cards.
 */
import { randomUUID } from 'node:crypto';
import type { ServerFrame } from '../shared/protocol';
import type { Change, OrderedChange } from '../shared/sync';
import { type BridgeProcess, newBridgeDir, startBridge } from '../tests/helpers/bridge-process';
import { startPostgres } from '../tests/helpers/postgres';
import { isType, TestClient } from '../tests/helpers/ws-client';
import type { Row } from './rows';

const CARDS = 100_000;
const BATCH = 500;
const DESKS = 20;
const EDIT_SECONDS = 10;
const TOKEN = 'sync-bench-token-0123456789abcdef';

type Changes = Extract<ServerFrame, { type: 'sync-changes' }>;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

function cardChange(index: number): Change {
  return {
    id: randomUUID(),
    table: 'cards',
    rowId: `card-${index}`,
    op: 'put',
    revive: true,
    fields: {
      kind: 'person',
      name: `לקוח ${index} Πελάτης`,
      company: `Company ${index % 500}`,
      phones: [{ label: 'mobile', raw: `05${String(index).padStart(8, '0')}` }],
      emails: [`customer${index}@example.co.il`],
      status: 'none',
      statusNote: '',
      stage: 'lead',
      tags: [],
      fields: {},
      createdAt: 1_700_000_000_000 + index,
      updatedAt: 1_700_000_000_000 + index,
    },
    at: Date.now(),
  };
}

async function desk(bridge: BridgeProcess): Promise<TestClient> {
  const client = await TestClient.connect(bridge.wsUrl, bridge.token);
  await client.hello();
  return client;
}

/** Push and wait for the ack. */
async function push(client: TestClient, changes: Change[]): Promise<number> {
  const requestId = randomUUID();
  const start = client.frames.length;
  client.send({ type: 'sync-push', requestId, storeId: null, baseSeq: 0, changes });
  const answer = await client.next(
    (frame): frame is Extract<ServerFrame, { type: 'sync-ack' | 'sync-error' }> =>
      (frame.type === 'sync-ack' || frame.type === 'sync-error') && frame.requestId === requestId,
    start,
  );
  if (answer.type === 'sync-error') throw new Error(answer.reason);
  // Frames pile up in the test client: keep only what the next wait needs.
  client.frames.splice(0, client.frames.length);
  return answer.headSeq;
}

/** A new desk downloads everything: pull from 0 and count until the head. */
async function download(client: TestClient, head: number): Promise<number> {
  let received = 0;
  let last = 0;
  const started = performance.now();
  client.send({ type: 'sync-pull', requestId: 'download', storeId: null, afterSeq: 0 });
  while (last < head) {
    const frame = (await client.next(isType('sync-changes'))) as Changes;
    client.frames.splice(0, client.frames.indexOf(frame) + 1);
    received += frame.changes.length;
    last = (frame.changes.at(-1) as OrderedChange | undefined)?.seq ?? last;
  }
  if (received < head) throw new Error(`downloaded ${received} of ${head}`);
  return performance.now() - started;
}

async function benchEngine(name: string, store: string | undefined): Promise<Row[]> {
  const bridge = await startBridge({
    dir: newBridgeDir(TOKEN, store ? { store } : {}),
    nodeArgs: ['--expose-gc'],
  });
  try {
    const seeder = await desk(bridge);
    let started = performance.now();
    let head = 0;
    for (let start = 0; start < CARDS; start += BATCH)
      head = await push(
        seeder,
        Array.from({ length: BATCH }, (_, offset) => cardChange(start + offset)),
      );
    const seedSeconds = (performance.now() - started) / 1000;

    const newcomer = await desk(bridge);
    const downloadMs = await download(newcomer, head);
    await newcomer.close();

    // 20 desks, all in sync, each editing a card of its own twice a second... as fast as the hub acks.
    const desks = await Promise.all(Array.from({ length: DESKS }, () => desk(bridge)));
    for (const client of desks) {
      client.send({ type: 'sync-pull', requestId: 'follow', storeId: null, afterSeq: head });
      await client.next(isType('sync-changes'));
      client.frames.splice(0, client.frames.length);
    }
    const sentAt = new Map<string, number>();
    const visible: number[] = [];
    // Desk 0 watches every other desk's edits arrive.
    const watcher = desks[0]!;
    watcher.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.type !== 'sync-changes') return;
      const now = performance.now();
      for (const change of frame.changes as OrderedChange[]) {
        const at = sentAt.get(change.id);
        if (at !== undefined) visible.push(now - at);
      }
    });
    // Steady office load first (each desk one edit every half second): how long an edit takes to show.
    const editOf = (index: number, edit: number, offset: number): Change => {
      const change: Change = {
        id: randomUUID(),
        table: 'cards',
        rowId: `card-${(index * 1000 + edit * 5 + offset) % CARDS}`,
        op: 'put',
        fields: { statusNote: `edit ${edit} by desk ${index}`, updatedAt: Date.now() },
        at: Date.now(),
      };
      sentAt.set(change.id, performance.now());
      return change;
    };
    started = performance.now();
    await Promise.all(
      desks.slice(1).map(async (client, index) => {
        for (let edit = 0; performance.now() - started < EDIT_SECONDS * 1000; edit++) {
          const next = started + (edit + 1) * 500 + index * 25;
          await push(client, [editOf(index, edit, 0)]);
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const steady = [...visible];
    visible.length = 0;
    // Then as fast as the hub acknowledges: what it takes with every desk pushing at once.
    let acked = 0;
    started = performance.now();
    const until = started + EDIT_SECONDS * 1000;
    await Promise.all(
      desks.slice(1).map(async (client, index) => {
        for (let edit = 10_000; performance.now() < until; edit++) {
          const changes = Array.from({ length: 5 }, (_, offset) => editOf(index, edit, offset));
          await push(client, changes);
          acked += changes.length;
        }
      }),
    );
    const perSecond = acked / ((performance.now() - started) / 1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const memory = (await (
      await fetch(`${bridge.httpUrl}/health?gc=1`, {
        headers: { authorization: `Bearer ${bridge.token}` },
      })
    ).json()) as { memoryMb: { rss: number; heapUsed: number } };
    for (const client of [seeder, ...desks]) await client.close();
    return [
      {
        metric: `Office store on ${name}: 100,000 cards pushed by one desk (${BATCH} per push)`,
        value: `${seedSeconds.toFixed(1)} s (${Math.round(CARDS / seedSeconds).toLocaleString('en')} changes/s)`,
        goal: '',
      },
      {
        metric: `Office store on ${name}: a new desk downloads 100,000 cards (protocol client, no Dexie)`,
        value: `${(downloadMs / 1000).toFixed(1)} s`,
        goal: '< 20 s',
        met: downloadMs < 20_000,
      },
      {
        metric: `Office store on ${name}: ${DESKS - 1} desks editing at once, 5 changes per push`,
        value: `${Math.round(perSecond).toLocaleString('en')} changes/s acknowledged`,
        goal: '≥ 500 changes/s',
        met: perSecond >= 500,
      },
      {
        metric: `Office store on ${name}: edit pushed at one desk → visible at another, ${DESKS - 1} desks editing twice a second (${steady.length} edits)`,
        value: `p50 ${percentile(steady, 50).toFixed(1)} ms · p95 ${percentile(steady, 95).toFixed(1)} ms`,
        goal: 'p95 < 250 ms',
        met: percentile(steady, 95) < 250,
      },
      {
        metric: `Office store on ${name}: the same while every desk pushes as fast as the hub acknowledges`,
        value: `p50 ${percentile(visible, 50).toFixed(1)} ms · p95 ${percentile(visible, 95).toFixed(1)} ms`,
        goal: '',
      },
      {
        metric: `Office store on ${name}: bridge memory with 100,000 cards (after a full GC)`,
        value: `RSS ${memory.memoryMb.rss} MB (JS heap ${memory.memoryMb.heapUsed} MB)`,
        goal: '< 300 MB RSS',
        met: memory.memoryMb.rss < 300,
      },
    ];
  } finally {
    await bridge.stop();
  }
}

export async function benchSync(): Promise<Row[]> {
  const rows = await benchEngine('PGlite', undefined);
  const cluster = await startPostgres();
  try {
    rows.push(...(await benchEngine('PostgreSQL', await cluster.database('bench'))));
  } finally {
    await cluster.stop();
  }
  return rows;
}
