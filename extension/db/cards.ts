/**
 * Cards: save with derived match keys, find by number. The keys are computed here, once per save, so a
 * lookup at ring time is one indexed query.
 */
import {
  keyConfidence,
  type MatchConfidence,
  type PhoneOptions,
  parsePhone,
  strongKeys,
} from '../../shared/phone';
import { type CallerCards, chooseCaller } from '../../shared/call-log';
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

/** A card with its match keys computed again (a card that came from the hub, with this desk's phone options). */
export function withMatchKeys(card: Card, phone: PhoneOptions): Card {
  const { phoneKeys: _phoneKeys, emailKeys: _emailKeys, ...rest } = card;
  return derived(rest, phone);
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

/** "Last spoke": a card's last contact moves forward only (a late or replayed event never moves it back). */
export async function touchLastContact(db: KesherDb, cardId: string, at: number): Promise<void> {
  await db.transaction('rw', db.cards, async () => {
    const card = await db.cards.get(cardId);
    if (card && (card.lastContactAt ?? 0) < at) await db.cards.update(cardId, { lastContactAt: at });
  });
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
    if (latest > (card.lastContactAt ?? 0)) card.lastContactAt = latest;
    await touchLastContact(db, card.id, latest);
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
const TIERS: readonly MatchConfidence[] = ['exact', 'national', 'suffix'];

/**
 * Cards whose numbers meet these match keys, at the most confident level found. Tier by tier, so the
 * usual case (an exact hit) costs one indexed equality query and weaker keys are read only on a miss.
 */
export async function findCardsByKeys(db: KesherDb, keys: readonly string[]): Promise<NumberMatch[]> {
  for (const confidence of TIERS) {
    const tierKeys = keys.filter((key) => keyConfidence(key) === confidence);
    if (tierKeys.length === 0) continue;
    const cards =
      tierKeys.length === 1
        ? await db.cards.where('phoneKeys').equals(tierKeys[0]!).toArray()
        : await db.cards.where('phoneKeys').anyOf(tierKeys).distinct().toArray();
    if (cards.length > 0) return cards.map((card) => ({ card, confidence }));
  }
  return [];
}

export type { CallerCards } from '../../shared/call-log';

/** Several cards on one number: show their company (when they have one) with a picker of its people. */
export function resolveCaller(db: KesherDb, matches: readonly NumberMatch[]): Promise<CallerCards | null> {
  return chooseCaller(matches, (id) => db.cards.get(id));
}

/** Delete a card: its tasks and notes go, its calls return to the unknown callers list. Undo restores all. */
export async function deleteCardWithUndo(db: KesherDb, card: Card): Promise<() => Promise<void>> {
  const [tasks, interactions, deals] = await Promise.all([
    db.tasks.where('cardId').equals(card.id).toArray(),
    db.interactions.where('cardId').equals(card.id).toArray(),
    db.deals.where('cardId').equals(card.id).toArray(),
  ]);
  await db.transaction('rw', [db.cards, db.tasks, db.interactions, db.deals], async () => {
    await db.cards.delete(card.id);
    await db.tasks.bulkDelete(tasks.map((task) => task.id));
    await db.deals.bulkDelete(deals.map((deal) => deal.id));
    for (const item of interactions) {
      if (item.kind === 'call') await db.interactions.update(item.id, { cardId: UNKNOWN_CARD });
      else await db.interactions.delete(item.id);
    }
  });
  return async () => {
    await db.transaction('rw', [db.cards, db.tasks, db.interactions, db.deals], async () => {
      await db.cards.put(card);
      await db.tasks.bulkPut(tasks);
      await db.deals.bulkPut(deals);
      await db.interactions.bulkPut(interactions);
    });
  };
}

/** Merge `other` into `card`: numbers, emails, tags and empty fields join; tasks and history move over. */
export async function mergeCards(db: KesherDb, card: Card, other: Card, phone: PhoneOptions): Promise<void> {
  await db.transaction('rw', [db.cards, db.tasks, db.interactions, db.deals], async () => {
    const phones = [...card.phones];
    for (const item of other.phones)
      if (!phones.some((existing) => existing.raw === item.raw)) phones.push(item);
    const emails = [...new Set([...card.emails, ...other.emails])];
    const merged = buildCard(
      {
        ...card,
        phones,
        emails,
        tags: [...new Set([...card.tags, ...other.tags])],
        company: card.company ?? other.company,
        title: card.title ?? other.title,
        photo: card.photo ?? other.photo,
        fields: { ...other.fields, ...card.fields },
        lastContactAt: Math.max(card.lastContactAt ?? 0, other.lastContactAt ?? 0) || undefined,
      },
      phone,
    );
    await db.tasks.where('cardId').equals(other.id).modify({ cardId: card.id });
    await db.deals.where('cardId').equals(other.id).modify({ cardId: card.id });
    await db.interactions.where('cardId').equals(other.id).modify({ cardId: card.id });
    await db.cards.delete(other.id);
    await saveCard(db, merged);
  });
}

/**
 * An import's write, in one transaction: cards built batch by batch (`build(start, end)`, which may read the
 * cards a batch merges into), each batch written while the next is built; then the calls from numbers nobody
 * had a card for are claimed by the new cards, in one pass over the database (an import may bring 100,000).
 * Returns how many cards were written.
 */
export async function writeCardBatches(
  db: KesherDb,
  total: number,
  batch: number,
  build: (start: number, end: number) => Promise<Card[]>,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  let written = 0;
  await db.transaction('rw', db.cards, db.interactions, async () => {
    let pending: Promise<void> = Promise.resolve();
    for (let start = 0; start < total; start += batch) {
      const cards = await build(start, Math.min(total, start + batch));
      // The database writes this batch while the next one is built: wait only for the one before.
      await pending;
      pending = db.cards.bulkPut(cards).then(() => {
        written += cards.length;
        onProgress?.(written, total);
      });
    }
    await pending;
    await claimUnknownCalls(db);
  });
  return written;
}

/** Every unknown caller's call whose number a card now has moves to that card (bulk: one pass over cards). */
async function claimUnknownCalls(db: KesherDb): Promise<void> {
  const unknown = await db.interactions.where('cardId').equals(UNKNOWN_CARD).toArray();
  if (unknown.length === 0) return;
  const byKey = new Map<string, string>();
  await db.cards.each((card) => {
    for (const key of strongKeys(card.phoneKeys)) byKey.set(key, card.id);
  });
  for (const interaction of unknown) {
    const owner = strongKeys(interaction.numberKeys)
      .map((key) => byKey.get(key))
      .find(Boolean);
    if (owner) await db.interactions.update(interaction.id, { cardId: owner });
  }
}
