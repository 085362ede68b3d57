/**
 * The records Kesher keeps — cards, tasks, interactions — and their kinds (status lights, stages). Plain data,
 * shared by the extension's database, its screens (the pop window must not pull Dexie into its bundle) and,
 * with office mode, the bridge's store.
 */
import type { CallDirection, CallSnapshot } from './protocol';

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
  // Derived on save, indexed (multi-entry): see extension/db/cards.ts.
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
  /** Office mode: the user who is to do it (their name, as the hub knows them); unset: its creator's desk. */
  assignee?: string;
  /** Who gave it to the assignee (set when someone assigns a task to another user). */
  assignedBy?: string;
}

export type InteractionKind = 'call' | 'email' | 'note' | 'meeting' | 'sms' | 'capture' | 'deal';

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
  /** A missed call someone said they will call back (the office's missed-call queue): who, and when. */
  claimedBy?: string;
  claimedAt?: number;
  /** What was said on an answered call, written right after it (the pop's wrap-up). */
  wrapUp?: WrapUp;
  /** A note only its author sees (office mode: the hub sends it to that user's desks only). */
  private?: boolean;
  /** Who wrote a note (the desk's user), when known. */
  author?: string;
  /** A deal's step on the card's timeline: created (no `from`) or moved from one stage to another. */
  deal?: { dealId: string; stage: DealStage; from?: DealStage };
}

export const WRAP_OUTCOMES = ['resolved', 'call-back', 'quote-sent', 'not-interested'] as const;
export type WrapOutcome = (typeof WRAP_OUTCOMES)[number];

export interface WrapUp {
  outcome: WrapOutcome;
  note: string;
  /** Who wrote it (the desk's user; empty on the office's single token). */
  by: string;
  at: number;
}

/** An open task whose due time has passed. */
export function isOverdue(task: Pick<Task, 'done' | 'due'>, now = Date.now()): boolean {
  return task.done === 0 && task.due !== undefined && task.due < now;
}

/** A card with its open tasks and recent interactions: what the pop, the panel and the app show. */
export interface CardWithActivity {
  card: Card;
  tasks: Task[];
  interactions: Interaction[];
  /** The card's open deals, closing soonest first. */
  deals?: Deal[];
  /** The office's deal settings (stage names, the currency a new deal starts in), when it has any. */
  dealSettings?: OfficeSettings;
}

/** A deal's stages, in the order a deal moves through them; won and lost close it. */
export const DEAL_STAGES = ['new', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;
export type DealStage = (typeof DEAL_STAGES)[number];
export const CURRENCIES = ['ILS', 'EUR', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** A sales opportunity on a card: what it is worth, where it stands, when it should close and whose it is. */
export interface Deal {
  id: string;
  cardId: string;
  title: string;
  /** In the currency's major unit (shekels, euros, dollars). */
  value: number;
  currency: Currency;
  stage: DealStage;
  /** Chance of winning, 0–100 (the stage's default unless someone set it). */
  probability: number;
  /** Expected close date (local midnight, ms since the epoch). */
  expectedClose?: number;
  /** The user whose deal it is (office mode). */
  owner?: string;
  /** Why it was lost. */
  lostReason?: string;
  /** When it was won or lost. */
  closedAt?: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * The office's settings for deals: one record (id "deals"), synced like the cards in office mode, so every
 * desk follows the same rules and calls the stages by the same names. A field not set is the default.
 */
export interface OfficeSettings {
  id: string;
  /** A deal created on a lead moves the card on to prospect. */
  leadToProspect?: boolean;
  /** A won deal makes its card a customer. */
  wonToCustomer?: boolean;
  /** The currency new deals start in. */
  dealCurrency?: Currency;
  /** The office's own name for a stage (shown as written, in every language); none: the stage's translated name. */
  stageNames?: Partial<Record<DealStage, string>>;
  updatedAt: number;
}
export const DEAL_SETTINGS_ID = 'deals';
/** How long a stage's own name may be. */
export const MAX_STAGE_NAME = 40;

export function isOpenDeal(deal: Pick<Deal, 'stage'>): boolean {
  return deal.stage !== 'won' && deal.stage !== 'lost';
}
