/**
 * The narrow door for content scripts (Gmail, web pages, the capture reader). Separate from messaging.ts on
 * purpose: a content script lives inside someone else's page, so it may ask only these few things, gets
 * back only what its chips show, and the worker checks for each request which sites may ask it.
 */
import { browser } from 'wxt/browser';
import type { StatusLight } from './db/db';
import type { ScanStats } from './features/page-contacts/scanner';

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
type Arg<K extends ContentMessageName> = Parameters<ContentProtocolMap[K]>[0];
type Result<K extends ContentMessageName> = ReturnType<ContentProtocolMap[K]>;

interface ContentRequest<K extends ContentMessageName = ContentMessageName> {
  kesher: 'content-request';
  name: K;
  arg: Arg<K>;
}
type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

export async function sendContentMessage<K extends ContentMessageName>(
  name: K,
  arg: Arg<K>,
): Promise<Result<K>> {
  const request: ContentRequest<K> = { kesher: 'content-request', name, arg };
  const reply = (await browser.runtime.sendMessage(request)) as Reply<Result<K>> | undefined;
  if (!reply) throw new Error(`no answer to ${name}`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

export interface ContentSender {
  tabId: number;
  url: string;
  frameId: number;
}

export type ContentHandlers = {
  [K in ContentMessageName]: (arg: Arg<K>, sender: ContentSender) => Promise<Result<K>> | Result<K>;
};

/**
 * In the service worker. `allowed` decides per request whether this tab's page may ask it (a site the
 * user allowed, Gmail, a one-off scan); anything else is refused with a reason and answered with nothing.
 */
export function serveContentMessages(
  handlers: ContentHandlers,
  allowed: (name: ContentMessageName, sender: ContentSender) => boolean,
  onError: (name: string, error: unknown) => void,
): void {
  browser.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
    const request = message as Partial<ContentRequest>;
    if (
      request?.kesher !== 'content-request' ||
      typeof request.name !== 'string' ||
      !(request.name in handlers)
    )
      return false;
    const tabId = sender.tab?.id;
    const from: ContentSender | null =
      sender.id === browser.runtime.id && tabId !== undefined && sender.url
        ? { tabId, url: sender.url, frameId: sender.frameId ?? 0 }
        : null;
    const name = request.name as ContentMessageName;
    if (!from || !allowed(name, from)) {
      sendResponse({ ok: false, error: 'not allowed on this site' } satisfies Reply<never>);
      return false;
    }
    const handler = handlers[name] as (arg: unknown, sender: ContentSender) => unknown;
    // Called synchronously, inside the listener: a click's user gesture lasts only as long as this
    // dispatch, and `sidePanel.open()` (the chips' "open") needs it.
    let result: unknown;
    try {
      result = handler(request.arg, from);
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (value) => sendResponse({ ok: true, value: value ?? null }),
      (error: unknown) => {
        onError(name, error);
        sendResponse({ ok: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
    return true;
  });
}

/** From the worker to a tab's content scripts: cards changed, look again. */
export const RESCAN = { kesher: 'content-event', name: 'rescan' } as const;

export function onRescan(listener: () => void): () => void {
  const wrapped = (message: unknown, sender: { id?: string; tab?: unknown }) => {
    const event = message as Partial<typeof RESCAN>;
    if (
      sender.id === browser.runtime.id &&
      !sender.tab &&
      event?.kesher === 'content-event' &&
      event.name === 'rescan'
    )
      listener();
    return false;
  };
  browser.runtime.onMessage.addListener(wrapped);
  return () => browser.runtime.onMessage.removeListener(wrapped);
}
