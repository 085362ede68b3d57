/**
 * Office mode's outbox: every write to a card, task or interaction, by any repository in any extension
 * context, records its change (shared/sync.ts) in the same Dexie transaction — a Dexie middleware widens
 * each readwrite transaction on those tables to the outbox and the sync meta, so a write and its change
 * commit together or not at all. Nothing is recorded while office mode is off, or for changes that came
 * from the hub (their transaction is marked). Sets (phones, emails, tags) are recorded as element adds and
 * removes against the record as it was, so an add at one desk and a remove at another both survive.
 */
import type { DBCore, DBCoreMutateRequest, DBCoreTransaction, Middleware } from 'dexie';
import { type Change, diffRecord, SYNC_TABLES, type SyncTable } from '../../shared/sync';

export const SYNCED_TABLES: readonly SyncTable[] = SYNC_TABLES;

/** A change waiting to be pushed, in the order it was made. */
export interface OutboxEntry {
  seq?: number;
  change: Change;
  rowId: string;
  table: SyncTable;
  /**
   * The hub took it, at this place in its order, and the hub's stream has not brought it back here yet: it
   * is not pushed again, and it stays on top of the earlier changes of other desks still on their way.
   */
  hubSeq?: number;
}

/** Office mode at this desk: on or off, and where it stands with the hub. */
export interface OfficeMeta {
  key: 'office';
  enabled: boolean;
  /** The hub's store this desk mirrors (null until the first pull). */
  storeId: string | null;
  /** The last hub change applied here. */
  cursor: number;
  /**
   * Outbox entries up to this seq are acknowledged (pushes go oldest first, so they are the outbox's
   * first ones): the next push starts after it, and "N changes waiting" counts only the others.
   */
  ackedThrough?: number;
}

const fromHub = new WeakSet<DBCoreTransaction>();

/** Mark a transaction as applying the hub's changes (or writing a copy the hub keeps itself, a call): nothing it writes goes to the outbox. */
export function markFromHub(trans: unknown): void {
  fromHub.add(trans as DBCoreTransaction);
}

/** The middleware: installed by createDb on every database handle. */
export function outboxMiddleware(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'kesher-outbox',
    create(down) {
      const enabledIn = new WeakMap<DBCoreTransaction, Promise<boolean>>();
      const officeOn = (trans: DBCoreTransaction) => {
        let known = enabledIn.get(trans);
        if (!known) {
          // A schema upgrade rewrites records; it is never a change to sync (and may run before `meta` exists).
          known =
            (trans as unknown as IDBTransaction).mode === 'versionchange'
              ? Promise.resolve(false)
              : down
                  .table('meta')
                  .get({ trans, key: 'office' })
                  .then((meta: OfficeMeta | undefined) => Boolean(meta?.enabled));
          enabledIn.set(trans, known);
        }
        return known;
      };
      return {
        ...down,
        transaction(stores, mode, options) {
          const synced =
            mode === 'readwrite' && stores.some((store) => (SYNCED_TABLES as string[]).includes(store));
          const widened = synced ? [...new Set([...stores, 'outbox', 'meta'])] : stores;
          return down.transaction(widened, mode, options);
        },
        table(name) {
          const table = down.table(name);
          if (!(SYNCED_TABLES as string[]).includes(name)) return table;
          const syncTable = name as SyncTable;
          const keyOf = table.schema.primaryKey.extractKey!;
          return {
            ...table,
            async mutate(req: DBCoreMutateRequest) {
              if (fromHub.has(req.trans) || !(await officeOn(req.trans))) return table.mutate(req);
              const at = Date.now();
              // Each change with the position of the request item it records (failures are by position).
              const changes: Array<[number, Change]> = [];
              if (req.type === 'add' || req.type === 'put') {
                const keys = req.keys ?? req.values.map((value) => keyOf(value));
                const before: Array<Record<string, unknown> | undefined> =
                  req.type === 'put' ? await table.getMany({ trans: req.trans, keys }) : [];
                req.values.forEach((value, index) => {
                  const change = diffRecord(syncTable, String(keys[index]), before[index], value, at);
                  if (change) changes.push([index, change]);
                });
              } else {
                const keys =
                  req.type === 'delete'
                    ? req.keys
                    : (
                        await table.query({
                          trans: req.trans,
                          query: { index: table.schema.primaryKey, range: req.range },
                          values: false,
                        })
                      ).result;
                for (const [index, key] of keys.entries())
                  changes.push([
                    index,
                    { id: crypto.randomUUID(), table: syncTable, rowId: String(key), op: 'delete', at },
                  ]);
              }
              const result = await table.mutate(req);
              const written = changes
                .filter(([index]) => !(index in (result.failures ?? {})))
                .map(([, change]) => change);
              if (written.length > 0)
                await down.table('outbox').mutate({
                  type: 'add',
                  trans: req.trans,
                  values: written.map((change) => ({ change, rowId: change.rowId, table: change.table })),
                });
              return result;
            },
          };
        },
      };
    },
  };
}
