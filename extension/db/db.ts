/**
 * The whole Dexie schema in one place. Opened only in extension-origin contexts (the service worker and
 * extension pages), never in a content script, where it would belong to the web page's origin.
 * Bump the version only with an `.upgrade()` or a table removal.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { CallDirection, CallSnapshot } from '../../shared/protocol';

export type StatusLight = 'green' | 'yellow' | 'red' | 'none';
export const STATUS_LIGHTS: readonly StatusLight[] = ['green', 'yellow', 'red', 'none'];
export type Stage = 'lead' | 'prospect' | 'customer' | 'inactive';
export const STAGES: readonly Stage[] = ['lead', 'prospect', 'customer', 'inactive'];

export interface CardPhone {
  label: string;
  /** As the user typed it or the PBX sent it. */
  raw: string;
}

export interface Card {
  id: string;
  kind: 'person' | 'company';
  name: string;
  /** The company card this person belongs to, when there is one. */
  companyId?: string;
  /** Company name as text (also set when no company card exists). */
  company?: string;
  title?: string;
  /** A data: URL. */
  photo?: string;
  emails: string[];
  phones: CardPhone[];
  status: StatusLight;
  statusNote: string;
  stage: Stage;
  tags: string[];
  fields: Record<string, string>;
  source?: { url: string; at: number };
  createdAt: number;
  updatedAt: number;
  lastContactAt?: number;
  // Derived on save, indexed (multi-entry): see cards.ts.
  phoneKeys: string[];
  /** Digit strings a person may start typing: local, national and international forms (search reads them). */
  phoneDigits: string[];
  emailKeys: string[];
  nameTokens: string[];
}

export interface Task {
  id: string;
  cardId: string;
  title: string;
  /** Due date as ms since the epoch (local midnight for a date without a time). */
  due?: number;
  /** 0 or 1: IndexedDB cannot index booleans. */
  done: 0 | 1;
  priority: 'low' | 'normal' | 'high';
  createdAt: number;
  doneAt?: number;
}

export type InteractionKind = 'call' | 'email' | 'note' | 'meeting' | 'sms' | 'capture';

/** Calls not (yet) on a card are filed under this cardId: the "unknown callers" list. */
export const UNKNOWN_CARD = '';

export interface Interaction {
  id: string;
  cardId: string;
  kind: InteractionKind;
  direction?: CallDirection;
  at: number;
  durationSec?: number;
  /** A call is logged once: unique where present. */
  callId?: string;
  number?: string;
  numberKeys: string[];
  summary: string;
  outcome?: 'ringing' | 'answered' | 'ended' | 'missed';
  call?: CallSnapshot;
}

export type KesherDb = Dexie & {
  cards: EntityTable<Card, 'id'>;
  tasks: EntityTable<Task, 'id'>;
  interactions: EntityTable<Interaction, 'id'>;
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
  // v2: search runs over an in-memory word list (search.ts), so the word, tag, status and company indexes
  // go: each cost an index write per word on every save (imports were twice as slow with them). The digit
  // forms of each number are kept on the card for search.
  db.version(2)
    .stores({
      cards: 'id, *phoneKeys, *emailKeys, stage, updatedAt',
    })
    .upgrade((tx) =>
      tx
        .table('cards')
        .toCollection()
        .modify((card: Card) => {
          card.phoneDigits = phoneDigitsOf(
            card.phones.map((phone) => phone.raw),
            card.phoneKeys,
          );
        }),
    );
  return db;
}

/** Digit forms of a card's numbers: as typed ("0541234567"), national ("541234567"), international ("972…"). */
export function phoneDigitsOf(raws: readonly string[], phoneKeys: readonly string[]): string[] {
  const digits = new Set<string>();
  for (const raw of raws) {
    const only = raw.replace(/\D/g, '');
    if (only) digits.add(only);
  }
  for (const key of phoneKeys) {
    if (key.startsWith('e:')) digits.add(key.slice(3));
    if (key.startsWith('n:')) digits.add(key.slice(2));
  }
  return [...digits];
}

export function newId(): string {
  return crypto.randomUUID();
}
