/**
 * The typed doors between the service worker and the extension's pages. One map, function syntax;
 * every request names a function of the map, and the worker checks who sent it.
 */
import { browser } from 'wxt/browser';
import type { CallSnapshot } from '../shared/protocol';
import type { Card, Interaction, StatusLight, Task } from './db/db';
import type { CardWithActivity } from './db/views';
import type { CaptureDraft } from './features/capture/capture-draft';
import type { LinkState } from './features/settings/items';
import type { Locale, Messages } from './ui/i18n';

/** A card with its open tasks and recent interactions (read by `db/views.ts`). */
export type CardView = CardWithActivity;

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

export interface ProtocolMap {
  getPopView(callId: string): PopView | null;
  getCardView(cardId: string): CardView | null;
  popShown(callId: string): void;
  createLead(input: LeadInput): Card;
  addNote(input: { cardId: string; text: string }): Interaction;
  addTask(input: { cardId: string; title: string; due?: number }): Task;
  completeTask(taskId: string): void;
  setStatus(input: { cardId: string; status: StatusLight; note: string }): Card;
  listUnknownCalls(): Array<Interaction & { display: string }>;
  getLinkState(): LinkState;
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
}

export type MessageName = keyof ProtocolMap;
type Arg<K extends MessageName> = Parameters<ProtocolMap[K]>[0];
type Result<K extends MessageName> = ReturnType<ProtocolMap[K]>;

interface Request<K extends MessageName = MessageName> {
  kesher: 'request';
  name: K;
  arg: Arg<K>;
}
interface EventMessage<K extends keyof EventMap = keyof EventMap> {
  kesher: 'event';
  name: K;
  payload: EventMap[K];
}
type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

export async function sendMessage<K extends MessageName>(
  name: K,
  ...args: Arg<K> extends undefined ? [] : [Arg<K>]
): Promise<Result<K>> {
  const request: Request<K> = { kesher: 'request', name, arg: args[0] as Arg<K> };
  const reply = (await browser.runtime.sendMessage(request)) as Reply<Result<K>> | undefined;
  if (!reply) throw new Error(`no answer to ${name}: the service worker did not handle it`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

export type Handlers = {
  [K in MessageName]: (arg: Arg<K>) => Promise<Result<K>> | Result<K>;
};

function fromOwnPage(sender: { id?: string; url?: string }): boolean {
  return sender.id === browser.runtime.id && (sender.url ?? '').startsWith(browser.runtime.getURL('/'));
}

/** In the service worker: answer every request of the map. */
export function serveMessages(handlers: Handlers, onError: (name: string, error: unknown) => void): void {
  browser.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
    const request = message as Partial<Request>;
    if (request?.kesher !== 'request' || typeof request.name !== 'string' || !(request.name in handlers))
      return false;
    if (!fromOwnPage(sender)) {
      sendResponse({ ok: false, error: 'not allowed from this sender' } satisfies Reply<never>);
      return false;
    }
    const handler = handlers[request.name as MessageName] as (arg: unknown) => unknown;
    Promise.resolve()
      .then(() => handler(request.arg))
      .then(
        (value) => sendResponse({ ok: true, value: value ?? null }),
        (error: unknown) => {
          onError(request.name as string, error);
          sendResponse({ ok: false, error: error instanceof Error ? error.message : String(error) });
        },
      );
    return true;
  });
}

/** From the worker to every open extension page; nobody listening is fine. */
export function broadcast<K extends keyof EventMap>(name: K, payload: EventMap[K]): void {
  const message: EventMessage<K> = { kesher: 'event', name, payload };
  browser.runtime.sendMessage(message).catch(() => {
    // "Receiving end does not exist": no page is open, which is normal.
  });
}

export function onEvent<K extends keyof EventMap>(
  name: K,
  listener: (payload: EventMap[K]) => void,
): () => void {
  const wrapped = (message: unknown, sender: { id?: string }) => {
    const event = message as Partial<EventMessage>;
    if (sender.id === browser.runtime.id && event?.kesher === 'event' && event.name === name) {
      listener(event.payload as EventMap[K]);
    }
    return false;
  };
  browser.runtime.onMessage.addListener(wrapped);
  return () => browser.runtime.onMessage.removeListener(wrapped);
}
