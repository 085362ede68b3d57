/**
 * Office mode through the bridge process started from its config file: desks push and pull over the link
 * they keep for calls; the embedded store (PGlite in the data folder) and a PostgreSQL store shared by two
 * bridges; bad pushes refused whole; a bridge killed mid-write loses and duplicates nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol';
import type { Change, OrderedChange } from '../../shared/sync';
import { type BridgeProcess, health, newBridgeDir, REPO_ROOT, startBridge } from '../helpers/bridge-process';
import { type PgCluster, startPostgres } from '../helpers/postgres';
import { isType, TestClient } from '../helpers/ws-client';

const TOKEN = 'office-sync-test-token-0123456789';
const put = (rowId: string, fields: Record<string, unknown>): Change => ({
  id: randomUUID(),
  table: 'cards',
  rowId,
  op: 'put',
  fields,
  at: Date.now(),
});

async function desk(bridge: BridgeProcess): Promise<TestClient> {
  const client = await TestClient.connect(bridge.wsUrl, bridge.token);
  await client.hello();
  return client;
}

async function pull(client: TestClient, afterSeq = 0, storeId: string | null = null) {
  const start = client.frames.length;
  const requestId = randomUUID();
  client.send({ type: 'sync-pull', requestId, storeId, afterSeq });
  return client.next(
    (frame): frame is Extract<ServerFrame, { type: 'sync-changes' | 'sync-error' }> =>
      frame.type === 'sync-changes' || (frame.type === 'sync-error' && frame.requestId === requestId),
    start,
  );
}

async function push(client: TestClient, changes: unknown[], storeId: string | null = null, baseSeq = 0) {
  const start = client.frames.length;
  const requestId = randomUUID();
  client.send({ type: 'sync-push', requestId, storeId, baseSeq, changes });
  return client.next(
    (frame): frame is Extract<ServerFrame, { type: 'sync-ack' | 'sync-error' }> =>
      (frame.type === 'sync-ack' || frame.type === 'sync-error') && frame.requestId === requestId,
    start,
  );
}

/** Everything a desk has heard from the hub, in order. */
const heard = (client: TestClient) =>
  client.frames.filter(isType('sync-changes')).flatMap((frame) => frame.changes as OrderedChange[]);

describe('office mode on the embedded store', () => {
  let bridge: BridgeProcess;
  beforeAll(async () => {
    bridge = await startBridge({ dir: newBridgeDir(TOKEN) });
  });
  afterAll(() => bridge?.stop());

  it('an edit pushed at desk A reaches desk B, which pulled once and then only listens', async () => {
    const [a, b] = [await desk(bridge), await desk(bridge)];
    const first = await pull(b);
    expect(first).toMatchObject({ type: 'sync-changes', changes: [], headSeq: 0 });
    const storeId = (first as Extract<ServerFrame, { type: 'sync-changes' }>).storeId;
    const ack = await push(a, [put('c1', { name: 'דנה לוי', status: 'green' })], storeId, 0);
    expect(ack).toMatchObject({ type: 'sync-ack', headSeq: 1, applied: [{ seq: 1, duplicate: false }] });
    await expect
      .poll(() => heard(b).map((change) => [change.seq, change.rowId, change.author]))
      .toEqual([[1, 'c1', 'office']]);
    expect(heard(b)[0]!.fields).toMatchObject({ name: 'דנה לוי' });
    expect(bridge.logs().some((record) => record.event === 'store-open' && record.kind === 'pglite')).toBe(
      true,
    );
    await a.close();
    await b.close();
  });

  it('refuses a bad push whole with a reason: unknown table, a forged author, a set of the wrong shape, a huge batch, a stale store', async () => {
    const a = await desk(bridge);
    const before = await pull(a);
    const head = (before as Extract<ServerFrame, { type: 'sync-changes' }>).headSeq;
    const cases: Array<[unknown[], RegExp, string?]> = [
      [
        [put('ok', { name: 'fine' }), { ...put('x', {}), table: 'secrets' }],
        /change 1: table must be one of/,
      ],
      [[{ ...put('y', { name: 'Y' }), author: 'the boss' }], /author is set by the hub/],
      [[put('p', { name: 'P', phones: '050-123-4567' })], /change 0: phones must be a list/],
      [Array.from({ length: 501 }, (_, index) => put(`n${index}`, { name: 'N' })), /at most 500 changes/],
      [[put('z', { name: 'Z' })], /replaced/, 'another-store'],
    ];
    for (const [changes, reason, storeId] of cases) {
      const answer = await push(a, changes, storeId ?? null, head);
      expect(answer.type).toBe('sync-error');
      expect((answer as Extract<ServerFrame, { type: 'sync-error' }>).reason).toMatch(reason);
    }
    // Nothing of any of them was applied.
    const after = await pull(a, head);
    expect(after).toMatchObject({ changes: [], headSeq: head });
    // A frame that is not even a push is an error frame, and the link stays up.
    a.send({ type: 'sync-push', requestId: 'r', storeId: null, baseSeq: -1, changes: 'all' });
    await a.next((frame): frame is ServerFrame => frame.type === 'error');
    expect(await push(a, [put('still', { name: 'works' })])).toMatchObject({ type: 'sync-ack' });
    await a.close();
  });

  it('the join preview answers only a desk with a token, refuses a malformed request, and writes nothing', async () => {
    const ask = (body: unknown, token = bridge.token) =>
      fetch(`${bridge.httpUrl}/api/v1/join-preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const a = await desk(bridge);
    const head = ((await pull(a)) as Extract<ServerFrame, { type: 'sync-changes' }>).headSeq;
    await push(a, [put('pv-1', { name: 'Rina', emails: ['rina@example.org'] })], null, head);
    expect((await ask({ cards: [] }, 'x'.repeat(32))).status).toBe(401);
    const bad = await ask({ cards: 'all of them' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/bad preview request/);
    const good = await ask({
      cards: [{ id: 'mine', name: 'R.', emails: ['Rina@Example.org'], phoneKeys: [] }],
    });
    expect(await good.json()).toEqual({
      matches: [
        { deskId: 'mine', officeId: 'pv-1', officeName: 'Rina', reason: 'email', detail: 'rina@example.org' },
      ],
      already: [],
    });
    expect(await pull(a, head + 1)).toMatchObject({ changes: [], headSeq: head + 1 });
    await a.close();
  });

  it('a bridge killed mid-write loses nothing and applies nothing twice: the desk pushes again after restart', async () => {
    const dir = newBridgeDir(TOKEN);
    const first = await startBridge({ dir });
    const a = await desk(first);
    const batch = Array.from({ length: 200 }, (_, index) => put(`k${index}`, { name: `Card ${index}` }));
    await pull(a);
    // Pushed, and the bridge dies before the desk hears the answer (SIGKILL: no clean shutdown).
    a.send({ type: 'sync-push', requestId: 'lost', storeId: null, baseSeq: 0, changes: batch });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await a.close();
    const again = await startBridge({ dir, port: first.port });
    try {
      const b = await desk(again);
      const retry = await push(b, batch);
      expect(retry.type).toBe('sync-ack');
      const applied = (retry as Extract<ServerFrame, { type: 'sync-ack' }>).applied;
      expect(applied).toHaveLength(200);
      // Either the first push committed whole (every change a duplicate) or not at all (none).
      expect(new Set(applied.map((item) => item.duplicate)).size).toBe(1);
      expect(applied.map((item) => item.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const all = await pull(b);
      expect((all as Extract<ServerFrame, { type: 'sync-changes' }>).changes).toHaveLength(200);
      await b.close();
    } finally {
      await again.stop();
    }
  });
});

/** `npm run bridge -- <args>` against a bridge folder, as an admin runs it. */
function bridgeCli(dir: string, ...args: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bridge', 'main.ts'), '--config', join(dir, 'bridge.json'), ...args],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  );
}

describe('backup and restore from the command line', () => {
  it('backs the store up, refuses while the bridge holds it, restores it whole under a new id; a bad file changes nothing', async () => {
    const dir = newBridgeDir(TOKEN);
    const file = join(dir, 'office.jsonl');
    let bridge = await startBridge({ dir });
    const a = await desk(bridge);
    const first = (await pull(a)) as Extract<ServerFrame, { type: 'sync-changes' }>;
    await push(a, [put('b1', { name: 'Yossi' }), put('b2', { name: 'Μαρία' })], first.storeId);
    expect((await health(bridge)).store).toMatchObject({
      state: 'open',
      kind: 'pglite',
      headSeq: 2,
      desks: 1,
      schema: { current: 4, latest: 4 },
    });
    const busy = bridgeCli(dir, 'backup', file);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(/in use by process \d+ \(a running bridge\): stop it first/);
    await a.close();
    await bridge.stop();

    const backup = bridgeCli(dir, 'backup', file);
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toMatch(/Backed up the office store \(embedded .*\) to .*office\.jsonl: 5 lines/);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ kesher: 'office-store', storeId: first.storeId, headSeq: 2 });

    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${JSON.stringify(lines[0])}\n{not json\n`);
    const refused = bridgeCli(dir, 'restore', broken);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/line 2 is not JSON: nothing was restored/);

    const restored = bridgeCli(dir, 'restore', file);
    expect(restored.stdout).toMatch(/Restored 2 records and 2 changes/);
    bridge = await startBridge({ dir });
    try {
      const b = await desk(bridge);
      // A desk that knew the old store is told to download again; a fresh pull gets everything.
      expect(await pull(b, 2, first.storeId)).toMatchObject({ type: 'sync-error', code: 'store-replaced' });
      const again = (await pull(b)) as Extract<ServerFrame, { type: 'sync-changes' }>;
      expect(again.storeId).not.toBe(first.storeId);
      expect((again.changes as OrderedChange[]).map((change) => change.fields?.name)).toEqual([
        'Yossi',
        'Μαρία',
      ]);
      await b.close();
    } finally {
      await bridge.stop();
    }
  });
});

describe('two bridges on one PostgreSQL', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('a change pushed at a desk of branch A reaches a desk of branch B', async () => {
    const store = await cluster.database('branches');
    const [a, b] = [
      await startBridge({ dir: newBridgeDir(TOKEN, { store }) }),
      await startBridge({ dir: newBridgeDir(TOKEN, { store }) }),
    ];
    try {
      const [deskA, deskB] = [await desk(a), await desk(b)];
      const pulled = (await pull(deskB)) as Extract<ServerFrame, { type: 'sync-changes' }>;
      expect((await pull(deskA)) as Extract<ServerFrame, { type: 'sync-changes' }>).toMatchObject({
        storeId: pulled.storeId,
      });
      await push(deskA, [put('branch', { name: 'Opened in Haifa' })], pulled.storeId);
      await expect.poll(() => heard(deskB).map((change) => change.fields?.name)).toEqual(['Opened in Haifa']);
      expect(a.logs().find((record) => record.event === 'store-open')).toMatchObject({ kind: 'postgres' });
      await deskA.close();
      await deskB.close();
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('a store URL nobody answers is said at start-up, and calls still work', async () => {
    const bridge = await startBridge({
      dir: newBridgeDir(TOKEN, { store: 'postgres://kesher@127.0.0.1:1/none' }),
    });
    try {
      await expect.poll(() => bridge.logs().some((record) => record.event === 'store-failed')).toBe(true);
      const client = await desk(bridge);
      const answer = await pull(client);
      expect(answer).toMatchObject({ type: 'sync-error', code: 'no-store' });
      await client.close();
    } finally {
      await bridge.stop();
    }
  });
});
