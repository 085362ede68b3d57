/**
 * In the service worker: page text → numbers and addresses → the cards they belong to. One indexed query
 * per batch for phones and one for emails, so a page with a thousand numbers costs a few lookups.
 */
import { emailDomain, isFreeMail } from '../../../shared/email';
import {
  emailFromMailto,
  type FoundContact,
  findContactsInText,
  phoneFromTelLink,
} from '../../../shared/page-contacts';
import type { PhoneOptions } from '../../../shared/phone';
import type { Card, KesherDb } from '../../db/db';
import type { ChipCard, ScanHit, ScanItem } from '../../doors/content';

export async function chipCards(db: KesherDb, cards: readonly Card[]): Promise<Map<string, ChipCard>> {
  const chips = new Map<string, ChipCard>();
  await Promise.all(
    cards.map(async (card) => {
      if (chips.has(card.id)) return;
      const openTasks = await db.tasks.where('[cardId+done]').equals([card.id, 0]).count();
      chips.set(card.id, {
        id: card.id,
        name: card.name,
        company: card.company,
        status: card.status,
        statusNote: card.statusNote,
        stage: card.stage,
        openTasks,
        lastContactAt: card.lastContactAt,
      });
    }),
  );
  return chips;
}

/** The person card with this address, else a company card that owns its domain. */
export function domainKey(email: string): string | null {
  const domain = emailDomain(email);
  return domain && !isFreeMail(email) ? `@${domain}` : null;
}

export async function cardsByEmail(db: KesherDb, emails: readonly string[]): Promise<Map<string, Card>> {
  const keys = [...new Set(emails.map((email) => email.trim().toLowerCase()))];
  const domainKeys = [...new Set(keys.map(domainKey).filter((key): key is string => key !== null))];
  const found = await db.cards
    .where('emailKeys')
    .anyOf([...keys, ...domainKeys])
    .toArray();
  const byKey = new Map<string, Card>();
  for (const card of found) {
    for (const key of card.emailKeys) {
      const existing = byKey.get(key);
      // A person's own address beats a company's; among equals, the most recent contact.
      if (!existing || (existing.lastContactAt ?? 0) < (card.lastContactAt ?? 0)) byKey.set(key, card);
    }
  }
  const result = new Map<string, Card>();
  for (const email of keys) {
    const card = byKey.get(email) ?? byKey.get(domainKey(email) ?? '');
    if (card) result.set(email, card);
  }
  return result;
}

export async function cardsByPhoneKeys(
  db: KesherDb,
  found: readonly FoundContact[],
): Promise<Map<string, Card>> {
  const keys = [...new Set(found.flatMap((item) => item.keys))];
  const result = new Map<string, Card>();
  if (keys.length === 0) return result;
  const cards = await db.cards.where('phoneKeys').anyOf(keys).toArray();
  const byKey = new Map<string, Card>();
  for (const card of cards) for (const key of card.phoneKeys) if (!byKey.has(key)) byKey.set(key, card);
  for (const item of found) {
    // The exact key first, then the national one.
    const card = item.keys.map((key) => byKey.get(key)).find(Boolean);
    if (card) result.set(item.value, card);
  }
  return result;
}

/** `pageCountry`: the country the page's site names (its top-level domain), whose local numbers count too. */
export async function scanItems(
  db: KesherDb,
  items: readonly ScanItem[],
  phone: PhoneOptions,
  pageCountry?: string,
): Promise<ScanHit[]> {
  const found: Array<{ id: number; contact: FoundContact }> = [];
  for (const item of items) {
    const text = String(item.text).slice(0, 20_000);
    if (item.link === 'tel') {
      const contact = phoneFromTelLink(text, phone);
      if (contact) found.push({ id: item.id, contact });
    } else if (item.link === 'mailto') {
      const contact = emailFromMailto(text);
      if (contact) found.push({ id: item.id, contact });
    } else {
      for (const contact of findContactsInText(text, { ...phone, strictCountry: true, pageCountry }))
        found.push({ id: item.id, contact });
    }
  }
  const contacts = found.map((item) => item.contact);
  const [byPhone, byEmail] = await Promise.all([
    cardsByPhoneKeys(
      db,
      contacts.filter((item) => item.kind === 'phone'),
    ),
    cardsByEmail(
      db,
      contacts.filter((item) => item.kind === 'email').map((item) => item.value),
    ),
  ]);
  const chips = await chipCards(db, [...byPhone.values(), ...byEmail.values()]);
  return found.map(({ id, contact }) => {
    const card = contact.kind === 'phone' ? byPhone.get(contact.value) : byEmail.get(contact.value);
    return {
      id,
      start: contact.start,
      end: contact.end,
      kind: contact.kind,
      value: contact.value,
      display: contact.display,
      card: card ? (chips.get(card.id) ?? null) : null,
    };
  });
}
