/**
 * A capture form's prefill, from what a page offered (selection, JSON-LD, microformats, microdata, a linked
 * vCard, tel:/mailto: links, og: tags) or from a Gmail message. Pure: the worker calls it with what the
 * capture script read; nothing from the page is ever rendered as HTML.
 */
import { parseEmailAddress } from '../../../shared/email';
import { foldText } from '../../../shared/text';
import {
  type CaptureDraft,
  companyFromEmail,
  type LeadDraft,
  parseLeadText,
} from '../../../shared/lead-text';
import { emailFromMailto, phoneFromTelLink } from '../../../shared/page-contacts';
import { type PhoneOptions, parsePhone } from '../../../shared/phone';
import { parseVCards } from '../../../shared/vcard';
import type { GmailPerson, PageCapture } from '../../doors/content';

export type { CaptureDraft };

const PERSON_TYPES = /^(?:Person)$/i;
const ORG_TYPES =
  /(?:Organization|Organisation|Corporation|LocalBusiness|Business|Restaurant|Store|Office|Agency|Clinic|Dentist|Physician|Attorney|Hotel|NGO|School|Group|Team|Band|Venue)$/i;
const EVENT_TYPES = /Event$/i;

type Json = Record<string, unknown>;

const text = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.replace(/\s+/g, ' ').trim().slice(0, 200) || undefined;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return text(value[0]);
  if (value && typeof value === 'object' && 'name' in value) return text((value as Json).name);
  return undefined;
};
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map(text).filter((item): item is string => Boolean(item));
const typesOf = (node: Json): string[] => list(node['@type']).map((type) => type.replace(/^.*[/#]/, ''));

/**
 * Every object in JSON-LD blocks, including @graph members and nested values, depth-limited. Events are
 * collected but not entered: who performs at an event is not the page's own contact (see eventSubject).
 */
function walk(value: unknown, out: Json[], events: Json[], depth = 0): void {
  if (depth > 6 || out.length > 200 || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, out, events, depth + 1);
    return;
  }
  const node = value as Json;
  if (typesOf(node).some((type) => EVENT_TYPES.test(type))) {
    if (events.length < 200) events.push(node);
    return;
  }
  out.push(node);
  for (const child of Object.values(node)) walk(child, out, events, depth + 1);
}

/**
 * The page's subject when its data is only events (a concert page, a band's tour dates): the performer or
 * organiser most of the events share, the first named on a tie (a headliner before the support act).
 */
function eventSubject(events: readonly Json[]): Json | undefined {
  const seen = new Map<string, { node: Json; count: number; order: number }>();
  for (const event of events) {
    const named = new Set<string>();
    for (const key of ['performer', 'organizer', 'performers']) {
      for (const item of Array.isArray(event[key]) ? (event[key] as unknown[]) : [event[key]]) {
        if (!item || typeof item !== 'object') continue;
        const name = text((item as Json).name);
        if (!name || named.has(name)) continue;
        named.add(name);
        const known = seen.get(name);
        if (known) known.count++;
        else seen.set(name, { node: item as Json, count: 1, order: seen.size });
      }
    }
  }
  let best: { node: Json; count: number; order: number } | undefined;
  for (const candidate of seen.values()) {
    if (
      !best ||
      candidate.count > best.count ||
      (candidate.count === best.count && candidate.order < best.order)
    )
      best = candidate;
  }
  return best?.node;
}

function emptyDraft(capture: Pick<PageCapture, 'url' | 'title'>, from: CaptureDraft['from']): CaptureDraft {
  return {
    kind: 'person',
    name: '',
    emails: [],
    phones: [],
    sourceUrl: capture.url,
    sourceTitle: capture.title,
    from,
  };
}

function addPhone(draft: LeadDraft, raw: string | undefined, label = 'phone'): void {
  const value = raw?.replace(/^tel:/i, '').trim();
  if (value && !draft.phones.some((item) => item.raw === value)) draft.phones.push({ label, raw: value });
}
function addEmail(draft: LeadDraft, raw: string | undefined): void {
  const value = raw === undefined ? undefined : parseEmailAddress(raw);
  if (value && !draft.emails.includes(value)) draft.emails.push(value);
}

/** Fill what `draft` lacks from `more`. */
function fill(draft: CaptureDraft, more: Partial<LeadDraft>): void {
  if (!draft.name && more.name) draft.name = more.name;
  if (!draft.company && more.company) draft.company = more.company;
  if (!draft.title && more.title) draft.title = more.title;
  for (const email of more.emails ?? []) addEmail(draft, email);
  for (const phone of more.phones ?? []) addPhone(draft, phone.raw, phone.label);
}

function fromJsonLd(blocks: readonly Json[]): Partial<LeadDraft> & { kind?: 'person' | 'company' } {
  const nodes: Json[] = [];
  const events: Json[] = [];
  walk(blocks, nodes, events);
  let person = nodes.find((node) => typesOf(node).some((type) => PERSON_TYPES.test(type)));
  let org = nodes.find((node) => typesOf(node).some((type) => ORG_TYPES.test(type)));
  if (!person && !org) {
    const subject = eventSubject(events);
    if (subject && typesOf(subject).some((type) => PERSON_TYPES.test(type))) person = subject;
    else org = subject;
  }
  const main = person ?? org;
  if (!main) return {};
  const draft: LeadDraft = { name: '', emails: [], phones: [] };
  draft.name =
    text(main.name) ?? [text(main.givenName), text(main.familyName)].filter(Boolean).join(' ').trim() ?? '';
  if (person) {
    draft.title = text(person.jobTitle);
    draft.company = text(person.worksFor) ?? text(person.affiliation) ?? (org ? text(org.name) : undefined);
  }
  for (const node of [main, ...(Array.isArray(main.contactPoint) ? (main.contactPoint as Json[]) : [])]) {
    for (const phone of list(node.telephone)) addPhone(draft, phone);
    for (const email of list(node.email)) addEmail(draft, email);
  }
  if (person && org && draft.phones.length === 0)
    for (const phone of list(org.telephone)) addPhone(draft, phone);
  return { ...draft, kind: person ? 'person' : 'company' };
}

export function draftFromPage(capture: PageCapture, phone: PhoneOptions): CaptureDraft {
  const selection = capture.selection.trim();
  let draft: CaptureDraft;
  if (selection) {
    draft = { ...emptyDraft(capture, 'selection'), ...parseLeadText(selection, phone) };
  } else {
    draft = emptyDraft(capture, 'page');
  }
  // A tel:/mailto: link the menu was opened on says which number the user meant.
  if (capture.linkUrl?.startsWith('tel:')) addPhone(draft, phoneFromTelLink(capture.linkUrl, phone)?.text);
  if (capture.linkUrl?.startsWith('mailto:')) addEmail(draft, emailFromMailto(capture.linkUrl)?.text);

  const structured = fromJsonLd(capture.jsonLd);
  if (structured.name || structured.phones?.length || structured.emails?.length) {
    if (!selection) {
      draft.from = 'structured';
      draft.kind = structured.kind ?? 'person';
    }
    fill(draft, structured);
  }
  // The first card that names someone: fields of different cards on one page are never mixed.
  const card = capture.cards.find((item) => item.name || item.tel.length > 0 || item.email.length > 0);
  if (card) {
    if (!selection && draft.from === 'page') {
      draft.from = 'structured';
      if (!structured.name && card.kind) draft.kind = card.kind;
    }
    fill(draft, {
      name: card.name,
      company: card.kind === 'company' ? undefined : card.org,
      title: card.title,
      emails: card.email,
      phones: card.tel.map((raw, index) => ({ label: card.telLabels?.[index] ?? 'phone', raw })),
    });
  }
  if (capture.vcard) {
    const [first] = parseVCards(capture.vcard).cards;
    if (first) {
      if (!selection && draft.from === 'page') draft.from = 'vcard';
      fill(draft, first);
    }
  }
  const linkPhones = capture.tel.map((href) => phoneFromTelLink(href, phone)?.text).filter(Boolean);
  const linkEmails = capture.mailto.map((href) => emailFromMailto(href)?.text).filter(Boolean);
  if (!selection && draft.from === 'page' && (linkPhones.length || linkEmails.length)) draft.from = 'links';
  const siteName = capture.og['og:site_name'];
  // The page's tel:/mailto: links are its site's: the contact's only when the page is about the site itself
  // (not a performer on a ticket site, whose "Flag a problem" address is the site's support).
  const aboutAnother =
    draft.name !== '' && siteName !== undefined && foldText(siteName) !== foldText(draft.name);
  // Structured data that lists the contact's own numbers and addresses is the whole list.
  if (!selection && !aboutAnother) {
    if (draft.phones.length === 0) for (const raw of linkPhones.slice(0, 3)) addPhone(draft, raw);
    if (draft.emails.length === 0) for (const email of linkEmails.slice(0, 3)) addEmail(draft, email);
  }
  // A site's name is a person's company only when their own address says so (a platform is nobody's).
  const domainCompany = draft.emails[0] ? companyFromEmail(draft.emails[0]) : undefined;
  if (
    !draft.company &&
    siteName &&
    draft.kind === 'person' &&
    draft.name &&
    domainCompany &&
    foldText(siteName).replace(/\s+/g, '').includes(foldText(domainCompany).replace(/\s+/g, ''))
  ) {
    draft.company = text(siteName);
  }
  if (!draft.name) {
    draft.name = text(capture.og['og:title']) ?? text(siteName) ?? '';
    if (draft.name && capture.og['og:type']?.startsWith('business')) draft.kind = 'company';
  }
  if (!draft.company && draft.emails[0] && draft.kind === 'person')
    draft.company = companyFromEmail(draft.emails[0]);
  return draft;
}

/** An unknown Gmail sender: name and address from the message, the rest from the signature. */
export function draftFromEmail(
  person: GmailPerson,
  signature: string | undefined,
  threadUrl: string,
  subject: string,
  phone: PhoneOptions,
): CaptureDraft {
  const draft: CaptureDraft = {
    kind: 'person',
    name: person.name && person.name !== person.email ? person.name : '',
    emails: [person.email],
    phones: [],
    sourceUrl: threadUrl,
    sourceTitle: subject,
    from: 'email',
  };
  if (signature) {
    const parsed = parseLeadText(signature, phone, draft.name || undefined);
    // The signature's name only when the message did not give one: Gmail's is what the sender chose.
    fill(draft, parsed);
  }
  // A person's own name is never their company (Gmail's name and the signature's may differ in script).
  if (
    draft.company &&
    [draft.name, person.name].some((name) => name && foldText(name) === foldText(draft.company!))
  )
    draft.company = undefined;
  if (!draft.company) draft.company = companyFromEmail(person.email);
  return draft;
}

/** The chip's capture action: one number or address and the words around it. */
export function draftFromContact(
  contact: { kind: 'phone' | 'email'; value: string; nearby: string },
  page: { url: string; title: string },
  phone: PhoneOptions,
): CaptureDraft {
  const draft: CaptureDraft = {
    ...emptyDraft(page, 'page'),
    ...parseLeadText(contact.nearby.slice(0, 2000), phone),
  };
  draft.from = 'page';
  // Only the number or address that was clicked: the nearby text may hold a colleague's.
  if (contact.kind === 'phone') {
    const display = parsePhone(contact.value, phone).display || contact.value;
    const label = draft.phones.find((item) => parsePhone(item.raw, phone).e164 === contact.value)?.label;
    draft.phones = [{ label: label ?? 'phone', raw: display }];
  } else {
    draft.emails = [contact.value];
    if (!draft.company) draft.company = companyFromEmail(contact.value);
  }
  return draft;
}
