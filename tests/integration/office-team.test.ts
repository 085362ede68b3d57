/**
 * Working as a team, through the bridge process started from its config file: two users (Noa, Dana) and the
 * office token. A private note reaches only its author's desks — never another user's frames, live or in a
 * download — and stays private; desks hear who of their colleagues is here; a card's history and a deleted
 * card's restore come from the hub's change log. On the embedded store and on a real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol';
import type { OrderedChange } from '../../shared/sync';
import { type BridgeProcess, newBridgeDir, startBridge } from '../helpers/bridge-process';
import { type PgCluster, startPostgres } from '../helpers/postgres';
import { isType, TestClient } from '../helpers/ws-client';

const TOKEN = 'office-team-test-token-0123456789abc';
let bridge: BridgeProcess;

async function addUser(name: string, extensions: string[]): Promise<string> {
  const added = await fetch(`${bridge.httpUrl}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, extensions }),
  });
  const { code } = (await added.json()) as { code: string };
  const paired = await fetch(`${bridge.httpUrl}/api/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return ((await paired.json()) as { token: string }).token;
}

async function desk(token: string): Promise<TestClient> {
  const client = await TestClient.connect(bridge.wsUrl, token);
  await client.hello();
  return client;
}

/** Pull from `afterSeq` and wait for the answer. */
async function pull(client: TestClient, afterSeq = 0) {
  const start = client.frames.length;
  client.send({ type: 'sync-pull', requestId: randomUUID(), storeId: null, afterSeq });
  return client.next(isType('sync-changes'), start);
}

async function push(client: TestClient, changes: unknown[]) {
  const start = client.frames.length;
  const requestId = randomUUID();
  client.send({ type: 'sync-push', requestId, storeId: null, baseSeq: 0, changes });
  return client.next(
    (frame): frame is Extract<ServerFrame, { type: 'sync-ack' | 'sync-error' }> =>
      (frame.type === 'sync-ack' || frame.type === 'sync-error') && frame.requestId === requestId,
    start,
  );
}

const heard = (client: TestClient) =>
  client.frames.filter(isType('sync-changes')).flatMap((frame) => frame.changes as OrderedChange[]);

const note = (rowId: string, fields: Record<string, unknown>) => ({
  id: randomUUID(),
  table: 'interactions',
  rowId,
  op: 'put',
  fields,
  at: Date.now(),
});

let noa: string;
let dana: string;

describe.each(['embedded', 'postgres'] as const)('working as a team, on the %s store', (kind) => {
  let cluster: PgCluster | undefined;
  beforeAll(async () => {
    cluster = kind === 'postgres' ? await startPostgres() : undefined;
    const store = cluster ? await cluster.database('team') : undefined;
    bridge = await startBridge({ dir: newBridgeDir(TOKEN, store ? { store } : {}) });
    noa = await addUser('Noa Cohen', ['101']);
    dana = await addUser('Dana Levi', []);
  }, 60_000);
  afterAll(async () => {
    await bridge?.stop();
    await cluster?.stop();
  });

  it('a private note reaches only its author’s desks: never another user’s frames, live or downloaded', async () => {
    const noaDesk = await desk(noa);
    const danaDesk = await desk(dana);
    const office = await desk(TOKEN);
    for (const client of [noaDesk, danaDesk, office]) await pull(client);

    const secret = 'Owes us 4,000; do not mention the lawsuit';
    const ack = await push(noaDesk, [
      {
        id: randomUUID(),
        table: 'cards',
        rowId: 'c-acme',
        op: 'put',
        fields: { name: 'Acme' },
        revive: true,
        at: 1,
      },
      note('n-private', { cardId: 'c-acme', kind: 'note', summary: secret, private: true, at: 2 }),
      note('n-public', { cardId: 'c-acme', kind: 'note', summary: 'Sent the quote', at: 3 }),
    ]);
    expect(ack.type).toBe('sync-ack');
    // A later edit of the private note is private too (its author's, whoever's desk the hub decides).
    expect((await push(noaDesk, [note('n-private', { summary: `${secret}!` })])).type).toBe('sync-ack');
    await expect.poll(() => heard(danaDesk).map((change) => change.rowId)).toEqual(['c-acme', 'n-public']);
    await expect
      .poll(() => heard(noaDesk).map((change) => change.rowId))
      .toEqual(['c-acme', 'n-private', 'n-public', 'n-private']);
    // Not in any frame Dana's desk or the office token's got: not its id, not its text.
    for (const client of [danaDesk, office]) {
      expect(client.raw.join('\n')).not.toContain('n-private');
      expect(client.raw.join('\n')).not.toContain('lawsuit');
    }
    // The hub's own marker never leaves it; the author's desk reads the note as it wrote it.
    expect(noaDesk.raw.join('\n')).not.toContain('privateTo');
    expect(heard(noaDesk).find((change) => change.rowId === 'n-private')?.fields?.private).toBe(true);

    // A new desk of Dana's downloads everything from the start: still not there. Its cursor covers the
    // whole order all the same (nothing waits for it to pull again).
    const fresh = await desk(dana);
    const page = await pull(fresh);
    expect(page.changes.map((change) => (change as OrderedChange).rowId)).toEqual(['c-acme', 'n-public']);
    expect(page.through).toBe(page.headSeq);
    expect(fresh.raw.join('\n')).not.toContain('lawsuit');
    // Noa's second desk has it.
    const noaLaptop = await desk(noa);
    expect((await pull(noaLaptop)).changes.map((change) => (change as OrderedChange).rowId)).toContain(
      'n-private',
    );

    // Private stays private; a shared note cannot be hidden after the fact (others have it already).
    const unhide = await push(noaDesk, [note('n-private', { private: false })]);
    expect(unhide).toMatchObject({ type: 'sync-error', reason: 'a private note stays private' });
    const hide = await push(danaDesk, [note('n-public', { private: true })]);
    expect(hide).toMatchObject({
      type: 'sync-error',
      reason: 'a note can be made private only when it is written',
    });
    // Nor may a desk name the owner itself.
    const forged = await push(danaDesk, [note('n-x', { summary: 'x', privateTo: 'Noa Cohen' })]);
    expect(forged).toMatchObject({ type: 'sync-error', code: 'bad-change' });
    for (const client of [noaDesk, danaDesk, office, fresh, noaLaptop]) await client.close();
  });

  it('desks hear their colleagues: everyone with their extensions, who is here and who is away', async () => {
    const noaDesk = await desk(noa);
    const people = () =>
      noaDesk.frames
        .filter(isType('people'))
        .at(-1)
        ?.people.map((person) => `${person.name}:${person.extensions.join(',')}:${person.online}`)
        .sort();
    await expect.poll(people, { timeout: 5000 }).toEqual(['Dana Levi::false', 'Noa Cohen:101:true']);
    const danaDesk = await desk(dana);
    await expect.poll(people, { timeout: 5000 }).toEqual(['Dana Levi::true', 'Noa Cohen:101:true']);
    await danaDesk.close();
    await expect.poll(people, { timeout: 5000 }).toEqual(['Dana Levi::false', 'Noa Cohen:101:true']);
    await noaDesk.close();
  });
  it('a card’s history says who changed what, from the change log; a deleted card is listed, and restored whole with what its delete took', async () => {
    const noaDesk = await desk(noa);
    const danaDesk = await desk(dana);
    const office = await desk(TOKEN);
    for (const client of [noaDesk, danaDesk, office]) await pull(client);
    const put = (table: string, rowId: string, fields: Record<string, unknown>, revive = false) => ({
      id: randomUUID(),
      table,
      rowId,
      op: 'put',
      fields,
      ...(revive ? { revive: true } : {}),
      at: Date.now(),
    });
    const gone = (table: string, rowId: string) => ({
      id: randomUUID(),
      table,
      rowId,
      op: 'delete',
      at: Date.now(),
    });
    expect(
      (await push(noaDesk, [put('cards', 'c-hist', { name: 'Globex', stage: 'lead' }, true)])).type,
    ).toBe('sync-ack');
    expect(
      (await push(danaDesk, [put('cards', 'c-hist', { stage: 'prospect', statusNote: 'Hot' })])).type,
    ).toBe('sync-ack');
    await push(noaDesk, [
      put('tasks', 't-hist', { cardId: 'c-hist', title: 'Send the contract', done: 0 }, true),
      put('interactions', 'n-hist', { cardId: 'c-hist', kind: 'note', summary: 'Met at the fair' }, true),
      put('interactions', 'call-hist', { cardId: 'c-hist', kind: 'call', callId: 'x', summary: '' }, true),
      put(
        'interactions',
        'n-hist-private',
        { cardId: 'c-hist', kind: 'note', summary: 'Mine', private: true },
        true,
      ),
    ]);
    // Noa deletes the card (and, as a desk does, its task and notes; its call goes to the unknown callers).
    await push(noaDesk, [
      gone('cards', 'c-hist'),
      gone('tasks', 't-hist'),
      gone('interactions', 'n-hist'),
      gone('interactions', 'n-hist-private'),
      put('interactions', 'call-hist', { cardId: '' }),
    ]);

    const ask = async (client: TestClient, frame: Record<string, unknown>) => {
      const start = client.frames.length;
      client.send(frame);
      return client.next(
        (answer): answer is Extract<ServerFrame, { type: 'sync-history' | 'sync-deleted' }> =>
          answer.type === frame.type,
        start,
      );
    };
    const deleted = await ask(danaDesk, { type: 'sync-deleted', requestId: 'd1' });
    expect(
      deleted.type === 'sync-deleted' && deleted.cards.map((card) => [card.id, card.name, card.deletedBy]),
    ).toEqual([['c-hist', 'Globex', 'Noa Cohen']]);

    // Dana brings it back: every desk gets the card whole, its task and its shared note too.
    const before = office.frames.length;
    expect(
      (
        await push(danaDesk, [
          { id: randomUUID(), table: 'cards', rowId: 'c-hist', op: 'restore', at: Date.now() },
        ])
      ).type,
    ).toBe('sync-ack');
    const restored = () =>
      office.frames
        .slice(before)
        .filter(isType('sync-changes'))
        .flatMap((frame) => frame.changes as OrderedChange[]);
    await expect
      .poll(() => restored().map((change) => `${change.op}:${change.rowId}`))
      .toEqual(['restore:c-hist', 'put:call-hist', 'restore:t-hist', 'restore:n-hist']);
    expect(restored()[0]?.fields).toMatchObject({ name: 'Globex', stage: 'prospect', statusNote: 'Hot' });
    expect(restored()[1]?.fields).toEqual({ cardId: 'c-hist' });
    expect(restored()[2]?.fields).toMatchObject({ title: 'Send the contract', cardId: 'c-hist' });
    // The private note came back for Noa only.
    await expect
      .poll(() =>
        heard(noaDesk)
          .filter((change) => change.op === 'restore')
          .map((change) => change.rowId),
      )
      .toContain('n-hist-private');
    expect(office.raw.join('\n')).not.toContain('n-hist-private');
    const after = await ask(danaDesk, { type: 'sync-deleted', requestId: 'd2' });
    expect(after.type === 'sync-deleted' && after.cards).toEqual([]);

    const history = await ask(office, { type: 'sync-history', requestId: 'h1', cardId: 'c-hist' });
    expect(
      history.type === 'sync-history' &&
        history.entries.map((entry) => [
          entry.op,
          entry.author,
          entry.created ?? false,
          entry.fields.join(','),
        ]),
    ).toEqual([
      ['put', 'Noa Cohen', true, 'name,stage'],
      ['put', 'Dana Levi', false, 'stage,statusNote'],
      ['delete', 'Noa Cohen', false, ''],
      ['restore', 'Dana Levi', false, expect.stringContaining('name')],
    ]);
    expect(
      history.type === 'sync-history' && history.entries.every((entry) => entry.at > Date.now() - 60_000),
    ).toBe(true);
    for (const client of [noaDesk, danaDesk, office]) await client.close();
  });
});
