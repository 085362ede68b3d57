/**
 * The whole Dexie schema in one place. Opened only in extension-origin contexts (the service worker and
 * extension pages), never in a content script, where it would belong to the web page's origin.
 * Bump the version only with an `.upgrade()` or a table removal.
 */
import Dexie, { type EntityTable } from 'dexie';
import { emailDomain, isFreeMail } from '../../shared/email';
import type { CallDirection, CallSnapshot } from '../../shared/protocol';

import type { Stage, StatusLight } from './kinds';

export { STAGES, STATUS_LIGHTS, type Stage, type StatusLight } from './kinds';

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
  emailKeys: string[];
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
  /** A call's status; 'not-answered': an outbound call (click-to-call) that nobody picked up. */
  outcome?: 'ringing' | 'answered' | 'ended' | 'missed' | 'not-answered';
  call?: CallSnapshot;
  /** Where it happened: the mail thread of a logged email, the page a lead was captured on. */
  url?: string;
  /** A logged email's message id: an email is logged once per card. */
  messageId?: string;
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
