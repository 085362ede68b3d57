/**
 * Office mode at a desk: turning it on (this desk's cards go up), the outbox's pushes and their acks, and
 * the hub's changes applied here by the same rule the hub used (shared/sync.ts), in transactions marked so
 * nothing they write goes back to the outbox. Changes this desk made and the hub has not taken yet are
 * re-applied on top, so the screen never jumps back to an older value while a push is on its way.
 */
import { type PhoneOptions, strongKeys } from '../../shared/phone';
import {
  applyChange,
  type Change,
  diffRecord,
  LOCAL_FIELDS,
  type OrderedChange,
  type StoredRecord,
  SYNC_TABLES,
  type SyncTable,
} from '../../shared/sync';
import { callInteractionId } from '../../shared/call-log';
import { withMatchKeys } from './cards';
import type { Card, KesherDb } from './db';
import { markFromHub, type OfficeMeta, type OutboxEntry } from './outbox';

export async function officeMeta(db: KesherDb): Promise<OfficeMeta> {
  return (await db.meta.get('office')) ?? { key: 'office', enabled: false, storeId: null, cursor: 0 };
}

/**
 * Turn office mode on: from now every write is recorded, and everything this desk already has is queued
 * for the hub (the office's cards and this desk's merge there by the usual rules). Returns how many.
 */
export async function enableOffice(
  db: KesherDb,
  /** The join preview's matches the user accepted: each desk card merges into the office's card. */
  merges: ReadonlyArray<{ deskId: string; officeId: string }> = [],
): Promise<number> {
  return db.transaction(
    'rw',
    [db.cards, db.tasks, db.interactions, db.deals, db.settings, db.meta, db.outbox],
    async () => {
      const meta = await officeMeta(db);
      if (meta.enabled) return 0;
      // Calls logged under an id of their own (before calls had one id everywhere) take the office's id
      // first, so the same call logged by the hub or another desk is one record there (done before office
      // mode is on: the renames themselves are not changes, the records are queued below).
      const renamed = await db.interactions
        .filter((item) => item.callId !== undefined && item.id !== callInteractionId(item.callId))
        .toArray();
      for (const item of renamed) {
        await db.interactions.delete(item.id);
        await db.interactions.put({ ...item, id: callInteractionId(item.callId!) });
      }
      await db.meta.put({ ...meta, enabled: true });
      const at = Date.now();
      const entries: OutboxEntry[] = [];
      for (const table of SYNC_TABLES) {
        await db.table(table).each((record: Record<string, unknown>) => {
          const change = diffRecord(table, String(record.id), undefined, record, at);
          if (change) entries.push({ change, rowId: change.rowId, table });
        });
      }
      // After every put (the hub needs both cards): one merge each, applied by the hub as one change.
      for (const { deskId, officeId } of merges) {
        if (deskId === officeId) continue;
        const change: Change = {
          id: crypto.randomUUID(),
          table: 'cards',
          rowId: officeId,
          op: 'merge',
          from: deskId,
          at,
        };
        entries.push({ change, rowId: officeId, table: 'cards' });
      }
      await db.outbox.bulkAdd(entries);
      return entries.length;
    },
  );
}

/** What a join would upload, and each card's match keys for the hub's preview (strong phone keys only). */
export async function joinCandidates(db: KesherDb): Promise<{
  counts: { cards: number; tasks: number; interactions: number };
  cards: Array<{ id: string; name: string; emails: string[]; phoneKeys: string[] }>;
}> {
  return db.transaction('r', [db.cards, db.tasks, db.interactions], async () => {
    const cards = (await db.cards.toArray()).map((card) => ({
      id: card.id,
      name: card.name,
      emails: card.emails.slice(0, 50),
      phoneKeys: strongKeys(card.phoneKeys).slice(0, 100),
    }));
    return {
      counts: {
        cards: cards.length,
        tasks: await db.tasks.count(),
        interactions: await db.interactions.count(),
      },
      cards,
    };
  });
}

export async function disableOffice(db: KesherDb): Promise<void> {
  await db.transaction('rw', db.meta, db.outbox, async () => {
    await db.meta.put({ ...(await officeMeta(db)), enabled: false });
  });
}

/** The next changes to push (the hub has not acknowledged them), oldest first. */
export async function pendingChanges(db: KesherDb, limit: number): Promise<OutboxEntry[]> {
  return db.transaction('r', db.meta, db.outbox, async () => {
    const { ackedThrough = 0 } = await officeMeta(db);
    return db.outbox.where('seq').above(ackedThrough).limit(limit).toArray();
  });
}

/** Changes the hub has not acknowledged yet ("3 changes waiting"). */
export async function pendingCount(db: KesherDb): Promise<number> {
  return db.transaction('r', db.meta, db.outbox, async () => {
    const { ackedThrough = 0 } = await officeMeta(db);
    return db.outbox.where('seq').above(ackedThrough).count();
  });
}

/**
 * The hub took these (outbox seq → its place in the hub's order). They are not pushed again, but stay in
 * the outbox, on top, until the hub's stream brings them back: an earlier change of another desk that
 * arrives meanwhile never shows over this desk's later one, not even for a moment.
 */
export async function acknowledge(
  db: KesherDb,
  acked: ReadonlyArray<{ seq: number; hubSeq: number }>,
): Promise<void> {
  if (acked.length === 0) return;
  await db.transaction('rw', db.meta, db.outbox, async () => {
    const meta = await officeMeta(db);
    const entries = await db.outbox.bulkGet(acked.map((item) => item.seq));
    const kept: OutboxEntry[] = [];
    for (const [index, entry] of entries.entries()) {
      // Gone already: the stream brought it back before the ack.
      if (!entry) continue;
      const hubSeq = acked[index]!.hubSeq;
      if (hubSeq <= meta.cursor) await db.outbox.delete(entry.seq!);
      else kept.push({ ...entry, hubSeq });
    }
    await db.outbox.bulkPut(kept);
    const last = Math.max(...acked.map((item) => item.seq));
    await db.meta.put({ ...meta, ackedThrough: Math.max(meta.ackedThrough ?? 0, last) });
  });
}

/** The hub's store was replaced: this desk starts again from its first change (its own pending stay). */
export async function forgetHub(db: KesherDb): Promise<void> {
  await db.transaction('rw', db.meta, db.outbox, async () => {
    // What the old store acknowledged, the new one never had: all of it goes up again.
    await db.outbox.toCollection().modify((entry) => {
      delete entry.hubSeq;
    });
    await db.meta.put({ ...(await officeMeta(db)), storeId: null, cursor: 0, ackedThrough: 0 });
  });
}

function stored(table: SyncTable, record: Record<string, unknown> | undefined): StoredRecord | undefined {
  if (!record) return undefined;
  const data = { ...record };
  for (const field of LOCAL_FIELDS) delete data[field];
  return { table, id: String(record.id), data, deleted: false, seq: 0 };
}

/** A record as this desk keeps it: a card gets its match keys back; every table its required lists. */
function local(
  table: SyncTable,
  data: Record<string, unknown>,
  phone: PhoneOptions,
): Record<string, unknown> {
  if (table === 'cards') {
    const card = {
      kind: 'person',
      name: '',
      emails: [],
      phones: [],
      status: 'none',
      statusNote: '',
      stage: 'lead',
      tags: [],
      fields: {},
      createdAt: 0,
      updatedAt: 0,
      ...data,
    } as unknown as Card;
    return withMatchKeys(card, phone) as unknown as Record<string, unknown>;
  }
  if (table === 'interactions') return { numberKeys: [], summary: '', ...data };
  if (table === 'deals')
    return {
      title: '',
      value: 0,
      currency: 'ILS',
      stage: 'new',
      probability: 10,
      createdAt: 0,
      updatedAt: 0,
      ...data,
    };
  if (table === 'settings') return { updatedAt: 0, ...data };
  return { done: 0, priority: 'normal', createdAt: 0, ...data };
}

/**
 * Apply a page of the hub's changes, in order, and move this desk's cursor — one transaction: a worker
 * stopped half way applies the page again from the old cursor (applying a change twice gives the same).
 * Runs of plain changes are applied in bulk (one read and one write per table: a new desk downloads the
 * office store a page at a time); a merge is applied on its own, in its place.
 */
export async function applyHubChanges(
  db: KesherDb,
  storeId: string,
  changes: readonly OrderedChange[],
  phone: PhoneOptions,
  /**
   * A new desk's download into empty tables: the cards and tasks this desk has are exactly these (by
   * table and id; kept up to date here), so the others need no read — a third of a download's time. Only
   * while nothing of this desk's own waits in the outbox.
   */
  fresh?: Set<string>,
  /** The hub's page covers its order up to here (the rest of it is other users' private notes). */
  through = 0,
): Promise<{ cursor: number; touched: Set<string> }> {
  return db.transaction(
    'rw',
    [db.cards, db.tasks, db.interactions, db.deals, db.settings, db.meta, db.outbox],
    async (tx) => {
      markFromHub(tx.idbtrans);
      const meta = await officeMeta(db);
      const known = fresh && (await db.outbox.count()) === 0 ? fresh : undefined;
      const touched = new Set<string>();
      let cursor = meta.cursor;
      let run: OrderedChange[] = [];
      for (const change of changes) {
        if (change.seq <= cursor) continue;
        cursor = change.seq;
        touched.add(change.rowId);
        if (change.from) touched.add(change.from);
        if (change.op !== 'merge') {
          run.push(change);
          continue;
        }
        await applyRun(db, run, phone, known);
        run = [];
        await applyRun(db, [change], phone, known);
      }
      await applyRun(db, run, phone, known);
      cursor = Math.max(cursor, through);
      await db.meta.put({ ...meta, storeId, cursor });
      return { cursor, touched };
    },
  );
}

const rowKey = (table: string, id: string) => `${table}\u0000${id}`;

async function applyRun(
  db: KesherDb,
  run: readonly OrderedChange[],
  phone: PhoneOptions,
  known?: Set<string>,
): Promise<void> {
  if (run.length === 0) return;
  const rows = new Map<string, { table: SyncTable; id: string }>();
  for (const change of run)
    rows.set(rowKey(change.table, change.rowId), { table: change.table, id: change.rowId });
  const current = new Map<string, StoredRecord | undefined>();
  for (const table of new Set([...rows.values()].map((row) => row.table))) {
    // Interactions are always read: a call this desk logged for its own screens meanwhile has no change.
    const ids = [...rows.values()]
      .filter((row) => row.table === table)
      .filter((row) => !known || table === 'interactions' || known.has(rowKey(table, row.id)))
      .map((row) => row.id);
    const found = ids.length > 0 ? await db.table(table).bulkGet(ids) : [];
    for (const [index, id] of ids.entries()) current.set(rowKey(table, id), stored(table, found[index]));
  }
  // This desk's own changes to these records that the hub has not ordered yet stay on top. One of them that
  // comes back in the hub's stream has its place now (maybe before another desk's change this desk already
  // has): it leaves the outbox here, even if its ack is still on the way, or this desk would keep its own
  // value on top of a later one for good.
  const ids = [...new Set(run.map((change) => change.rowId))];
  const queued = await db.outbox.where('rowId').anyOf(ids).sortBy('seq');
  const inRun = new Set(run.map((change) => change.id));
  // (An acknowledged one whose place this run has passed is in the past here too, even if it never came
  // back under its own id.)
  const last = run.at(-1)!.seq;
  const ordered = queued.filter(
    (entry) => inRun.has(entry.change.id) || (entry.hubSeq !== undefined && entry.hubSeq <= last),
  );
  for (const entry of ordered) inRun.add(entry.change.id);
  if (ordered.length > 0) await db.outbox.bulkDelete(ordered.map((entry) => entry.seq!));
  const pending = new Map<string, OutboxEntry[]>();
  for (const entry of queued) {
    if (inRun.has(entry.change.id)) continue;
    const key = rowKey(entry.table, entry.rowId);
    pending.set(key, [...(pending.get(key) ?? []), entry]);
  }
  for (const change of run) {
    const key = rowKey(change.table, change.rowId);
    const before = current.get(key);
    // A put that does not create a record this desk lacks is an edit of a card the office deleted (its
    // tombstone is the hub's): the delete stands here too.
    if (!before && change.op === 'put' && !change.revive) continue;
    if (change.op === 'merge' && change.from) {
      await db.cards.delete(change.from);
      await db.tasks.where('cardId').equals(change.from).modify({ cardId: change.rowId });
      await db.deals.where('cardId').equals(change.from).modify({ cardId: change.rowId });
      await db.interactions.where('cardId').equals(change.from).modify({ cardId: change.rowId });
    }
    current.set(key, applyChange(before, change));
  }
  const puts = new Map<SyncTable, Record<string, unknown>[]>();
  const deletes = new Map<SyncTable, string[]>();
  for (const [key, record] of current) {
    if (!record) continue;
    const { table, id } = rows.get(key)!;
    let next = record;
    for (const entry of pending.get(key) ?? [])
      next = applyChange(next, { ...(entry.change as Change), seq: next.seq, author: 'this desk' });
    if (next.deleted) deletes.set(table, [...(deletes.get(table) ?? []), id]);
    else puts.set(table, [...(puts.get(table) ?? []), local(table, next.data, phone)]);
  }
  // One call, one entry: the same call kept here under another id (before office mode) gives way.
  const calls = (puts.get('interactions') ?? []).filter((record) => typeof record.callId === 'string');
  if (calls.length > 0) {
    const twins = await db.interactions
      .where('callId')
      .anyOf(calls.map((record) => record.callId as string))
      .toArray();
    const keep = new Set(calls.map((record) => record.id as string));
    const gone = twins.filter((twin) => !keep.has(twin.id)).map((twin) => twin.id);
    if (gone.length > 0) await db.interactions.bulkDelete(gone);
  }
  if (known) {
    for (const [table, records] of puts)
      for (const record of records) known.add(rowKey(table, String(record.id)));
    for (const [table, ids] of deletes) for (const id of ids) known.delete(rowKey(table, id));
  }
  for (const [table, ids] of deletes) await db.table(table).bulkDelete(ids);
  for (const [table, records] of puts) await db.table(table).bulkPut(records);
}

/**
 * Ask the hub to bring a deleted card back (office mode): the card's data is the hub's (this desk dropped
 * it), so the restore is a change of its own in the outbox; the hub answers with the card whole.
 */
export async function queueRestore(db: KesherDb, cardId: string): Promise<void> {
  await db.transaction('rw', db.outbox, db.meta, async () => {
    if (!(await officeMeta(db)).enabled) throw new Error('Restoring a deleted card needs office mode.');
    await db.outbox.add({
      change: { id: crypto.randomUUID(), table: 'cards', rowId: cardId, op: 'restore', at: Date.now() },
      rowId: cardId,
      table: 'cards',
    });
  });
}
