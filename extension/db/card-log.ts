/**
 * The cards' change log: every write to a card, by any repository in any extension context (a page, the
 * worker, the hub's changes, an import), adds the card's id here in the same transaction — a Dexie
 * middleware, as for the outbox. A page's search list reads what changed since it last looked and updates
 * only those cards, instead of reading 100,000 cards again after each edit. A write of many cards at once
 * (an import, a restore) is one "everything" entry: the list is then built again.
 */
import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';
import type { KesherDb } from './db';

export interface CardLogEntry {
  seq?: number;
  /** The card written or deleted; absent: many cards at once (the reader builds its list again). */
  id?: string;
}

/** Above this many cards in one request, one "everything" entry (a reader rebuilds; the log stays small). */
const MANY = 200;
/** Entries kept before the snapshot's position: a reader further behind than this builds its list again. */
export const CARD_LOG_KEPT = 5_000;

export function cardLogMiddleware(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'kesher-card-log',
    create(down) {
      return {
        ...down,
        transaction(stores, mode, options) {
          const widened =
            mode === 'readwrite' && stores.includes('cards') ? [...new Set([...stores, 'cardLog'])] : stores;
          return down.transaction(widened, mode, options);
        },
        table(name) {
          const table = down.table(name);
          if (name !== 'cards') return table;
          const keyOf = table.schema.primaryKey.extractKey!;
          return {
            ...table,
            async mutate(req: DBCoreMutateRequest) {
              const result = await table.mutate(req);
              // A schema upgrade rewrites records; no reader can be behind it (the page opens after).
              if ((req.trans as unknown as IDBTransaction).mode === 'versionchange') return result;
              const keys =
                req.type === 'deleteRange'
                  ? null
                  : req.type === 'delete'
                    ? req.keys
                    : (req.keys ?? req.values.map((value) => keyOf(value)));
              const values: CardLogEntry[] =
                keys === null || keys.length > MANY ? [{}] : keys.map((key) => ({ id: String(key) }));
              await down.table('cardLog').mutate({ type: 'add', trans: req.trans, values });
              return result;
            },
          };
        },
      };
    },
  };
}

/** The log's newest position (0: nothing logged yet). */
export async function cardLogHead(db: KesherDb): Promise<number> {
  return (await db.cardLog.orderBy(':id').last())?.seq ?? 0;
}

/**
 * What changed after `since`: the cards' ids, or null when the reader must build its list again (many
 * cards changed, or the log no longer reaches back that far). With the log's head now.
 */
export async function cardsChangedSince(
  db: KesherDb,
  since: number,
): Promise<{ head: number; ids: string[] | null }> {
  return db.transaction('r', db.cardLog, async () => {
    const entries = await db.cardLog.where(':id').above(since).toArray();
    const head = entries.at(-1)?.seq ?? since;
    if (entries.length === 0) return { head, ids: [] };
    const oldest = await db.cardLog.orderBy(':id').first();
    const gap = since > 0 && (oldest?.seq ?? 0) > since + 1;
    if (gap || entries.some((entry) => entry.id === undefined)) return { head, ids: null };
    return { head, ids: [...new Set(entries.map((entry) => entry.id!))] };
  });
}

/**
 * Forget what no reader should need: the entries a good way before `kept`, the position of the snapshot
 * just written (the next page opens from there; one open longer and that far behind builds its list again).
 */
export async function trimCardLog(db: KesherDb, kept: number): Promise<void> {
  if (kept > CARD_LOG_KEPT)
    await db.cardLog
      .where(':id')
      .below(kept - CARD_LOG_KEPT)
      .delete();
}
