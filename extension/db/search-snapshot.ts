/**
 * The search list as a page last built it, kept for the next page that opens: a few long strings and typed
 * arrays (one structured-clone read, no 100,000 records to deserialise and fold again), with the position in
 * the cards' change log it reflects — the page reading it catches up from there (db/card-log.ts).
 */
import type { KesherDb } from './db';

export interface SearchSnapshot {
  id: 'cards';
  /** The list's format: a snapshot of another format is not read (the list is built again). */
  version: number;
  /** The cards' change log position it reflects. */
  seq: number;
  count: number;
  /** Per column: every entry's value joined, and where each starts (count + 1 offsets). */
  texts: Record<string, string>;
  starts: Record<string, Int32Array>;
  lastContact: Float64Array;
}

export function readSearchSnapshot(db: KesherDb): Promise<SearchSnapshot | undefined> {
  return db.snapshots.get('cards');
}

/** Kept only if it is newer than the one there (two pages may both write one). */
export async function writeSearchSnapshot(db: KesherDb, snapshot: SearchSnapshot): Promise<void> {
  await db.transaction('rw', db.snapshots, async () => {
    const before = await db.snapshots.get({ id: 'cards' });
    if (before && before.version === snapshot.version && before.seq > snapshot.seq) return;
    await db.snapshots.put(snapshot);
  });
}
