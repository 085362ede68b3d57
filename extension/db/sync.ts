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
  return db.transaction('rw', [db.cards, db.tasks, db.interactions, db.meta, db.outbox], async () => {
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
    for (const table of ['cards', 'tasks', 'interactions'] as const) {
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
  });
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

/** The next changes to push, oldest first. */
export function pendingChanges(db: KesherDb, limit: number): Promise<OutboxEntry[]> {
  return db.outbox.orderBy('seq').limit(limit).toArray();
}

export function pendingCount(db: KesherDb): Promise<number> {
  return db.outbox.count();
}

/** The hub took these (by outbox seq): they leave the outbox. */
export async function acknowledge(db: KesherDb, seqs: readonly number[]): Promise<void> {
  await db.outbox.bulkDelete([...seqs]);
}

/** The hub's store was replaced: this desk starts again from its first change (its own pending stay). */
export async function forgetHub(db: KesherDb): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    await db.meta.put({ ...(await officeMeta(db)), storeId: null, cursor: 0 });
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
  return { done: 0, priority: 'normal', createdAt: 0, ...data };
}

/**
 * Apply a page of the hub's changes, in order, and move this desk's cursor — one transaction: a worker
 * stopped half way applies the page again from the old cursor (applying a change twice gives the same).
 */
export async function applyHubChanges(
  db: KesherDb,
  storeId: string,
  changes: readonly OrderedChange[],
  phone: PhoneOptions,
): Promise<{ cursor: number; touched: Set<string> }> {
  return db.transaction('rw', [db.cards, db.tasks, db.interactions, db.meta, db.outbox], async (tx) => {
    markFromHub(tx.idbtrans);
    const meta = await officeMeta(db);
    const touched = new Set<string>();
    let cursor = meta.cursor;
    for (const change of changes) {
      if (change.seq <= cursor) continue;
      cursor = change.seq;
      await applyOne(db, change, phone);
      touched.add(change.rowId);
      if (change.from) touched.add(change.from);
    }
    await db.meta.put({ ...meta, storeId, cursor });
    return { cursor, touched };
  });
}

async function applyOne(db: KesherDb, change: OrderedChange, phone: PhoneOptions): Promise<void> {
  const table = db.table(change.table);
  const before = stored(change.table, await table.get(change.rowId));
  let next = applyChange(before, change);
  // This desk's own changes to the record that the hub has not ordered yet stay on top. One of them that
  // comes back in the hub's stream has its place now (maybe before another desk's change this desk already
  // has): it leaves the outbox here, even if its ack is still on the way, or this desk would keep its own
  // value on top of a later one for good.
  const queued = await db.outbox.where('rowId').equals(change.rowId).sortBy('seq');
  const ordered = queued.filter((entry) => entry.change.id === change.id);
  if (ordered.length > 0) await db.outbox.bulkDelete(ordered.map((entry) => entry.seq!));
  const pending = queued.filter((entry) => entry.change.id !== change.id);
  for (const entry of pending)
    next = applyChange(next, { ...(entry.change as Change), seq: next.seq, author: 'this desk' });
  if (change.op === 'merge' && change.from) {
    await db.cards.delete(change.from);
    await db.tasks.where('cardId').equals(change.from).modify({ cardId: change.rowId });
    await db.interactions.where('cardId').equals(change.from).modify({ cardId: change.rowId });
  }
  if (next.deleted) {
    await table.delete(change.rowId);
    return;
  }
  const record = local(change.table, next.data, phone);
  if (change.table === 'interactions' && typeof record.callId === 'string') {
    // One call, one entry: the same call logged here under another id (before office mode) gives way.
    const twin = await db.interactions.where('callId').equals(record.callId).first();
    if (twin && twin.id !== change.rowId) await db.interactions.delete(twin.id);
  }
  await table.put(record);
}
