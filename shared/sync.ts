/**
 * Office mode's changes: what a desk records for every write and the hub orders into one sequence, and the
 * one rule both apply to turn a record and a change into the next record. Pure, so the hub (PGlite or
 * PostgreSQL) and every desk (Dexie) end with identical data whatever order the desks were offline in:
 *
 * - a field's value: last writer wins, in the hub's order (never a desk's clock);
 * - phones, emails and tags: sets — an add and a remove made at two desks both survive;
 * - notes, calls and emails are interactions, created once by id: append-only;
 * - a delete leaves a tombstone (the record stays, marked deleted) that a restore lifts;
 * - merging two cards is one change the hub applies (see `mergeInto`).
 */
import * as v from 'valibot';

/** The tables a change may name; a later feature adds its table here (and nowhere else). */
export const SYNC_TABLES = ['cards', 'tasks', 'interactions', 'deals', 'settings'] as const;
export type SyncTable = (typeof SYNC_TABLES)[number];

/** Fields that are sets, per table: merged by element, never overwritten whole. */
export const SET_FIELDS: Record<SyncTable, readonly string[]> = {
  cards: ['phones', 'emails', 'tags'],
  tasks: [],
  interactions: [],
  deals: [],
  settings: [],
};

/** Fields never synced: derived on every save (match keys) by whoever keeps the record. */
export const LOCAL_FIELDS: ReadonlySet<string> = new Set(['phoneKeys', 'emailKeys']);

/** Fields a desk never writes: the hub derives or owns them. */
const PROTECTED_FIELDS = new Set(['id']);

/** How many changes one push may carry (a bigger batch is refused whole, nothing half-applied). */
export const MAX_PUSH_CHANGES = 500;
/** How large one change's fields may be once serialised (a photo is a data: URL: up to ~1 MB). */
export const MAX_CHANGE_BYTES = 1_500_000;

// A call's interaction is "call:" + its callId (up to 200): ids go a little beyond.
const id = v.pipe(v.string(), v.minLength(1, 'id is empty'), v.maxLength(300, 'id is too long'));

const SetOpsSchema = v.object({
  add: v.optional(v.array(v.unknown())),
  remove: v.optional(v.array(v.unknown())),
});

export const ChangeSchema = v.strictObject({
  /** Chosen by the desk (a UUID): the same change pushed twice is applied once. */
  id,
  table: v.picklist(SYNC_TABLES, 'table must be one of cards, tasks, interactions, deals, settings'),
  rowId: id,
  op: v.picklist(['put', 'delete', 'restore', 'merge'], 'op must be put, delete, restore or merge'),
  /** put: the fields this change sets (last writer wins per field). */
  fields: v.optional(v.record(v.string(), v.unknown())),
  /** put: set fields changed element by element. */
  sets: v.optional(v.record(v.string(), SetOpsSchema)),
  /** put: the desk created this record (or brought it back): a tombstone the hub holds is lifted. */
  revive: v.optional(v.boolean()),
  /** merge (cards): the card merged into `rowId`, which then becomes a tombstone. */
  from: v.optional(id),
  /** When the desk made it (shown in history; never used to order). */
  at: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type Change = v.InferOutput<typeof ChangeSchema>;

/** A change as the hub ordered it. */
export interface OrderedChange extends Change {
  seq: number;
  /** The user who made it, as the hub authenticated them (a desk's own claim is never taken). */
  author: string;
}

/** A record in the store: its data, whether it is a tombstone, and the last change that touched it. */
export interface StoredRecord {
  table: SyncTable;
  id: string;
  data: Record<string, unknown>;
  deleted: boolean;
  seq: number;
}

/** One element's identity in a set: phones by their digits, anything else by its JSON. */
export function setKey(field: string, element: unknown): string {
  if (field === 'phones' && element && typeof element === 'object' && 'raw' in element)
    return `tel:${String((element as { raw: unknown }).raw).replace(/\D/g, '')}`;
  if (field === 'emails' && typeof element === 'string') return `mail:${element.trim().toLowerCase()}`;
  if (typeof element === 'string') return `s:${element.trim().toLowerCase()}`;
  return `j:${JSON.stringify(element)}`;
}

function applySet(current: unknown, field: string, ops: { add?: unknown[]; remove?: unknown[] }): unknown[] {
  const out = Array.isArray(current) ? [...current] : [];
  const removing = new Set((ops.remove ?? []).map((element) => setKey(field, element)));
  const kept = out.filter((element) => !removing.has(setKey(field, element)));
  const present = new Set(kept.map((element) => setKey(field, element)));
  for (const element of ops.add ?? []) {
    const key = setKey(field, element);
    if (present.has(key)) continue;
    present.add(key);
    kept.push(element);
  }
  return kept;
}

/**
 * The next state of one record after one change (the hub calls this in its order; a desk replays the hub's
 * changes through it too). `merge` is applied by the hub with `mergeInto` and arrives at desks as puts.
 */
export function applyChange(record: StoredRecord | undefined, change: OrderedChange): StoredRecord {
  const base: StoredRecord = record ?? {
    table: change.table,
    id: change.rowId,
    data: { id: change.rowId },
    deleted: false,
    seq: 0,
  };
  switch (change.op) {
    case 'delete':
      return { ...base, deleted: true, seq: change.seq };
    case 'restore':
      // The hub sends a restored record whole (desks dropped a deleted one's data).
      return {
        ...base,
        data: change.fields ? { ...base.data, ...change.fields, id: base.id } : base.data,
        deleted: false,
        seq: change.seq,
      };
    case 'merge':
    case 'put': {
      const data = { ...base.data };
      const sets = SET_FIELDS[change.table];
      for (const [field, value] of Object.entries(change.fields ?? {})) {
        if (PROTECTED_FIELDS.has(field)) continue;
        // A set written whole (a new record, an import) is a set of adds; it never removes another desk's.
        data[field] =
          sets.includes(field) && Array.isArray(value) ? applySet(data[field], field, { add: value }) : value;
      }
      for (const [field, ops] of Object.entries(change.sets ?? {})) {
        if (sets.includes(field)) data[field] = applySet(data[field], field, ops);
      }
      // A put never undeletes by itself (another desk deleted the card meanwhile: the delete stands); a
      // record the desk created or brought back does.
      return { ...base, data, deleted: change.revive ? false : base.deleted, seq: change.seq };
    }
  }
}

/** A card merged into another: the survivor takes the other's set fields and any field it lacks. */
export function mergeInto(into: StoredRecord, from: StoredRecord): Record<string, unknown> {
  const data = { ...into.data };
  for (const [field, value] of Object.entries(from.data)) {
    if (field === 'id') continue;
    if (SET_FIELDS.cards.includes(field))
      data[field] = applySet(data[field], field, { add: value as unknown[] });
    else if (data[field] === undefined || data[field] === '' || data[field] === null) data[field] = value;
  }
  return data;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The change that turns `before` into `after` (null when nothing a desk syncs changed). */
export function diffRecord(
  table: SyncTable,
  id: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  at: number,
  changeId: string = crypto.randomUUID(),
): Change | null {
  const fields: Record<string, unknown> = {};
  const sets: NonNullable<Change['sets']> = {};
  const setFields = SET_FIELDS[table];
  for (const [field, value] of Object.entries(after)) {
    if (field === 'id' || LOCAL_FIELDS.has(field) || value === undefined) continue;
    const old = before?.[field];
    if (setFields.includes(field) && Array.isArray(value)) {
      const oldList = Array.isArray(old) ? old : [];
      const oldKeys = new Set(oldList.map((element) => setKey(field, element)));
      const newKeys = new Set(value.map((element) => setKey(field, element)));
      const add = value.filter((element) => !oldKeys.has(setKey(field, element)));
      const remove = oldList.filter((element) => !newKeys.has(setKey(field, element)));
      if (add.length > 0 || remove.length > 0)
        sets[field] = { ...(add.length ? { add } : {}), ...(remove.length ? { remove } : {}) };
      continue;
    }
    if (!same(old, value)) fields[field] = value;
  }
  // A field the write removed (an optional one cleared) travels as null.
  for (const field of Object.keys(before ?? {})) {
    if (field === 'id' || LOCAL_FIELDS.has(field) || setFields.includes(field)) continue;
    if (!(field in after) || after[field] === undefined) {
      if (before?.[field] !== undefined && before[field] !== null) fields[field] = null;
    }
  }
  if (Object.keys(fields).length === 0 && Object.keys(sets).length === 0 && before) return null;
  return {
    id: changeId,
    table,
    rowId: id,
    op: 'put',
    ...(Object.keys(fields).length ? { fields } : {}),
    ...(Object.keys(sets).length ? { sets } : {}),
    // A record this desk creates (or brings back: an undo) lifts a tombstone the hub may hold.
    ...(before ? {} : { revive: true }),
    at,
  };
}

/** The shape each set's elements must have: what every desk's screens and match keys read. */
const SET_ELEMENTS: Record<string, (element: unknown) => boolean> = {
  phones: (element) =>
    !!element && typeof element === 'object' && typeof (element as { raw?: unknown }).raw === 'string',
  emails: (element) => typeof element === 'string',
  tags: (element) => typeof element === 'string',
};

/** What is wrong with a change's fields for its table (undefined: nothing). */
function fieldProblem(change: Change): string | undefined {
  for (const field of SET_FIELDS[change.table]) {
    const whole = change.fields?.[field];
    if (whole !== undefined && whole !== null && !Array.isArray(whole)) return `${field} must be a list`;
    const ops = change.sets?.[field];
    for (const element of [
      ...(Array.isArray(whole) ? whole : []),
      ...(ops?.add ?? []),
      ...(ops?.remove ?? []),
    ])
      if (!SET_ELEMENTS[field]!(element)) return `${field} holds an element of the wrong shape`;
  }
  if (change.fields && 'privateTo' in change.fields) return 'privateTo is set by the hub, never by a desk';
  const hidden = change.fields?.private;
  if (hidden !== undefined && hidden !== null && typeof hidden !== 'boolean')
    return 'private must be true or false';
  const name = change.fields?.name;
  if (change.table === 'cards' && name !== undefined && name !== null && typeof name !== 'string')
    return 'name must be text';
  return undefined;
}

const OrderedChangeSchema = v.strictObject({
  ...ChangeSchema.entries,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  author: v.pipe(v.string(), v.maxLength(300)),
});

function issueText(issues: readonly v.BaseIssue<unknown>[] | undefined): string {
  const issue = issues?.[0];
  const path = issue?.path?.map((item) => String(item.key)).join('.');
  const message = issue?.message ?? 'invalid';
  return !path || message.startsWith(path) ? message : `${path}: ${message}`;
}

/**
 * A page of the hub's changes, as a desk checks it before applying any of it: each one whole, in the hub's
 * order. A page that fails is not applied and the desk's cursor stays (nothing half-applied, nothing lost).
 */
export function checkHubChanges(
  changes: readonly unknown[],
): { ok: true; changes: OrderedChange[] } | { ok: false; reason: string } {
  const parsed: OrderedChange[] = [];
  let last = 0;
  for (const [index, raw] of changes.entries()) {
    const result = v.safeParse(OrderedChangeSchema, raw);
    if (!result.success) return { ok: false, reason: `change ${index}: ${issueText(result.issues)}` };
    const change = result.output;
    if (change.seq <= last) return { ok: false, reason: `change ${index} is out of the hub's order` };
    last = change.seq;
    const problem = fieldProblem(change);
    if (problem)
      return { ok: false, reason: `change ${index} (${change.table} ${change.rowId}): ${problem}` };
    parsed.push(change);
  }
  return { ok: true, changes: parsed };
}

/** Why a push is refused as a whole (sent back as an error frame; nothing of the push is applied). */
export function checkPush(
  changes: readonly unknown[],
): { ok: true; changes: Change[] } | { ok: false; reason: string } {
  if (changes.length > MAX_PUSH_CHANGES)
    return {
      ok: false,
      reason: `a push carries at most ${MAX_PUSH_CHANGES} changes (this one ${changes.length})`,
    };
  const parsed: Change[] = [];
  for (const [index, raw] of changes.entries()) {
    if (raw && typeof raw === 'object' && 'author' in raw)
      return {
        ok: false,
        reason: `change ${index}: the author is set by the hub from who is signed in, never by a desk`,
      };
    const result = v.safeParse(ChangeSchema, raw);
    if (!result.success) return { ok: false, reason: `change ${index}: ${issueText(result.issues)}` };
    const change = result.output;
    const problem = fieldProblem(change);
    if (problem) return { ok: false, reason: `change ${index}: ${problem}` };
    if (JSON.stringify(change).length > MAX_CHANGE_BYTES)
      return { ok: false, reason: `change ${index} is larger than ${MAX_CHANGE_BYTES} bytes` };
    if (change.op === 'merge' && (change.table !== 'cards' || !change.from || change.from === change.rowId))
      return { ok: false, reason: `change ${index}: a merge names two different cards` };
    if (change.op === 'put' && !change.fields && !change.sets)
      return { ok: false, reason: `change ${index}: a put sets no field` };
    parsed.push(change);
  }
  return { ok: true, changes: parsed };
}
