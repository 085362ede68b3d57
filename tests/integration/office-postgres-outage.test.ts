/**
 * Office mode on a real PostgreSQL that goes away under two running bridges (processes started from their
 * config files, both on one database): a call relayed meanwhile is logged once the database is back, with
 * no other call needed, and a change made at one bridge reaches the other's desks again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change, OrderedChange } from '../../shared/sync';
import { type BridgeProcess, newBridgeDir, postCall, startBridge } from '../helpers/bridge-process';
import { type PgCluster, startPostgres } from '../helpers/postgres';
import { isType, TestClient } from '../helpers/ws-client';

const TOKEN = 'office-outage-test-token-0123456789';
let cluster: PgCluster;
const running: BridgeProcess[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  for (const client of clients) await client.close();
  for (const bridge of running) await bridge.stop();
  await cluster?.stop();
});

/** A desk on this bridge that pulled everything and hears every later change. */
async function follower(bridge: BridgeProcess): Promise<TestClient> {
  const client = await TestClient.connect(bridge.wsUrl, bridge.token);
  clients.push(client);
  await client.hello();
  client.send({ type: 'sync-pull', requestId: randomUUID(), storeId: null, afterSeq: 0 });
  await client.next(isType('sync-changes'));
  return client;
}

const heard = (client: TestClient) =>
  client.frames.filter(isType('sync-changes')).flatMap((frame) => frame.changes as OrderedChange[]);

async function call(bridge: BridgeProcess, callId: string, from: string): Promise<void> {
  for (const state of ['ringing', 'ended'])
    expect((await postCall(bridge, { callId, state, from, direction: 'inbound' })).status).toBe(202);
}

describe('PostgreSQL away for a while', () => {
  it('a call relayed meanwhile is logged when it is back, once; the other bridge hears changes again', async () => {
    const url = await cluster.database('outage');
    for (let index = 0; index < 2; index++)
      running.push(await startBridge({ dir: newBridgeDir(TOKEN, { store: url }) }));
    const [a, b] = running as [BridgeProcess, BridgeProcess];
    const atA = await follower(a);
    const atB = await follower(b);
    const card: Change = {
      id: randomUUID(),
      table: 'cards',
      rowId: 'card-dana',
      op: 'put',
      fields: { kind: 'person', name: 'Dana Levi', phones: [{ label: 'mobile', raw: '050-123-4567' }] },
      revive: true,
      at: Date.now(),
    };
    atA.send({ type: 'sync-push', requestId: 'card', storeId: null, baseSeq: 0, changes: [card] });
    await expect.poll(() => heard(atB).some((change) => change.rowId === 'card-dana')).toBe(true);

    await call(a, 'before', '+972501234567');
    await expect
      .poll(() => heard(atB).some((change) => change.rowId === 'call:before'), { timeout: 15_000 })
      .toBe(true);

    await cluster.pause();
    // A desk that pulls meanwhile is told the store is away (the bridge stays up: it died here before).
    const late = await TestClient.connect(a.wsUrl, a.token);
    clients.push(late);
    await late.hello();
    late.send({ type: 'sync-pull', requestId: 'late', storeId: null, afterSeq: 0 });
    expect(await late.next(isType('sync-error'))).toMatchObject({ requestId: 'late', code: 'no-store' });
    await call(a, 'during', '0501234567');
    await expect
      .poll(() => a.logs().some((record) => record.event === 'call-log-failed'), { timeout: 15_000 })
      .toBe(true);
    await cluster.resume();

    // No other call: the bridge writes it again by itself, and bridge B's desks hear of it.
    await expect
      .poll(() => heard(atB).some((change) => change.rowId === 'call:during'), { timeout: 45_000 })
      .toBe(true);
    const calls = heard(atB).filter((change) => change.table === 'interactions');
    expect(new Set(calls.map((change) => change.id)).size).toBe(calls.length);
    expect(new Set(calls.map((change) => change.rowId))).toEqual(new Set(['call:before', 'call:during']));
    expect(calls.every((change) => change.fields?.cardId === 'card-dana' || !change.fields?.cardId)).toBe(
      true,
    );

    // A change at bridge B travels to bridge A's desks again (B's and A's listeners came back).
    atB.send({
      type: 'sync-push',
      requestId: 'after',
      storeId: null,
      baseSeq: 0,
      changes: [
        { id: randomUUID(), table: 'cards', rowId: 'card-dana', op: 'put', fields: { status: 'red' }, at: 1 },
      ],
    });
    await expect
      .poll(() => heard(atA).some((change) => change.fields?.status === 'red'), { timeout: 15_000 })
      .toBe(true);
  }, 120_000);
});
