/**
 * The narrow doors for content scripts (Gmail, web pages, the capture reader), apart from the page door on
 * purpose: a content script lives inside someone else's page, so it may ask only these few things, gets back
 * only what its chips show, and the worker decides per request which sites may ask it. The other way, the
 * worker asks a tab's content scripts for the few things only they can do (`TabProtocolMap`).
 */
import { browser } from 'wxt/browser';
import type { StatusLight } from '../../shared/records';
import { type ArgsOf, defineDoor, type HandlersOf, type RawSender, type ResultOf } from './door';

/** What a chip shows, and nothing more: the page sees none of it (closed shadow root). */
export interface ChipCard {
  id: string;
  name: string;
  company?: string;
  status: StatusLight;
  statusNote: string;
  stage: string;
  openTasks: number;
  lastContactAt?: number;
}

/** A text node (or a tel:/mailto: link) that may hold a number or an address. */
export interface ScanItem {
  id: number;
  text: string;
  link?: 'tel' | 'mailto';
}

export interface ScanHit {
  id: number;
  start: number;
  end: number;
  kind: 'phone' | 'email';
  value: string;
  display: string;
  card: ChipCard | null;
}

export interface GmailPerson {
  email: string;
  name: string;
  role: 'from' | 'to' | 'cc' | 'compose';
}

export interface GmailContext {
  view: 'thread' | 'compose' | 'none';
  subject: string;
  /** A link back to the thread (the page's address while it is open). */
  threadUrl: string;
  messageId?: string;
  /** The open message's date as Gmail shows it in its title attribute, and parsed when possible. */
  dateText?: string;
  at?: number;
  people: GmailPerson[];
  /** The last lines of the sender's message: where a signature is. */
  signature?: string;
}

/** Structured data a page offers, read by the capture script (nothing is interpreted in the page). */
export interface PageCapture {
  url: string;
  title: string;
  selection: string;
  /** The raw JSON-LD blocks' objects that are a Person, Organization or LocalBusiness (or similar). */
  jsonLd: Array<Record<string, unknown>>;
  /** h-card / vcard microformats and schema.org microdata, flattened to property lists. */
  cards: Array<{
    name?: string;
    org?: string;
    title?: string;
    tel: string[];
    /** Each number's label as the card gives it ("work", "home"), beside `tel`. */
    telLabels?: string[];
    email: string[];
    /** The card is an organisation's (schema.org Organization types, an h-card whose name is its org). */
    kind?: 'person' | 'company';
  }>;
  tel: string[];
  mailto: string[];
  og: Record<string, string>;
  /** A linked vCard file's text (same-site links only). */
  vcard?: string;
  /** The link the menu was opened on. */
  linkUrl?: string;
}

/** A page's first pass over its text, for health and the benchmarks. */
export interface ScanStats {
  /** When the scan started, on the page's performance clock. */
  startedAt: number;
  /** From start until the first pass over the page had its chips. */
  firstPassMs: number;
  /** The longest stretch this script held the main thread. */
  longestSliceMs: number;
  slices: number;
  itemsSent: number;
  chips: number;
}

export interface ContentProtocolMap {
  /** Page text that may hold contacts → the ones found, with the card each belongs to. */
  scanPage(input: { items: ScanItem[]; lang?: string }): ScanHit[];
  /** Gmail's open thread or compose window → a chip card for each known address. */
  gmailContext(context: GmailContext): Record<string, ChipCard | null>;
  /** A chip was clicked: open the side panel on this tab (the click is the gesture it needs). */
  openPanel(input: { focus?: string }): void;
  /** The capture action of an unknown number or address on a page. */
  captureContact(input: { kind: 'phone' | 'email'; value: string; nearby: string }): void;
  /** The capture script's reading of the page. */
  pageCaptured(capture: PageCapture): void;
  /** A page's first pass is done: how long it took and how long it held the page (health, benchmarks). */
  scanFinished(stats: ScanStats): void;
}

export type ContentMessageName = keyof ContentProtocolMap;

/** The tab and frame a content script's request came from. */
export interface ContentSender {
  tabId: number;
  url: string;
  frameId: number;
}

export const contentDoor = defineDoor<ContentProtocolMap, ContentSender>({
  tag: 'content-request',
  identify: (sender: RawSender) => {
    const tabId = sender.tab?.id;
    return sender.id === browser.runtime.id && tabId !== undefined && sender.url
      ? { tabId, url: sender.url, frameId: sender.frameId ?? 0 }
      : null;
  },
  refusal: 'not allowed on this site',
});

export type ContentHandlers = HandlersOf<ContentProtocolMap, ContentSender>;
/** Per request, which senders may ask it: every request has a rule (a missing one does not compile). */
export type ContentPolicy = { [K in ContentMessageName]: (sender: ContentSender) => boolean };

export function sendContentMessage<K extends ContentMessageName>(
  name: K,
  ...args: ArgsOf<ContentProtocolMap, K>
): Promise<ResultOf<ContentProtocolMap, K>> {
  return contentDoor.send(name, ...args);
}

/**
 * In the service worker. `allowed` decides per request whether this tab's page may ask it (a site the user
 * allowed, Gmail, a one-off scan); anything else is refused with a reason and answered with nothing.
 */
export function serveContentMessages(
  handlers: ContentHandlers,
  policy: ContentPolicy,
  onError: (name: string, error: unknown) => void,
): () => void {
  return contentDoor.serve(handlers, { allowed: (name, sender) => policy[name](sender), onError });
}

/** What the worker asks a tab's content scripts. */
export interface TabProtocolMap {
  /** Cards changed: look at the page again. */
  rescan(): void;
  /** "Log this email" with its text: the open message's body (Gmail's script, top frame). */
  messageBody(): string;
}

/** Only the worker may ask (a message from another tab carries a `tab`). */
export const tabDoor = defineDoor<TabProtocolMap, { worker: true }>({
  tag: 'tab-request',
  identify: (sender: RawSender) =>
    sender.id === browser.runtime.id && !sender.tab ? { worker: true } : null,
  refusal: 'only the worker asks content scripts',
});
