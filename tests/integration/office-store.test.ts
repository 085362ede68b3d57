/**
 * The office store against both of its engines: embedded PGlite (in a temp folder) and a real PostgreSQL 15
 * started by this file (a private cluster on a free port). The same tests, the same SQL.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, OfficeStore, StoreError } from '../../bridge/store/store';
import { openPglite, openPostgres, type Sql } from '../../bridge/store/sql';
import { parsePhone } from '../../shared/phone';
import type { Change } from '../../shared/sync';
import { type PgCluster, startPostgres } from '../helpers/postgres';

let cluster: PgCluster;
const dirs: string[] = [];
let databases = 0;

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const engines: Array<[string, () => Promise<Sql>]> = [
  [
    'PGlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kesher-store-'));
      dirs.push(dir);
      return openPglite(join(dir, 'store'));
    },
  ],
  ['PostgreSQL', async () => openPostgres(await cluster.database(`store_${++databases}`))],
];

let changeCount = 0;
const put = (rowId: string, fields: Record<string, unknown>, extra: Partial<Change> = {}): Change => ({
  id: `change-${++changeCount}`,
  table: 'cards',
  rowId,
  op: 'put',
  fields,
  at: Date.now(),
  ...extra,
});
const fresh = { storeId: null, baseSeq: 0 };

describe.each(engines)('office store on %s', (_name, open) => {
  it('migrates once, knows its version and keeps its store id across reopening', async () => {
    const sql = await open();
    const store = await OfficeStore.open(sql);
    expect(await store.schemaVersion()).toEqual({ current: 4, latest: 4 });
    expect(await migrate(sql)).toEqual([]);
    const again = await OfficeStore.open(sql);
    expect(again.storeId).toBe(store.storeId);
    await store.close();
  });

  it('orders changes into one sequence; the same change pushed twice is applied once', async () => {
    const store = await OfficeStore.open(await open());
    const card = put('c1', {
      name: 'Dana Levi',
      phones: [{ label: 'mobile', raw: '050-123-4567' }],
      status: 'none',
    });
    const first = await store.push([card], 'dana', fresh);
    expect(first.applied).toEqual([{ id: card.id, seq: 1, duplicate: false }]);
    // The desk was killed before it heard the answer: it pushes the same change again.
    const second = await store.push([card, put('c1', { status: 'green' })], 'dana', {
      storeId: store.storeId,
      baseSeq: 0,
    });
    expect(second.applied.map((item) => [item.seq, item.duplicate])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect((await store.changesSince(0)).map((change) => [change.seq, change.author, change.op])).toEqual([
      [1, 'dana', 'put'],
      [2, 'dana', 'put'],
    ]);
    expect((await store.record('cards', 'c1'))?.data).toMatchObject({ name: 'Dana Levi', status: 'green' });
    await store.close();
  });

  it('two desks that edited one card offline end with both edits, whatever order they reconnect in', async () => {
    for (const order of ['a-first', 'b-first'] as const) {
      const store = await OfficeStore.open(await open());
      await store.push(
        [
          put('c', {
            name: 'Noa',
            phones: [
              { label: 'mobile', raw: '050-111-1111' },
              { label: 'work', raw: '03-555-0000' },
            ],
            tags: ['vip'],
          }),
        ],
        'admin',
        fresh,
      );
      const a = put(
        'c',
        { title: 'CEO' },
        { sets: { phones: { add: [{ label: 'home', raw: '02-999-9999' }] } } },
      );
      const b = put(
        'c',
        { status: 'red' },
        { sets: { phones: { remove: [{ label: 'work', raw: '035550000' }] }, tags: { add: ['north'] } } },
      );
      const pushes = order === 'a-first' ? [a, b] : [b, a];
      for (const change of pushes) await store.push([change], 'desk', { storeId: store.storeId, baseSeq: 1 });
      const data = (await store.record('cards', 'c'))!.data;
      expect(data, order).toMatchObject({ name: 'Noa', title: 'CEO', status: 'red' });
      expect((data.phones as Array<{ raw: string }>).map((phone) => phone.raw).sort(), order).toEqual([
        '02-999-9999',
        '050-111-1111',
      ]);
      expect(data.tags, order).toEqual(['vip', 'north']);
      await store.close();
    }
  });

  it('the same field edited at two desks: the later in the hub’s order wins, at every desk', async () => {
    const store = await OfficeStore.open(await open());
    await store.push([put('c', { name: 'Old' })], 'admin', fresh);
    // Desk clocks disagree (B's is behind): the hub's order decides, not `at`.
    await store.push([put('c', { name: 'From A' }, { at: 2_000_000_000_000 })], 'a', fresh);
    await store.push([put('c', { name: 'From B' }, { at: 1_000 })], 'b', fresh);
    expect((await store.record('cards', 'c'))?.data.name).toBe('From B');
    await store.close();
  });

  it('a delete leaves a tombstone a restore lifts; a merge moves tasks and timeline and keeps every number', async () => {
    const store = await OfficeStore.open(await open());
    await store.push(
      [
        put('keep', { name: 'Acme', phones: [{ label: 'main', raw: '03-555-0100' }], company: '' }),
        put('dup', { name: 'Acme Ltd', phones: [{ label: 'fax', raw: '03-555-0199' }], company: 'Acme Ltd' }),
        {
          id: 'task-1',
          table: 'tasks',
          rowId: 't1',
          op: 'put',
          fields: { cardId: 'dup', title: 'call back' },
          at: 1,
        },
        {
          id: 'note-1',
          table: 'interactions',
          rowId: 'n1',
          op: 'put',
          fields: { cardId: 'dup', kind: 'note' },
          at: 1,
        },
      ],
      'admin',
      fresh,
    );
    await store.push([{ id: 'del', table: 'cards', rowId: 'keep', op: 'delete', at: 1 }], 'admin', fresh);
    expect(await store.record('cards', 'keep')).toMatchObject({ deleted: true, data: { name: 'Acme' } });
    expect((await store.counts()).cards).toBe(1);
    await store.push([{ id: 'res', table: 'cards', rowId: 'keep', op: 'restore', at: 1 }], 'admin', fresh);
    const merged = await store.push(
      [{ id: 'merge', table: 'cards', rowId: 'keep', op: 'merge', from: 'dup', at: 1 }],
      'dana',
      fresh,
    );
    const seq = merged.applied[0]!.seq;
    const keep = (await store.record('cards', 'keep'))!;
    expect((keep.data.phones as Array<{ raw: string }>).map((phone) => phone.raw)).toEqual([
      '03-555-0100',
      '03-555-0199',
    ]);
    expect(keep.data.company).toBe('Acme Ltd');
    expect(await store.record('cards', 'dup')).toMatchObject({ deleted: true, seq });
    expect((await store.record('tasks', 't1'))?.data.cardId).toBe('keep');
    expect((await store.record('interactions', 'n1'))?.data.cardId).toBe('keep');
    // Desks learn the merge as the hub resolved it.
    expect((await store.changesSince(seq - 1))[0]).toMatchObject({
      op: 'merge',
      from: 'dup',
      author: 'dana',
    });
    await store.close();
  });

  it('finds a caller’s card by the keys of its numbers, as the numbers change, merge and go', async () => {
    const sql = await open();
    const store = await OfficeStore.open(sql);
    const keysOf = (raw: string) => parsePhone(raw, { defaultCountry: 'IL' }).keys;
    const found = async (raw: string) =>
      (await store.cardsByKeys(keysOf(raw))).map((match) => [match.card.id, match.confidence]);
    const phone = (raw: string) => ({ label: 'mobile', raw });
    await store.push(
      [
        put('dana', { name: 'Dana', phones: [phone('054-123-4567')] }),
        put('acme', { name: 'Acme', kind: 'company', phones: [phone('+972 3-555-0000')] }),
        put('other', { name: 'Other', phones: [phone('052-765-4321')] }),
      ],
      'office',
      fresh,
    );
    expect(await found('+972541234567')).toEqual([['dana', 'exact']]);
    expect(await found('03 5550000')).toEqual([['acme', 'exact']]);
    // A number removed from a card no longer finds it; one added does.
    await store.push(
      [
        put(
          'dana',
          {},
          {
            fields: undefined,
            sets: { phones: { remove: [phone('054-123-4567')], add: [phone('050-000-1111')] } },
          },
        ),
      ],
      'office',
      fresh,
    );
    expect(await found('054-123-4567')).toEqual([]);
    expect(await found('0500001111')).toEqual([['dana', 'exact']]);
    // Merged: the survivor has both numbers; the merged card is found no more.
    await store.push(
      [{ id: 'merge-keys', table: 'cards', rowId: 'dana', op: 'merge', from: 'other', at: 1 }],
      'office',
      fresh,
    );
    expect(await found('052-765-4321')).toEqual([['dana', 'exact']]);
    await store.push(
      [{ id: 'del-keys', table: 'cards', rowId: 'acme', op: 'delete', at: 1 }],
      'office',
      fresh,
    );
    expect(await found('03-555-0000')).toEqual([]);
    // An Athens number written without its country: under Israeli settings no exact key…
    await store.push([put('maria', { name: 'Μαρία', phones: [phone('210 123 4567')] })], 'office', fresh);
    expect(await store.cardsByKeys(['e:+302101234567'])).toEqual([]);
    // …and when the office's phone settings say Greece, every key is made again.
    const greek = await OfficeStore.open(sql, { phone: { defaultCountry: 'GR' } });
    expect((await greek.cardsByKeys(['e:+302101234567'])).map((match) => match.card.id)).toEqual(['maria']);
    await store.close();
  });

  it('a push that fails half way applies nothing; a replaced store or a desk ahead of the hub is refused', async () => {
    const store = await OfficeStore.open(await open());
    await store.push([put('a', { name: 'A' })], 'admin', fresh);
    const bad: Change = { id: 'bad-merge', table: 'cards', rowId: 'a', op: 'merge', from: 'nobody', at: 1 };
    await expect(store.push([put('b', { name: 'B' }), bad], 'admin', fresh)).rejects.toThrow(StoreError);
    expect(await store.record('cards', 'b')).toBeUndefined();
    expect(await store.headSeq()).toBe(1);
    await expect(
      store.push([put('c', { name: 'C' })], 'x', { storeId: 'another-store', baseSeq: 0 }),
    ).rejects.toMatchObject({
      code: 'store-replaced',
    });
    await expect(
      store.push([put('c', { name: 'C' })], 'x', { storeId: store.storeId, baseSeq: 99 }),
    ).rejects.toMatchObject({
      code: 'ahead-of-hub',
    });
    await store.close();
  });

  it('backup and restore: the same records and history, and a new store id so every desk downloads again', async () => {
    const store = await OfficeStore.open(await open());
    await store.push(
      [put('a', { name: 'A' }), put('b', { name: 'בני' }), put('a', { status: 'green' })],
      'admin',
      fresh,
    );
    await store.push([{ id: 'd', table: 'cards', rowId: 'b', op: 'delete', at: 1 }], 'admin', fresh);
    const lines: Array<Record<string, unknown>> = [];
    for await (const line of store.dump()) lines.push(JSON.parse(JSON.stringify(line)));
    const target = await OfficeStore.open(await open());
    await target.push([put('z', { name: 'lost on restore' })], 'admin', fresh);
    const before = target.storeId;
    expect(await target.restore(lines)).toEqual({ records: 2, changes: 4 });
    expect(target.storeId).not.toBe(before);
    expect((await target.record('cards', 'a'))?.data).toMatchObject({ name: 'A', status: 'green' });
    expect(await target.record('cards', 'b')).toMatchObject({ deleted: true });
    expect(await target.record('cards', 'z')).toBeUndefined();
    // The sequence goes on after the restored history.
    const next = await target.push([put('n', { name: 'N' })], 'admin', fresh);
    expect(next.applied[0]!.seq).toBe(5);
    // A file that is not a backup leaves the store as it was.
    await expect(target.restore([{ something: 'else' }])).rejects.toThrow('not a Kesher office store backup');
    expect((await target.record('cards', 'n'))?.data.name).toBe('N');
    await store.close();
    await target.close();
  });
});

describe('the embedded store’s folder', () => {
  it('holds a whole store or none: made aside, in a process of its own; a folder of other files is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kesher-store-'));
    dirs.push(dir);
    const sql = await openPglite(join(dir, 'store'));
    expect(readdirSync(dir).sort()).toEqual(['store', 'store.lock']);
    expect(existsSync(join(dir, 'store', 'PG_VERSION'))).toBe(true);
    await sql.close();
    // Reopened as it is (the store is not made again).
    const again = await OfficeStore.open(await openPglite(join(dir, 'store')));
    expect(await again.headSeq()).toBe(0);
    await again.sql.close();

    mkdirSync(join(dir, 'photos'));
    writeFileSync(join(dir, 'photos', 'dana.jpg'), 'not a store');
    await expect(openPglite(join(dir, 'photos'))).rejects.toThrow(
      /photos holds files but no embedded store \(no PG_VERSION\)/,
    );
    expect(readdirSync(join(dir, 'photos'))).toEqual(['dana.jpg']);
    expect(existsSync(join(dir, 'photos.lock'))).toBe(false);
  }, 120_000);
});

describe('two bridges on one PostgreSQL', () => {
  it('hear of each other’s commits, and concurrent pushes get one gapless order', async () => {
    const url = await cluster.database('shared_store');
    const [a, b] = [
      await OfficeStore.open(await openPostgres(url)),
      await OfficeStore.open(await openPostgres(url)),
    ];
    expect(b.storeId).toBe(a.storeId);
    const heard: string[] = [];
    const stop = await b.sql.listen('kesher_changes', (payload) => heard.push(payload));
    await a.push([put('x', { name: 'from branch A' })], 'a', fresh);
    await expect.poll(() => heard, { timeout: 5_000 }).toEqual(['1']);
    expect((await b.record('cards', 'x'))?.data.name).toBe('from branch A');
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 ? a : b).push([put(`p${index}`, { name: `P${index}` })], 'desk', fresh),
      ),
    );
    expect((await b.changesSince(0, 100)).map((change) => change.seq)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
    await stop();
    await a.close();
    await b.close();
  });
});
