/**
 * Reading Gmail's page. Class names there are obfuscated and change; what has stayed for a decade is the
 * `email` attribute on every person and `data-message-id` on every message (see ../shared/fixtures/README.md
 * and tests/fixtures/gmail). Class names are only used as a first guess, with a structural fallback.
 */
import { parseMailDate, timeFromGmailId } from '../../../shared/mail-date';
import type { GmailContext, GmailPerson } from '../../doors/content';

const SIGNATURE_LINES = 14;

function visible(element: Element): boolean {
  const html = element as HTMLElement;
  if (typeof html.checkVisibility === 'function') return html.checkVisibility();
  return html.offsetParent !== null;
}

const personOf = (element: Element, role: GmailPerson['role']): GmailPerson | null => {
  const email = (element.getAttribute('email') ?? '').trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) return null;
  const name = (element.getAttribute('name') ?? element.textContent ?? '').trim();
  return { email, name: name || email, role };
};

/** The open thread's messages (Gmail keeps other conversations' views hidden in the page). */
export function visibleMessages(root: ParentNode): Element[] {
  return Array.from(root.querySelectorAll('[data-message-id]')).filter(visible);
}

/** The sender element of a message: the `[email]` in its header line. */
export function senderElement(message: Element): Element | null {
  return message.querySelector('h3 [email], .gD[email]') ?? message.querySelector('[email]');
}

/** "cc:" (and "bcc:") in the languages Kesher's offices set Gmail to; "to" ends a cc run. */
const CC_LABEL =
  /(?:^|[\s,(])(?:b?cc|עותק(?: מוסתר)?|κοιν|ιδ\.? ?κοιν|(?:скрытая )?копия|نسخة(?: مخفية)?|kopie|copia(?: nascosta)?|cópia|cco|ccn)\.?\s*:/giu;
const TO_LABEL = /(?:^|[\s,(])(?:to|אל|προς|кому|إلى|an|à|para|a)\s*:/giu;

function lastIndex(pattern: RegExp, text: string): number {
  let last = -1;
  for (const match of text.matchAll(pattern)) last = match.index ?? last;
  return last;
}

/**
 * Whether a recipient is in To or Cc: Gmail writes "to me, cc: Noa" on the message's line and "cc:" as the
 * label of a row in its details; the label before the person (in the same line or row) decides.
 */
export function recipientRole(element: Element): 'to' | 'cc' {
  if (element.closest('.ajv, [data-cc]')) return 'cc';
  const container = element.closest('tr, .hb') ?? element.parentElement;
  if (!container) return 'to';
  const range = element.ownerDocument.createRange();
  range.setStart(container, 0);
  range.setEndBefore(element);
  const before = range.toString().slice(-2000);
  return lastIndex(CC_LABEL, before) > lastIndex(TO_LABEL, before) ? 'cc' : 'to';
}

/** "Name <a@b.c>, c@d.e" as typed into a compose window's To field. */
export function parseAddressList(value: string): GmailPerson[] {
  const people: GmailPerson[] = [];
  for (const part of value.split(/[,;]\s*/)) {
    const match =
      part.match(/^\s*"?([^"<]*?)"?\s*<([^>\s]+@[^>\s]+)>\s*$/) ??
      part.match(/^\s*()([^\s<>]+@[^\s<>]+)\s*$/);
    if (match) people.push({ email: match[2]!, name: match[1]?.trim() || match[2]!, role: 'compose' });
  }
  return people;
}

/** The languages Gmail's dates are written in: its page's own, then the browser's. */
function gmailLanguages(doc: Document): string[] {
  const base = (tag: string | undefined) => (tag ?? '').toLowerCase().split('-')[0] ?? '';
  const page = base(doc.documentElement.lang);
  return [page === 'iw' ? 'he' : page, ...(doc.defaultView?.navigator.languages ?? []).map(base)].filter(
    Boolean,
  );
}

/**
 * When the message was sent, from its date as Gmail shows it (`span.g3[title]`, in the interface's
 * language), else from the time in its legacy message id.
 */
function dateOf(message: Element): { dateText?: string; at?: number } {
  const element = message.querySelector('span.g3[title], [title][data-tooltip], span[title]');
  const dateText = element?.getAttribute('title') ?? undefined;
  const at =
    (dateText ? parseMailDate(dateText, gmailLanguages(message.ownerDocument)) : undefined) ??
    timeFromGmailId(message.getAttribute('data-legacy-message-id') ?? undefined);
  return { ...(dateText ? { dateText } : {}), ...(at !== undefined ? { at } : {}) };
}

function signatureOf(message: Element): string | undefined {
  const body = message.querySelector('div.a3s, [data-message-body], .ii') as HTMLElement | null;
  if (!body) return undefined;
  const text = body.innerText || body.textContent || '';
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // A quoted reply is not this sender's signature.
  const quoteStart = lines.findIndex((line) =>
    /^(?:on .+ wrote:|-----original message-----|ב-.+ כתב|στις .+ έγραψε)/i.test(line),
  );
  const own = quoteStart >= 0 ? lines.slice(0, quoteStart) : lines;
  return own.slice(-SIGNATURE_LINES).join('\n').slice(0, 2000);
}

/** The whole text of the open message, only when the user asks to keep it with the logged email. */
export function openMessageBody(doc: Document): string {
  const messages = visibleMessages(doc);
  const last = messages[messages.length - 1];
  const body = last?.querySelector('div.a3s, [data-message-body], .ii') as HTMLElement | null;
  return (body?.innerText ?? body?.textContent ?? '').trim().slice(0, 20_000);
}

function composePeople(doc: Document): GmailPerson[] {
  const people: GmailPerson[] = [];
  for (const dialog of Array.from(doc.querySelectorAll('[role="dialog"]')).filter(visible)) {
    for (const field of Array.from(
      dialog.querySelectorAll(
        'textarea[name="to"], textarea[name="cc"], textarea[name="bcc"], input[name="to"]',
      ),
    )) {
      people.push(...parseAddressList((field as HTMLTextAreaElement).value));
    }
    for (const chip of Array.from(dialog.querySelectorAll('[email]'))) {
      const person = personOf(chip, 'compose');
      if (person) people.push(person);
    }
  }
  return people;
}

export function readGmail(doc: Document, url: string): GmailContext {
  const messages = visibleMessages(doc);
  const people: GmailPerson[] = [];
  const seen = new Set<string>();
  const add = (person: GmailPerson | null) => {
    if (!person || seen.has(person.email.toLowerCase())) return;
    seen.add(person.email.toLowerCase());
    people.push(person);
  };
  // The newest message the user has open is the one the panel is about; its sender comes first.
  const open =
    [...messages].reverse().find((message) => message.querySelector('div.a3s, [data-message-body], .ii')) ??
    messages[messages.length - 1];
  const sender = open ? senderElement(open) : null;
  if (sender) add(personOf(sender, 'from'));
  for (const message of [...messages].reverse()) {
    const from = senderElement(message);
    if (from) add(personOf(from, 'from'));
    for (const element of Array.from(message.querySelectorAll('[email]'))) {
      if (element === from || element.closest('h3')) continue;
      add(personOf(element, recipientRole(element)));
    }
  }
  for (const person of composePeople(doc)) add(person);
  const subjectElement =
    Array.from(doc.querySelectorAll('h2.hP')).find(visible) ??
    Array.from(doc.querySelectorAll('[role="main"] h2')).find(visible);
  const composeSubject = Array.from(doc.querySelectorAll('[role="dialog"] input[name="subjectbox"]')).find(
    visible,
  ) as HTMLInputElement | undefined;
  const view = messages.length > 0 ? 'thread' : people.length > 0 ? 'compose' : 'none';
  return {
    view,
    subject:
      (view === 'thread' ? subjectElement?.textContent : composeSubject?.value)?.trim().slice(0, 300) ?? '',
    threadUrl: url,
    messageId:
      open?.getAttribute('data-legacy-message-id') ?? open?.getAttribute('data-message-id') ?? undefined,
    ...(open ? dateOf(open) : {}),
    people: people.slice(0, 50),
    signature: open ? signatureOf(open) : undefined,
  };
}
