/**
 * The door between the service worker and the extension's own pages (app, pop, popup, side panel): the
 * requests they may make, the events the worker broadcasts, and every payload type. Only Kesher's pages may
 * knock (the sender's id and its page address are checked).
 */
import { browser } from 'wxt/browser';
import type { CaptureDraft } from '../../shared/lead-text';
import type { CallSnapshot } from '../../shared/protocol';
import type {
  Card,
  CardWithActivity,
  Currency,
  Deal,
  DealStage,
  Interaction,
  StatusLight,
  Task,
  WrapOutcome,
} from '../../shared/records';
import type { Locale, Messages } from '../ui/i18n';
import {
  type ArgsOf,
  defineDoor,
  defineEvents,
  type HandlersOf,
  type RawSender,
  type ResultOf,
} from './door';

/** A card with its open tasks and recent interactions (read by `db/views.ts`). */
export type CardView = CardWithActivity;

export type LinkStateName =
  | 'not-paired'
  | 'connecting'
  | 'connected'
  | 'wrong-token'
  | 'origin-refused'
  | 'unreachable'
  | 'bad-url'
  | 'incompatible';

/** Office mode at this desk, as the settings page shows it: "Synced", "3 changes waiting", "Offline since 10:42". */
export interface SyncStatus {
  state: 'off' | 'synced' | 'waiting' | 'offline' | 'error';
  /** Changes this desk made that the hub has not taken yet. */
  waiting: number;
  /** A desk downloading the office store: how far (the hub's changes applied here, of its head). */
  download?: { done: number; total: number };
  /** Since when the desk is offline (state "offline"). */
  since?: number;
  /** What went wrong (state "error"). */
  detail?: string;
}

/** What joining the office would do with this desk's own records (nothing is lost either way). */
export interface JoinPreview {
  upload: { cards: number; tasks: number; interactions: number };
  /** Desk cards that merge with an office card: the same email, or the same phone with the same name. */
  matches: Array<{
    deskId: string;
    deskName: string;
    officeId: string;
    officeName: string;
    reason: 'email' | 'phone-and-name';
    detail: string;
  }>;
  /** Cards that stay separate cards in the office. */
  separate: number;
}

/** The bridge link's state, as pages show it. */
export interface LinkState {
  state: LinkStateName;
  detail?: string;
  since: number;
  /** When the next reconnection attempt is due (ms since epoch), while the link is down. */
  retryAt?: number;
}

export interface PopView {
  call: CallSnapshot;
  /** The number as a person would write it ('' when withheld). */
  display: string;
  numberKind: 'number' | 'internal' | 'withheld' | 'unparsed';
  confidence?: 'exact' | 'national' | 'suffix';
  /** The card to show first; absent for an unknown or withheld caller. */
  card?: CardView;
  /** Several cards on this number: the people to pick from. */
  people: Card[];
  /** Who answered, when someone did. */
  answeredBy?: string;
  /** Answered at a phone that is not this user's: the pop says so and closes. */
  answeredElsewhere?: boolean;
  /** This user's own extension for click-to-call (absent: not set up). */
  myExtension?: string;
  /** The interface language, so the pop needs no second look-up before its first paint. */
  locale?: Locale;
  /** That language's messages (the pop page bundles English only); absent for English. */
  messages?: Messages;
}

export interface LeadInput {
  name: string;
  phone: string;
  company?: string;
  email?: string;
  /** The call that prompted it: its pop turns into the new card. */
  callId?: string;
}

/** The side panel for one tab: Gmail's people with the selected one's card, or a capture form. */
export interface PanelView {
  tabId: number;
  mode: 'gmail' | 'capture' | 'empty';
  people: Array<{
    key: string;
    name: string;
    email?: string;
    role: string;
    status?: StatusLight;
    known: boolean;
  }>;
  selected?: string;
  card?: CardView;
  /** How the card was found: the person's own address, or their company's domain. */
  matchedBy?: 'email' | 'domain';
  /** The capture form's prefill (unknown sender, or a capture from a page). */
  draft?: CaptureDraft;
  /** Cards with the same address or number: "add to the existing card" instead of a second one. */
  duplicates: Array<Pick<Card, 'id' | 'name' | 'company' | 'status'>>;
  /** The open email, for "Log this email". */
  email?: {
    subject: string;
    at?: number;
    dateText?: string;
    threadUrl: string;
    messageId?: string;
    logged: boolean;
  };
  /** The capture was just saved: the card shows, with a word that it was. */
  saved?: boolean;
}

/** What the toolbar popup says about the current tab's site. */
export interface SiteAccess {
  tabId?: number;
  site: string | null;
  /** Chips are shown on this site whenever it is open. */
  allowed: boolean;
  /** Every site the user allowed. */
  sites: string[];
}

/** A colleague on a live call with a customer: "Dana Levi (102)", talking since (ms since epoch). */
export interface Presence {
  who: string;
  since: number;
}

/** A colleague as this desk knows them (office mode's users, from the bridge). */
export interface Colleague {
  name: string;
  extensions: string[];
  /** on-call: talking now (the office's live calls); free: a desk of theirs is connected; away: none is. */
  state: 'on-call' | 'free' | 'away';
  /** On a call since (ms since the epoch). */
  since?: number;
}

/** Who this desk is, and the office's people (empty outside office mode or on the office's token). */
export interface Team {
  /** This desk's user ('' on the office's single token). */
  me: string;
  colleagues: Colleague[];
}

/** A deal as a form sends it (db/deals.ts checks it). */
export interface DealDraftInput {
  id?: string;
  cardId: string;
  title: string;
  value: number;
  currency: Currency;
  stage?: DealStage;
  probability?: number;
  expectedClose?: number;
  owner?: string;
  lostReason?: string;
}

/** What a wrap-up saves: the call's outcome and note, and a follow-up task. */
export interface WrapUpForm {
  callId: string;
  outcome: WrapOutcome;
  note: string;
  task?: { title: string; due?: number; assignee?: string };
}

/** One change in a card's history (office mode: the hub's change log). */
export interface HistoryEntry {
  seq: number;
  at: number;
  author: string;
  op: 'put' | 'delete' | 'restore' | 'merge';
  fields: string[];
  created?: boolean;
}

/** A card the office deleted, which anyone can bring back. */
export interface DeletedCard {
  id: string;
  name: string;
  deletedBy: string;
  deletedAt: number;
}

export interface ProtocolMap {
  /** A card's history from the office store (office mode only). */
  getCardHistory(cardId: string): HistoryEntry[];
  /** The office's deleted cards (office mode only). */
  listDeletedCards(): DeletedCard[];
  /** Bring a deleted card back for the whole office, with the tasks and notes its delete took. */
  restoreCard(cardId: string): void;
  /** This desk's user and colleagues (for assignees and the colleagues' list). */
  getTeam(): Team;
  /** The wrap-up after an answered call: on the call's entry, with a follow-up task. */
  saveWrapUp(input: WrapUpForm): Interaction;
  /** A new deal on a card, or an edit of one (the pop's "New deal"); the card follows the stage rules. */
  saveDeal(input: DealDraftInput): Deal;
  /** Give a task to a colleague (their desk is notified). */
  assignTask(input: { taskId: string; assignee: string }): void;
  getPopView(callId: string): PopView | null;
  /** Who is on a call with this card's customer right now (office mode's live calls). */
  getPresence(cardId: string): Presence[];
  getCardView(cardId: string): CardView | null;
  popShown(callId: string): void;
  createLead(input: LeadInput): Card;
  /** `private`: only this desk's user sees it (office mode). */
  addNote(input: { cardId: string; text: string; private?: boolean }): Interaction;
  /** `assignee`: a colleague's name (default: this desk's user). */
  addTask(input: { cardId: string; title: string; due?: number; assignee?: string }): Task;
  completeTask(taskId: string): void;
  setStatus(input: { cardId: string; status: StatusLight; note: string }): Card;
  listUnknownCalls(): Array<Interaction & { display: string }>;
  getLinkState(): LinkState;
  /**
   * Office mode on or off at this desk (on: this desk's cards go up to the office store; `merges`: the
   * join preview's matches the user accepted, each desk card merged into the office's card).
   */
  setOfficeMode(input: {
    enabled: boolean;
    merges?: Array<{ deskId: string; officeId: string }>;
  }): SyncStatus;
  /** Before joining: what this desk would upload, and which of its cards are the office's already. */
  previewJoin(): JoinPreview;
  getSyncStatus(): SyncStatus;
  reconnect(): LinkState;
  testCall(): void;
  /** Click-to-call: ring this user's phone, then the number. Progress arrives as dialProgress events. */
  dial(input: { number: string }): { requestId: string };
  /** A page changed cards, tasks or interactions itself: refresh open pops and other pages. */
  notifyChanged(): void;
  getPanelView(input: { tabId: number; focus?: string }): PanelView;
  saveCapture(input: { tabId: number; draft: CaptureDraft }): Card;
  addToCard(input: { tabId: number; cardId: string; draft: CaptureDraft }): Card;
  logEmail(input: { tabId: number; cardId: string; withBody: boolean }): void;
  getSiteAccess(input: { tabId?: number }): SiteAccess;
  /** After Chrome granted the site (the popup asked, with the user's click): chips there from now on. */
  allowSite(input: { site: string; tabId?: number }): SiteAccess;
  forgetSite(input: { site: string; tabId?: number }): SiteAccess;
  /** Look for contacts on this tab once (activeTab), without allowing the site. */
  scanTabOnce(input: { tabId: number }): void;
  /** Read this tab for a lead (activeTab) and show the capture form in the side panel. */
  captureTab(input: { tabId: number }): void;
}

/** Events the worker broadcasts to open pages. */
export interface EventMap {
  callUpdated: { callId: string };
  dataChanged: { cardId?: string };
  dialProgress: { requestId: string; ok: boolean; message: string };
  panelChanged: { tabId: number };
  syncChanged: SyncStatus;
  /** A live call was answered or ended somewhere: presence lines follow. */
  presenceChanged: Record<string, never>;
  /** The office's people or who of them is here changed. */
  teamChanged: Record<string, never>;
}

export type MessageName = keyof ProtocolMap;

/** A page request needs nothing about its sender beyond "one of Kesher's pages". */
export type PageSender = { url: string };

export const pageDoor = defineDoor<ProtocolMap, PageSender>({
  tag: 'request',
  identify: (sender: RawSender) =>
    sender.id === browser.runtime.id && (sender.url ?? '').startsWith(browser.runtime.getURL('/'))
      ? { url: sender.url ?? '' }
      : null,
  refusal: 'not allowed from this sender',
});

export type Handlers = HandlersOf<ProtocolMap, PageSender>;

/** From a page: ask the worker. */
export function sendMessage<K extends MessageName>(
  name: K,
  ...args: ArgsOf<ProtocolMap, K>
): Promise<ResultOf<ProtocolMap, K>> {
  return pageDoor.send(name, ...args);
}

/** In the worker: answer every request of the map (a missing handler does not compile). */
export function serveMessages(
  handlers: Handlers,
  onError: (name: string, error: unknown) => void,
): () => void {
  return pageDoor.serve(handlers, { onError });
}

const events = defineEvents<EventMap>('event', (sender) => sender.id === browser.runtime.id);
/** From the worker to every open extension page; nobody listening is fine. */
export const broadcast = events.emit;
export const onEvent = events.on;
