/**
 * The office's card store on the bridge: every desk's changes ordered into one sequence, applied by the
 * rules of `shared/sync.ts`, kept with who made them. A push is one transaction (all of it or nothing) and
 * idempotent (a change id is applied once), so a desk killed mid-push or a bridge killed mid-write loses and
 * duplicates nothing. Pushes take one lock, so the sequence is also the commit order: a desk that pulled up
 * to N never misses a change numbered below N that committed later.
 */
import { randomUUID } from 'node:crypto';
import { keyConfidence, type MatchConfidence, type PhoneOptions, parsePhone } from '../../shared/phone';
import type { Card } from '../../shared/records';
import {
  applyChange,
  type Change,
  mergeInto,
  type OrderedChange,
  type StoredRecord,
  type SyncTable,
} from '../../shared/sync';
import { LATEST_VERSION, MIGRATIONS } from './schema';
import type { Sql, SqlRunner } from './sql';
import { Users } from './users';

/** The channel bridges sharing one PostgreSQL announce their commits on. */
export const CHANGES_CHANNEL = 'kesher_changes';
/** pg_advisory_xact_lock key: one push at a time across every bridge on the store. */
const PUSH_LOCK = 7_415_001;
/** The desks' default too (extension/features/settings): numbers written without a country are Israeli. */
export const DEFAULT_PHONE: PhoneOptions = { defaultCountry: 'IL' };
const TIERS: readonly MatchConfidence[] = ['exact', 'national', 'suffix'];

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'store-replaced' | 'ahead-of-hub' | 'missing-record' | 'bad-change',
  ) {
    super(message);
  }
}

export interface PushResult {
  /** Each change of the push with the seq the hub gave it (the first time it arrived). */
  applied: Array<{ id: string; seq: number; duplicate: boolean; privateTo?: string }>;
  headSeq: number;
}

interface ChangeRow {
  seq: number;
  change_id: string;
  tbl: SyncTable;
  row_id: string;
  op: Change['op'];
  body: {
    fields?: Record<string, unknown>;
    sets?: Change['sets'];
    from?: string;
    revive?: boolean;
    privateTo?: string;
  };
  author: string;
  desk_at: number;
}

interface RecordRow {
  tbl: SyncTable;
  id: string;
  data: Record<string, unknown>;
  deleted: boolean;
  seq: number;
}

/**
 * A change as the hub keeps it: `privateTo` names the only user whose desks may have it (a private note).
 * Never sent as is: the link filters and strips it (`visibleTo`).
 */
export type HubChange = OrderedChange & { privateTo?: string };

/** The changes `viewer` (a user's name, or the office token's author) may have, as desks read them. */
export function visibleTo(changes: readonly HubChange[], viewer: string): OrderedChange[] {
  const out: OrderedChange[] = [];
  for (const change of changes) {
    if (change.privateTo === undefined) {
      out.push(change);
      continue;
    }
    if (change.privateTo !== viewer) continue;
    const { privateTo: _, ...visible } = change;
    out.push(visible);
  }
  return out;
}

const toChange = (row: ChangeRow): HubChange => ({
  id: row.change_id,
  table: row.tbl,
  rowId: row.row_id,
  op: row.op,
  ...(row.body.fields ? { fields: row.body.fields } : {}),
  ...(row.body.sets ? { sets: row.body.sets } : {}),
  ...(row.body.from ? { from: row.body.from } : {}),
  ...(row.body.revive ? { revive: true } : {}),
  ...(row.body.privateTo !== undefined ? { privateTo: row.body.privateTo } : {}),
  at: Number(row.desk_at),
  seq: Number(row.seq),
  author: row.author,
});

/** A private record keeps its owner in its data at the hub (the `privacy` of its later changes reads it). */
function withOwner(change: Change, privateTo: string | undefined): Change {
  return privateTo === undefined ? change : { ...change, fields: { ...change.fields, privateTo } };
}

const toRecord = (row: RecordRow): StoredRecord => ({
  table: row.tbl,
  id: row.id,
  data: row.data,
  deleted: row.deleted,
  seq: Number(row.seq),
});

export async function migrate(sql: Sql): Promise<number[]> {
  await sql.query(`CREATE TABLE IF NOT EXISTS kesher_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    await sql.transaction(async (tx) => {
      // Two bridges starting together on one PostgreSQL: one migrates, the other waits and finds it done.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK]);
      const done = await tx.query('SELECT 1 FROM kesher_migrations WHERE version = $1', [migration.version]);
      if (done.length > 0) return;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO kesher_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    });
  }
  return applied;
}

export class OfficeStore {
  readonly users: Users;

  private constructor(
    readonly sql: Sql,
    private id: string,
    /** How the office writes numbers: the cards' phone keys (the hub's caller matching) follow it. */
    readonly phone: PhoneOptions,
  ) {
    this.users = new Users(sql);
  }

  /** Open (and migrate) a store; a new one gets its store id. */
  static async open(sql: Sql, options: { phone?: PhoneOptions } = {}): Promise<OfficeStore> {
    await migrate(sql);
    await sql.query(
      "INSERT INTO kesher_meta (key, value) VALUES ('store_id', $1) ON CONFLICT (key) DO NOTHING",
      [randomUUID()],
    );
    const [row] = await sql.query<{ value: string }>("SELECT value FROM kesher_meta WHERE key = 'store_id'");
    const store = new OfficeStore(sql, row!.value, options.phone ?? DEFAULT_PHONE);
    // Keys made under other phone settings (or before migration 3) would match the wrong callers.
    if ((await store.meta('phone_keys')) !== store.phoneSettings()) await store.reindexPhones();
    return store;
  }

  private phoneSettings(): string {
    return JSON.stringify({
      defaultCountry: this.phone.defaultCountry,
      outsideLinePrefix: this.phone.outsideLinePrefix ?? '',
    });
  }

  async meta(key: string, runner: SqlRunner = this.sql): Promise<string | undefined> {
    const [row] = await runner.query<{ value: string }>('SELECT value FROM kesher_meta WHERE key = $1', [
      key,
    ]);
    return row?.value;
  }

  private async setMeta(runner: SqlRunner, key: string, value: string): Promise<void> {
    await runner.query(
      'INSERT INTO kesher_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
      [key, value],
    );
  }

  private phoneKeysOf(data: Record<string, unknown>): string[] {
    const phones = Array.isArray(data.phones) ? data.phones : [];
    const keys = phones.flatMap((item) =>
      item && typeof item === 'object' && typeof (item as { raw?: unknown }).raw === 'string'
        ? parsePhone((item as { raw: string }).raw, this.phone).keys
        : [],
    );
    return [...new Set(keys)];
  }

  /** The phone keys of these cards, as they are now (a tombstone has none). */
  private async indexCards(tx: SqlRunner, records: readonly StoredRecord[]): Promise<void> {
    const cards = records.filter((record) => record.table === 'cards');
    if (cards.length === 0) return;
    await tx.query(
      'DELETE FROM kesher_phone_keys WHERE card_id IN (SELECT jsonb_array_elements_text($1::jsonb))',
      [JSON.stringify(cards.map((card) => card.id))],
    );
    const rows = cards
      .filter((card) => !card.deleted)
      .flatMap((card) => this.phoneKeysOf(card.data).map((key) => ({ key, card_id: card.id })));
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO kesher_phone_keys (key, card_id)
       SELECT x.key, x.card_id FROM jsonb_to_recordset($1::jsonb) AS x(key text, card_id text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  /** Every card's phone keys again (new phone settings, a restore, the first open after migration 3). */
  private async reindexPhones(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK]);
      await tx.query('DELETE FROM kesher_phone_keys');
      let after = '';
      for (;;) {
        const rows = await tx.query<RecordRow>(
          `SELECT tbl, id, data, deleted, seq FROM kesher_records
           WHERE tbl = 'cards' AND NOT deleted AND id > $1 ORDER BY id LIMIT 1000`,
          [after],
        );
        if (rows.length === 0) break;
        await this.indexCards(tx, rows.map(toRecord));
        after = rows.at(-1)!.id;
      }
      await this.setMeta(tx, 'phone_keys', this.phoneSettings());
    });
  }

  /**
   * The cards a number's keys find, of the best tier that found any (exact, then national, then the last
   * digits), as shared/call-log.ts `chooseCaller` takes them.
   */
  async cardsByKeys(keys: readonly string[]): Promise<Array<{ card: Card; confidence: MatchConfidence }>> {
    for (const confidence of TIERS) {
      const tierKeys = keys.filter((key) => keyConfidence(key) === confidence);
      if (tierKeys.length === 0) continue;
      const rows = await this.sql.query<{ data: Card }>(
        `SELECT r.data FROM kesher_records r
         WHERE r.tbl = 'cards' AND NOT r.deleted AND r.id IN (
           SELECT card_id FROM kesher_phone_keys WHERE key IN (SELECT jsonb_array_elements_text($1::jsonb)))
         ORDER BY r.id`,
        [JSON.stringify(tierKeys)],
      );
      if (rows.length > 0) return rows.map((row) => ({ card: row.data, confidence }));
    }
    return [];
  }

  /** Changes when the store is replaced (a restore): a desk's cursor from before then means nothing. */
  get storeId(): string {
    return this.id;
  }

  async schemaVersion(): Promise<{ current: number; latest: number }> {
    const [row] = await this.sql.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM kesher_migrations',
    );
    return { current: Number(row?.version ?? 0), latest: LATEST_VERSION };
  }

  async headSeq(runner: SqlRunner = this.sql): Promise<number> {
    const [row] = await runner.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM kesher_changes');
    return Number(row?.seq ?? 0);
  }

  /**
   * Apply a desk's changes in one transaction. `storeId` and `baseSeq` are what the desk last saw: a store
   * that was replaced, or a desk claiming changes the hub never had, is refused whole. A few statements per
   * push whatever its size (the rows read, the changes logged and the rows written in bulk); a push with a
   * merge is applied change by change.
   */
  async push(
    changes: readonly Change[],
    author: string,
    desk: { storeId: string | null; baseSeq: number },
    /** Written in the push's transaction (the hub's call log keeps how far it logged the journal). */
    meta?: { key: string; value: string },
  ): Promise<PushResult> {
    if (desk.storeId !== null && desk.storeId !== this.id)
      throw new StoreError(
        'the office store was replaced: this desk must download it again',
        'store-replaced',
      );
    return this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK]);
      const head = await this.headSeq(tx);
      if (desk.baseSeq > head)
        throw new StoreError(
          `this desk says it has change ${desk.baseSeq}; the hub has ${head}`,
          'ahead-of-hub',
        );
      const seqOf = new Map(
        (
          await tx.query<{ change_id: string; seq: number }>(
            'SELECT change_id, seq FROM kesher_changes WHERE change_id IN (SELECT jsonb_array_elements_text($1::jsonb))',
            [JSON.stringify(changes.map((change) => change.id))],
          )
        ).map((row) => [row.change_id, Number(row.seq)]),
      );
      // New to the hub, once each (a push may carry one change twice: the second is a duplicate).
      const fresh = new Map<string, Change>();
      for (const change of changes)
        if (!seqOf.has(change.id) && !fresh.has(change.id)) fresh.set(change.id, change);
      const news = [...fresh.values()];
      const privacy = await this.privacy(tx, news, author);
      if (news.some((change) => change.op === 'merge' || change.op === 'restore')) {
        for (const change of news)
          seqOf.set(change.id, await this.apply(tx, change, author, privacy.get(change.id)));
      } else if (news.length > 0) {
        for (const [id, seq] of await this.applyBulk(tx, news, author, privacy)) seqOf.set(id, seq);
      }
      const counted = new Set<string>();
      const applied = changes.map((change) => {
        const first = fresh.has(change.id) && !counted.has(change.id);
        counted.add(change.id);
        const privateTo = privacy.get(change.id);
        return {
          id: change.id,
          seq: seqOf.get(change.id)!,
          duplicate: !first,
          ...(privateTo !== undefined ? { privateTo } : {}),
        };
      });
      // Under the push lock nothing else commits: the head is this push's last change (or the one before).
      const headSeq = Math.max(head, ...applied.map((item) => item.seq));
      if (meta) await this.setMeta(tx, meta.key, meta.value);
      // Bridges sharing a PostgreSQL hear of it; an embedded store has nobody else to tell.
      if (this.sql.kind === 'postgres' && news.length > 0)
        await tx.query(`SELECT pg_notify('${CHANGES_CHANNEL}', $1)`, [String(headSeq)]);
      return { applied, headSeq };
    });
  }

  /**
   * Which of these changes are private, and to whom: a note written private is its author's (the user the
   * hub authenticated, never a desk's claim), and every later change of it too. A note cannot be made
   * private after it was shared, nor shared once private: refused, nothing of the push applied.
   */
  private async privacy(
    tx: SqlRunner,
    changes: readonly Change[],
    author: string,
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const notes = changes.filter((change) => change.table === 'interactions');
    if (notes.length === 0) return out;
    const owners = new Map(
      (
        await tx.query<{ id: string; owner: string | null }>(
          `SELECT id, data->>'privateTo' AS owner FROM kesher_records
           WHERE tbl = 'interactions' AND id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
          [JSON.stringify([...new Set(notes.map((change) => change.rowId))])],
        )
      ).map((row) => [row.id, row.owner]),
    );
    for (const change of notes) {
      const owner = owners.get(change.rowId);
      const wants = change.fields?.private;
      if (owner) {
        if (wants !== undefined && wants !== true)
          throw new StoreError('a private note stays private', 'bad-change');
        out.set(change.id, owner);
      } else if (wants === true) {
        if (owners.has(change.rowId))
          throw new StoreError('a note can be made private only when it is written', 'bad-change');
        owners.set(change.rowId, author);
        out.set(change.id, author);
      } else if (!owners.has(change.rowId)) owners.set(change.rowId, null);
    }
    return out;
  }

  /** Changes without a merge: logged in their order, applied in memory, each touched row written once. */
  private async applyBulk(
    tx: SqlRunner,
    changes: readonly Change[],
    author: string,
    privacy: ReadonlyMap<string, string>,
  ): Promise<Map<string, number>> {
    const keyOf = (table: string, id: string) => `${table}\u0000${id}`;
    const keys = [
      ...new Map(
        changes.map((change) => [keyOf(change.table, change.rowId), { tbl: change.table, id: change.rowId }]),
      ).values(),
    ];
    const rows = await tx.query<RecordRow>(
      `SELECT r.tbl, r.id, r.data, r.deleted, r.seq FROM kesher_records r
       JOIN jsonb_to_recordset($1::jsonb) AS k(tbl text, id text) ON r.tbl = k.tbl AND r.id = k.id`,
      [JSON.stringify(keys)],
    );
    const current = new Map(rows.map((row) => [keyOf(row.tbl, row.id), toRecord(row)]));
    const before = new Map(current);
    const inserted = await tx.query<{ seq: number; change_id: string }>(
      `INSERT INTO kesher_changes (change_id, tbl, row_id, op, body, author, desk_at)
       SELECT x.change_id, x.tbl, x.row_id, x.op, x.body, $2, x.desk_at
       FROM jsonb_to_recordset($1::jsonb)
         AS x(ord int, change_id text, tbl text, row_id text, op text, body jsonb, desk_at bigint)
       ORDER BY x.ord
       RETURNING seq, change_id`,
      [
        JSON.stringify(
          changes.map((change, ord) => ({
            ord,
            change_id: change.id,
            tbl: change.table,
            row_id: change.rowId,
            op: change.op,
            body: {
              fields: change.fields,
              sets: change.sets,
              revive: change.revive,
              privateTo: privacy.get(change.id),
            },
            desk_at: change.at,
          })),
        ),
        author,
      ],
    );
    const seqOf = new Map(inserted.map((row) => [row.change_id, Number(row.seq)]));
    const ordered = [...changes].sort((a, b) => seqOf.get(a.id)! - seqOf.get(b.id)!);
    for (const change of ordered) {
      const key = keyOf(change.table, change.rowId);
      current.set(
        key,
        applyChange(current.get(key), {
          ...withOwner(change, privacy.get(change.id)),
          seq: seqOf.get(change.id)!,
          author,
        }),
      );
    }
    await tx.query(
      `INSERT INTO kesher_records (tbl, id, data, deleted, seq)
       SELECT x.tbl, x.id, x.data, x.deleted, x.seq
       FROM jsonb_to_recordset($1::jsonb) AS x(tbl text, id text, data jsonb, deleted boolean, seq bigint)
       ON CONFLICT (tbl, id) DO UPDATE SET data = EXCLUDED.data, deleted = EXCLUDED.deleted, seq = EXCLUDED.seq`,
      [
        JSON.stringify(
          keys.map(({ tbl, id }) => {
            const record = current.get(keyOf(tbl, id))!;
            return { tbl, id, data: record.data, deleted: record.deleted, seq: record.seq };
          }),
        ),
      ],
    );
    // A card whose numbers (or whether it exists) changed gets its phone keys again.
    const renumbered = keys
      .filter(({ tbl }) => tbl === 'cards')
      .map(({ tbl, id }) => {
        const was = before.get(keyOf(tbl, id));
        const now = current.get(keyOf(tbl, id))!;
        const same =
          was &&
          was.deleted === now.deleted &&
          JSON.stringify(was.data.phones) === JSON.stringify(now.data.phones);
        return same ? undefined : now;
      })
      .filter((record) => record !== undefined);
    await this.indexCards(tx, renumbered);
    return seqOf;
  }

  private async apply(tx: SqlRunner, change: Change, author: string, privateTo?: string): Promise<number> {
    const current = await this.record(change.table, change.rowId, tx);
    let fields = change.fields;
    let from: StoredRecord | undefined;
    if (change.op === 'merge') {
      from = await this.record('cards', change.from!, tx);
      if (!current || !from) throw new StoreError(`a merge of cards the hub does not have`, 'missing-record');
      // Desks apply the merge as the hub resolved it: the survivor's fields travel with the change.
      fields = mergeInto(current, from);
    }
    if (change.op === 'restore') {
      if (!current) throw new StoreError(`a restore of a record the hub does not have`, 'missing-record');
      // Desks dropped the deleted record's data: it travels whole (the hub's own markers stay here).
      const { privateTo: _, ...data } = current.data;
      fields = data;
    }
    const body = { fields, sets: change.sets, from: change.from, revive: change.revive, privateTo };
    const [row] = await tx.query<{ seq: number }>(
      `INSERT INTO kesher_changes (change_id, tbl, row_id, op, body, author, desk_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
      [change.id, change.table, change.rowId, change.op, JSON.stringify(body), author, change.at],
    );
    const seq = Number(row!.seq);
    const next = applyChange(current, { ...withOwner({ ...change, fields }, privateTo), seq, author });
    await this.write(tx, next);
    await this.indexCards(tx, [next]);
    if (change.op === 'restore' && change.table === 'cards' && current?.deleted)
      await this.restoreWithCard(tx, change, author, current.seq);
    if (from) {
      await this.write(tx, { ...from, deleted: true, seq });
      await this.indexCards(tx, [{ ...from, deleted: true }]);
      // The merged card's tasks and timeline move to the survivor.
      await tx.query(
        `UPDATE kesher_records SET data = jsonb_set(data, '{cardId}', to_jsonb($1::text)), seq = $2
         WHERE tbl IN ('tasks', 'interactions', 'deals') AND data->>'cardId' = $3`,
        [change.rowId, seq, from.id],
      );
    }
    return seq;
  }

  /**
   * A card brought back brings back what its delete took with it: its tasks, notes and deals deleted within a
   * minute of the card (each a restore in the log, whole, so every desk gets them back too), and its calls
   * the delete moved to the unknown callers.
   */
  private async restoreWithCard(
    tx: SqlRunner,
    change: Change,
    author: string,
    deletedSeq: number,
  ): Promise<void> {
    const rows = await tx.query<RecordRow & { owner: string | null }>(
      `SELECT r.tbl, r.id, r.data, r.deleted, r.seq, r.data->>'privateTo' AS owner FROM kesher_records r
       JOIN kesher_changes c ON c.seq = r.seq
       WHERE r.tbl IN ('tasks', 'interactions', 'deals') AND r.deleted AND r.data->>'cardId' = $1
         AND c.op = 'delete'
         AND abs(c.desk_at - (SELECT desk_at FROM kesher_changes WHERE seq = $2)) <= 60000
       ORDER BY r.seq, r.id`,
      [change.rowId, deletedSeq],
    );
    // Its calls, which the delete left with the unknown callers, go back on it.
    const calls = await tx.query<RecordRow>(
      `SELECT r.tbl, r.id, r.data, r.deleted, r.seq FROM kesher_records r
       JOIN kesher_changes c ON c.seq = r.seq
       WHERE r.tbl = 'interactions' AND NOT r.deleted AND r.data->>'kind' = 'call' AND r.data->>'cardId' = ''
         AND c.op = 'put' AND c.body->'fields'->>'cardId' = ''
         AND abs(c.desk_at - (SELECT desk_at FROM kesher_changes WHERE seq = $2)) <= 60000
         AND EXISTS (SELECT 1 FROM kesher_changes p WHERE p.tbl = 'interactions' AND p.row_id = r.id
                     AND p.seq < c.seq AND p.body->'fields'->>'cardId' = $1)
       ORDER BY r.seq, r.id`,
      [change.rowId, deletedSeq],
    );
    for (const row of calls) {
      const fields = { cardId: change.rowId };
      const [inserted] = await tx.query<{ seq: number }>(
        `INSERT INTO kesher_changes (change_id, tbl, row_id, op, body, author, desk_at)
         VALUES ($1, 'interactions', $2, 'put', $3, $4, $5) RETURNING seq`,
        [`${change.id}/call/${row.id}`, row.id, JSON.stringify({ fields }), author, change.at],
      );
      await this.write(tx, {
        ...toRecord(row),
        data: { ...row.data, ...fields },
        seq: Number(inserted!.seq),
      });
    }
    for (const row of rows) {
      const { privateTo: _, ...data } = row.data;
      const body = { fields: data, ...(row.owner ? { privateTo: row.owner } : {}) };
      const [inserted] = await tx.query<{ seq: number }>(
        `INSERT INTO kesher_changes (change_id, tbl, row_id, op, body, author, desk_at)
         VALUES ($1, $2, $3, 'restore', $4, $5, $6) RETURNING seq`,
        [`${change.id}/${row.tbl}/${row.id}`, row.tbl, row.id, JSON.stringify(body), author, change.at],
      );
      await this.write(tx, { ...toRecord(row), deleted: false, seq: Number(inserted!.seq) });
    }
  }

  /** A card's changes (and merges into it), oldest first: its history. At most the last 1,000. */
  async history(cardId: string): Promise<HubChange[]> {
    const rows = await this.sql.query<ChangeRow & { hub_ms: number }>(
      `SELECT seq, change_id, tbl, row_id, op, body, author, desk_at,
              (extract(epoch FROM hub_at) * 1000)::bigint AS hub_ms
       FROM kesher_changes
       WHERE tbl = 'cards' AND (row_id = $1 OR (op = 'merge' AND body->>'from' = $1))
       ORDER BY seq DESC LIMIT 1000`,
      [cardId],
    );
    return rows.reverse().map((row) => ({ ...toChange(row), at: Number(row.hub_ms) }));
  }

  /** The office's deleted cards (not merged ones: those live on in another), newest first. */
  async deletedCards(
    limit = 500,
  ): Promise<Array<{ id: string; name: string; deletedBy: string; deletedAt: number }>> {
    const rows = await this.sql.query<{ id: string; name: string | null; author: string; hub_ms: number }>(
      `SELECT r.id, r.data->>'name' AS name, c.author, (extract(epoch FROM c.hub_at) * 1000)::bigint AS hub_ms
       FROM kesher_records r JOIN kesher_changes c ON c.seq = r.seq
       WHERE r.tbl = 'cards' AND r.deleted AND c.op = 'delete'
       ORDER BY r.seq DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name ?? '',
      deletedBy: row.author,
      deletedAt: Number(row.hub_ms),
    }));
  }

  private async write(tx: SqlRunner, record: StoredRecord): Promise<void> {
    await tx.query(
      `INSERT INTO kesher_records (tbl, id, data, deleted, seq) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tbl, id) DO UPDATE SET data = EXCLUDED.data, deleted = EXCLUDED.deleted, seq = EXCLUDED.seq`,
      [record.table, record.id, JSON.stringify(record.data), record.deleted, record.seq],
    );
  }

  async record(
    table: SyncTable,
    id: string,
    runner: SqlRunner = this.sql,
  ): Promise<StoredRecord | undefined> {
    const [row] = await runner.query<RecordRow>(
      'SELECT tbl, id, data, deleted, seq FROM kesher_records WHERE tbl = $1 AND id = $2',
      [table, id],
    );
    return row ? toRecord(row) : undefined;
  }

  /** The hub's changes after `afterSeq`, in order. */
  async changesSince(afterSeq: number, limit = 500): Promise<HubChange[]> {
    const rows = await this.sql.query<ChangeRow>(
      `SELECT seq, change_id, tbl, row_id, op, body, author, desk_at FROM kesher_changes
       WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
    return rows.map(toChange);
  }

  /** A page of every record (tombstones too), in (seq, table, id) order: what a new desk downloads. */
  async records(
    after: { seq: number; table: string; id: string } | null,
    limit = 1000,
  ): Promise<StoredRecord[]> {
    const rows = await this.sql.query<RecordRow>(
      `SELECT tbl, id, data, deleted, seq FROM kesher_records
       WHERE ($1::bigint IS NULL OR (seq, tbl, id) > ($1::bigint, $2::text, $3::text))
       ORDER BY seq, tbl, id LIMIT $4`,
      [after?.seq ?? null, after?.table ?? '', after?.id ?? '', limit],
    );
    return rows.map(toRecord);
  }

  async counts(): Promise<Record<SyncTable, number>> {
    const rows = await this.sql.query<{ tbl: SyncTable; n: number }>(
      'SELECT tbl, count(*)::int AS n FROM kesher_records WHERE NOT deleted GROUP BY tbl',
    );
    const out: Record<SyncTable, number> = { cards: 0, tasks: 0, interactions: 0, deals: 0, settings: 0 };
    for (const row of rows) out[row.tbl] = Number(row.n);
    return out;
  }

  /** Everything, for `npm run bridge -- backup` (records and the whole change history). */
  async *dump(): AsyncGenerator<Record<string, unknown>> {
    yield {
      kesher: 'office-store',
      version: LATEST_VERSION,
      storeId: this.id,
      headSeq: await this.headSeq(),
    };
    let after: { seq: number; table: string; id: string } | null = null;
    for (;;) {
      const page = await this.records(after, 1000);
      if (page.length === 0) break;
      for (const record of page) yield { record };
      const last = page.at(-1)!;
      after = { seq: last.seq, table: last.table, id: last.id };
    }
    let seq = 0;
    for (;;) {
      const page = await this.changesSince(seq, 1000);
      if (page.length === 0) break;
      for (const change of page) yield { change };
      seq = page.at(-1)!.seq;
    }
  }

  /**
   * Replace the whole store with a backup's lines, in one transaction (a bad line leaves the store as it
   * was). The store gets a new id: every desk downloads it again.
   */
  async restore(lines: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>): Promise<{
    records: number;
    changes: number;
  }> {
    const newId = randomUUID();
    const counts = await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK]);
      await tx.query('DELETE FROM kesher_records');
      await tx.query('DELETE FROM kesher_changes');
      let records = 0;
      let changes = 0;
      let header = false;
      for await (const line of lines) {
        if (!header) {
          if (line.kesher !== 'office-store')
            throw new StoreError('not a Kesher office store backup', 'bad-change');
          header = true;
          continue;
        }
        if (line.record) {
          await this.write(tx, line.record as StoredRecord);
          records++;
        } else if (line.change) {
          const change = line.change as OrderedChange;
          await tx.query(
            `INSERT INTO kesher_changes (seq, change_id, tbl, row_id, op, body, author, desk_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [
              change.seq,
              change.id,
              change.table,
              change.rowId,
              change.op,
              JSON.stringify({
                fields: change.fields,
                sets: change.sets,
                from: change.from,
                revive: change.revive,
                privateTo: (change as HubChange).privateTo,
              }),
              change.author,
              change.at,
            ],
          );
          changes++;
        }
      }
      if (!header) throw new StoreError('the backup is empty', 'bad-change');
      await tx.query(
        "SELECT setval(pg_get_serial_sequence('kesher_changes', 'seq'), GREATEST((SELECT max(seq) FROM kesher_changes), 1), (SELECT count(*) > 0 FROM kesher_changes))",
      );
      await tx.query("UPDATE kesher_meta SET value = $1 WHERE key = 'store_id'", [newId]);
      return { records, changes };
    });
    this.id = newId;
    await this.reindexPhones();
    return counts;
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
