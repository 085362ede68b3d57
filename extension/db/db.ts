/**
 * The whole Dexie schema in one place. Opened only in extension-origin contexts (the service worker and
 * extension pages), never in a content script, where it would belong to the web page's origin.
 * Bump the version only with an `.upgrade()` or a table removal.
 */
import Dexie, { type EntityTable } from 'dexie';
import { emailDomain, isFreeMail } from '../../shared/email';
import type { Card, Deal, Interaction, OfficeSettings, Task } from '../../shared/records';
import { type CardLogEntry, cardLogMiddleware } from './card-log';
import { type OfficeMeta, type OutboxEntry, outboxMiddleware } from './outbox';
import type { SearchSnapshot } from './search-snapshot';

export {
  type Card,
  type CardPhone,
  type Deal,
  type DealStage,
  type Interaction,
  type InteractionKind,
  STAGES,
  STATUS_LIGHTS,
  type Stage,
  type StatusLight,
  type OfficeSettings,
  type Task,
  UNKNOWN_CARD,
} from '../../shared/records';

export type KesherDb = Dexie & {
  cards: EntityTable<Card, 'id'>;
  tasks: EntityTable<Task, 'id'>;
  interactions: EntityTable<Interaction, 'id'>;
  deals: EntityTable<Deal, 'id'>;
  /** The office's settings (one record per subject: "deals"), synced in office mode. */
  settings: EntityTable<OfficeSettings, 'id'>;
  /** Which cards changed, in order (db/card-log.ts). */
  cardLog: EntityTable<CardLogEntry, 'seq'>;
  snapshots: EntityTable<SearchSnapshot, 'id'>;
  /** Office mode: changes waiting for the hub, and where this desk stands (db/outbox.ts, db/sync.ts). */
  outbox: EntityTable<OutboxEntry, 'seq'>;
  meta: EntityTable<OfficeMeta, 'key'>;
};

export function createDb(name = 'kesher'): KesherDb {
  // Relaxed durability: a commit returns once the OS has the data, not after a disk flush (Chrome's own
  // default for most sites); bulk imports were four times slower without it.
  const db = new Dexie(name, { chromeTransactionDurability: 'relaxed' }) as KesherDb;
  db.version(1).stores({
    cards: 'id, *phoneKeys, *emailKeys, *nameTokens, companyId, stage, status, updatedAt',
    tasks: 'id, cardId, [cardId+done], due',
    interactions: 'id, cardId, [cardId+at], &callId, *numberKeys, at',
  });
  // v2: search runs over an in-memory word list (features/search), so the word, tag, status, company,
  // stage and date indexes go: each cost an index write per save (a 100k-card import spent half its time on
  // them). Records keep only what a ring-time lookup needs indexed: phone and email keys.
  db.version(2).stores({ cards: 'id, *phoneKeys, *emailKeys' });
  // v3: company cards also own their addresses' domains ("@acme.co.il") in emailKeys (see cards.ts).
  db.version(3)
    .stores({ cards: 'id, *phoneKeys, *emailKeys' })
    .upgrade((tx) =>
      tx
        .table<Card>('cards')
        .filter((card) => card.kind === 'company' && card.emails.length > 0)
        .modify((card) => {
          card.emailKeys = companyEmailKeys(card.emails);
        }),
    );
  // v4: office mode. The outbox (every write's change, in order, until the hub took it) and the sync meta.
  db.version(4).stores({ outbox: '++seq, rowId', meta: 'key' });
  // v5: tasks by assignee (Today's "My tasks" in office mode).
  db.version(5).stores({ tasks: 'id, cardId, [cardId+done], due, [assignee+done]' });
  // v6: deals (opportunities on a card); the board reads them all, the pop and the card by card.
  db.version(6).stores({ deals: 'id, cardId' });
  // v7: the office's settings (deal rules, the default currency, the stages' names), synced like the rest.
  db.version(7).stores({ settings: 'id' });
  // v8: the cards' change log (db/card-log.ts): a page's search list updates the cards that changed; and
  // the search list as last built (db/search-snapshot.ts), for the next page to open with.
  db.version(8).stores({ cardLog: '++seq', snapshots: 'id' });
  db.use(outboxMiddleware());
  db.use(cardLogMiddleware());
  return db;
}

/** A company card's email keys: each address, and each address's domain unless it is a free-mail one. */
export function companyEmailKeys(emails: readonly string[]): string[] {
  const addresses = emails.map((email) => email.trim().toLowerCase()).filter(Boolean);
  const domains = addresses
    .filter((email) => email.includes('@') && !isFreeMail(email))
    .map((email) => `@${emailDomain(email)}`);
  return [...new Set([...addresses, ...domains])];
}

export function newId(): string {
  return crypto.randomUUID();
}
