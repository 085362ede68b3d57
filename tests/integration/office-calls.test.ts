/**
 * Office mode's call log is written by the hub (the bridge process started from its config file): a call is
 * one interaction in the office store, on its caller's card, whether or not any browser is open — and calls
 * the bridge relayed before its store was open are logged from the journal when it opens, once.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol';
import type { Change, OrderedChange } from '../../shared/sync';
import { type BridgeProcess, newBridgeDir, postCall, startBridge } from '../helpers/bridge-process';
import { isType, TestClient } from '../helpers/ws-client';

const TOKEN = 'office-calls-test-token-0123456789';
const running: BridgeProcess[] = [];
afterEach(async () => {
  for (const bridge of running.splice(0)) await bridge.stop();
});

async function start(dir: string, port?: number): Promise<BridgeProcess> {
  const bridge = await startBridge({ dir, port });
  running.push(bridge);
  return bridge;
}

async function desk(bridge: BridgeProcess): Promise<TestClient> {
  const client = await TestClient.connect(bridge.wsUrl, bridge.token);
  await client.hello();
  return client;
}

/** Everything the hub has, from the first change, as a new desk downloads it. */
async function download(bridge: BridgeProcess): Promise<OrderedChange[]> {
  const client = await desk(bridge);
  const changes: OrderedChange[] = [];
  client.send({ type: 'sync-pull', requestId: randomUUID(), storeId: null, afterSeq: 0 });
  let from = 0;
  for (;;) {
    const frame = await client.next(isType('sync-changes'), from);
    from = client.frames.indexOf(frame) + 1;
    changes.push(...(frame.changes as OrderedChange[]));
    if (!frame.more) break;
  }
  await client.close();
  return changes;
}

/** A record as the changes leave it (fields in order; enough for what these tests look at). */
function recordOf(changes: readonly OrderedChange[], rowId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const change of changes.filter((item) => item.rowId === rowId)) Object.assign(out, change.fields);
  return out;
}

const card = (rowId: string, name: string, phone: string): Change => ({
  id: randomUUID(),
  table: 'cards',
  rowId,
  op: 'put',
  fields: { kind: 'person', name, phones: [{ label: 'mobile', raw: phone }] },
  revive: true,
  at: Date.now(),
});

describe('the hub logs the office calls', () => {
  it('a call while every browser is closed is logged once, on its caller’s card, and reaches a desk that opens later', async () => {
    const bridge = await start(newBridgeDir(TOKEN));
    const a = await desk(bridge);
    a.send({ type: 'sync-pull', requestId: 'p', storeId: null, afterSeq: 0 });
    await a.next(isType('sync-changes'));
    a.send({
      type: 'sync-push',
      requestId: 'cards',
      storeId: null,
      baseSeq: 0,
      changes: [card('dana', 'דנה לוי', '054-123-4567')],
    });
    await a.next((frame): frame is ServerFrame => frame.type === 'sync-ack');
    await a.close();

    // Nobody connected: the call rings (written the international way) and nobody answers.
    const startedAt = Date.now();
    for (const state of ['ringing', 'ended'])
      expect((await postCall(bridge, { callId: 'closed-1', state, from: '+972 54-123-4567' })).status).toBe(
        202,
      );
    // Someone else's number, nobody's card: an unknown caller.
    await postCall(bridge, { callId: 'closed-2', state: 'ringing', from: '0529876543' });

    await expect
      .poll(
        async () => {
          const all = await download(bridge);
          return [recordOf(all, 'call:closed-1').outcome, recordOf(all, 'call:closed-2').outcome];
        },
        { timeout: 10_000 },
      )
      .toEqual(['missed', 'ringing']);
    const changes = await download(bridge);
    const call = recordOf(changes, 'call:closed-1');
    expect(call).toMatchObject({ cardId: 'dana', kind: 'call', callId: 'closed-1', direction: 'inbound' });
    expect(Number(call.at)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(
      changes.filter((change) => change.rowId === 'call:closed-1').map((change) => change.author),
    ).toEqual(['phone system', 'phone system']);
    expect(recordOf(changes, 'call:closed-2')).toMatchObject({ cardId: '', outcome: 'ringing' });
    // The card's last contact follows the call, as a desk's own log does.
    expect(recordOf(changes, 'dana').lastContactAt).toBe(call.at);

    // Restarted: the same calls again from the journal change nothing (each logged once).
    const head = changes.at(-1)!.seq;
    await bridge.stop();
    running.pop();
    const again = await start(bridge.dataDir, bridge.port);
    // The store exists, so the bridge opens it at start (no desk needed for the next call to be logged).
    // (PGlite's start takes a second or more on a busy machine.)
    await expect
      .poll(() => again.logs().some((record) => record.event === 'store-open'), { timeout: 10_000 })
      .toBe(true);
    await postCall(again, { callId: 'closed-3', state: 'ringing', from: '054-123-4567' });
    await expect
      .poll(async () => recordOf(await download(again), 'call:closed-3').cardId, { timeout: 10_000 })
      .toBe('dana');
    const after = await download(again);
    expect(after.filter((change) => change.seq > head).map((change) => change.rowId)).toEqual([
      'call:closed-3',
      'dana',
    ]);
  });

  it('calls relayed before the office store existed are logged from the journal when it opens', async () => {
    const bridge = await start(newBridgeDir(TOKEN));
    await postCall(bridge, { callId: 'early-1', state: 'ringing', from: '0541112222' });
    await postCall(bridge, { callId: 'early-1', state: 'answered', from: '0541112222', extension: '101' });
    await postCall(bridge, { callId: 'early-1', state: 'ended', from: '0541112222' });
    expect(bridge.logs().some((record) => record.event === 'store-open')).toBe(false);
    // The first desk to turn office mode on opens the store.
    await expect
      .poll(async () => recordOf(await download(bridge), 'call:early-1').outcome, { timeout: 10_000 })
      .toBe('ended');
    const changes = await download(bridge);
    expect(changes.filter((change) => change.rowId === 'call:early-1')).toHaveLength(3);
    expect(bridge.logs().some((record) => record.event === 'calls-caught-up')).toBe(true);
  });
});
