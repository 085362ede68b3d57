/**
 * Cards: save with derived match keys, find by number. The keys are computed here, once per save, so a
 * lookup at ring time is one indexed query.
 */
import { type MatchConfidence, type PhoneOptions, parsePhone, strongKeys } from '../../shared/phone';
import { foldedTokens } from '../../shared/text';
import { type Card, type CardPhone, companyEmailKeys, type KesherDb, newId, UNKNOWN_CARD } from './db';

export type CardInput = Partial<Omit<Card, 'id' | 'phoneKeys' | 'emailKeys' | 'updatedAt'>> & {
  name: string;
  id?: string;
};

/**
 * The words search finds a card by: folded name and company words, and each email's local part and domain
 * ("dana", "acme.co.il"). Derived when the search list loads, not stored: storing them cost import time.
 */
export function searchWords(card: Pick<Card, 'name' | 'company' | 'emails'>): string[] {
  const emailWords = card.emails.flatMap((email) => email.trim().toLowerCase().split('@')).filter(Boolean);
  return [...new Set([...foldedTokens([card.name, card.company ?? ''].join(' ')), ...emailWords])];
}

export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Match keys of a raw number; an import passes a memo so each number is parsed once. */
export type KeysOf = (raw: string) => string[];

function derived(
  card: Omit<Card, 'phoneKeys' | 'emailKeys'>,
  phone: PhoneOptions,
  keysOf: KeysOf = (raw) => parsePhone(raw, phone).keys,
): Card {
  const phoneKeys = [...new Set(card.phones.flatMap((item) => keysOf(item.raw)))];
  // A company card also owns its addresses' domains ("@acme.co.il"), so a mail from anyone there finds it.
  const emailKeys =
    card.kind === 'company'
      ? companyEmailKeys(card.emails)
      : [...new Set(card.emails.map(emailKey).filter((email) => email.length > 0))];
  return { ...card, phoneKeys, emailKeys };
}

export function buildCard(input: CardInput, phone: PhoneOptions, now = Date.now(), keysOf?: KeysOf): Card {
  return derived(
    {
      id: input.id ?? newId(),
      kind: input.kind ?? 'person',
      name: input.name.trim(),
      companyId: input.companyId,
      company: input.company?.trim() || undefined,
      title: input.title?.trim() || undefined,
      photo: input.photo,
      emails: (input.emails ?? []).map((email) => email.trim()).filter(Boolean),
      phones: (input.phones ?? []).filter((item: CardPhone) => item.raw.trim() !== ''),
      status: input.status ?? 'none',
      statusNote: input.statusNote ?? '',
      stage: input.stage ?? 'lead',
      tags: input.tags ?? [],
      fields: input.fields ?? {},
      source: input.source,
      createdAt: input.createdAt ?? now,
      updatedAt: now,
      lastContactAt: input.lastContactAt,
    },
    phone,
    keysOf,
  );
}

/** Create or replace a card, then attach any unknown caller's calls that its numbers claim. */
export async function saveCard(db: KesherDb, card: Card): Promise<Card> {
  await db.transaction('rw', db.cards, db.interactions, async () => {
    await db.cards.put(card);
    const keys = strongKeys(card.phoneKeys);
    if (keys.length === 0) return;
    const claimed = await db.interactions
      .where('numberKeys')
      .anyOf(keys)
      .filter((interaction) => interaction.cardId === UNKNOWN_CARD)
      .toArray();
    for (const interaction of claimed) await db.interactions.update(interaction.id, { cardId: card.id });
    const latest = Math.max(0, ...claimed.map((interaction) => interaction.at));
    if (latest > (card.lastContactAt ?? 0)) {
      card.lastContactAt = latest;
      await db.cards.update(card.id, { lastContactAt: latest });
    }
  });
  return card;
}

export async function updateCard(
  db: KesherDb,
  id: string,
  changes: Partial<CardInput>,
  phone: PhoneOptions,
): Promise<Card> {
  const existing = await db.cards.get(id);
  if (!existing) throw new Error(`no card ${id}`);
  const { phoneKeys: _p, emailKeys: _e, ...rest } = existing;
  const next = derived({ ...rest, ...changes, id, updatedAt: Date.now() }, phone);
  return saveCard(db, next);
}

export interface NumberMatch {
  card: Card;
  confidence: MatchConfidence;
}

/** Match keys from the most to the least confident kind: E.164 and extensions, national, suffix. */
const TIERS: ReadonlyArray<[MatchConfidence, (key: string) => boolean]> = [
  ['exact', (key) => key.startsWith('e:') || key.startsWith('x:')],
  ['national', (key) => key.startsWith('n:')],
  ['suffix', (key) => key.startsWith('t:')],
];

/**
 * Cards whose numbers meet these match keys, at the most confident level found. Tier by tier, so the
 * usual case (an exact hit) costs one indexed equality query and weaker keys are read only on a miss.
 */
export async function findCardsByKeys(db: KesherDb, keys: readonly string[]): Promise<NumberMatch[]> {
  for (const [confidence, inTier] of TIERS) {
    const tierKeys = keys.filter(inTier);
    if (tierKeys.length === 0) continue;
    const cards =
      tierKeys.length === 1
        ? await db.cards.where('phoneKeys').equals(tierKeys[0]!).toArray()
        : await db.cards.where('phoneKeys').anyOf(tierKeys).distinct().toArray();
    if (cards.length > 0) return cards.map((card) => ({ card, confidence }));
  }
  return [];
}

export interface CallerCards {
  /** The card to show first: the person, or the company when several of its people share the number. */
  primary: Card;
  /** The people to pick from when several cards share the number. */
  people: Card[];
  confidence: MatchConfidence;
}

/** Several cards on one number: show their company (when they have one) with a picker of its people. */
export async function resolveCaller(
  db: KesherDb,
  matches: readonly NumberMatch[],
): Promise<CallerCards | null> {
  const first = matches[0];
  if (!first) return null;
  const confidence = first.confidence;
  if (matches.length === 1) return { primary: first.card, people: [], confidence };
  const cards = matches.map((match) => match.card);
  const people = cards.filter((card) => card.kind === 'person');
  let company = cards.find((card) => card.kind === 'company');
  const companyIds = [...new Set(people.map((card) => card.companyId).filter(Boolean))];
  if (!company && companyIds.length === 1) company = await db.cards.get(companyIds[0]!);
  if (company) return { primary: company, people, confidence };
  const byRecent = [...cards].sort((a, b) => (b.lastContactAt ?? 0) - (a.lastContactAt ?? 0));
  return { primary: byRecent[0]!, people: byRecent, confidence };
}
