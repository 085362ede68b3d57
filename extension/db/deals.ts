/**
 * Deals: created, edited and moved through the pipeline, each step in one transaction with what it does to
 * the card (the stage rules of shared/deals.ts) and a line on the card's timeline.
 */
import { cardStageAfter, DEFAULT_PROBABILITY, type DealRules, moveDeal } from '../../shared/deals';
import { CURRENCIES, type Deal, type DealStage, DEAL_STAGES, isOpenDeal } from '../../shared/records';
import { type KesherDb, newId } from './db';
import { readDealSettings } from './settings';

export interface DealInput {
  id?: string;
  cardId: string;
  title: string;
  value: number;
  currency: Deal['currency'];
  stage?: DealStage;
  probability?: number;
  expectedClose?: number;
  owner?: string;
  lostReason?: string;
}

function checked(input: DealInput): void {
  if (!input.title.trim()) throw new Error('A deal needs a title.');
  if (!Number.isFinite(input.value) || input.value < 0)
    throw new Error('A deal’s value is a number, 0 or more.');
  if (!(CURRENCIES as readonly string[]).includes(input.currency))
    throw new Error(`Unknown currency ${input.currency}`);
  if (input.stage && !(DEAL_STAGES as readonly string[]).includes(input.stage))
    throw new Error(`Unknown stage ${input.stage}`);
  if (input.probability !== undefined && !(input.probability >= 0 && input.probability <= 100))
    throw new Error('A probability is between 0 and 100.');
}

/** The card follows its deal (a lead becomes a prospect, a win a customer), as the rules say. */
async function followCard(
  db: KesherDb,
  cardId: string,
  event: Parameters<typeof cardStageAfter>[1],
  rules: DealRules,
): Promise<boolean> {
  const card = await db.cards.get(cardId);
  if (!card) throw new Error('That card is no longer there.');
  const stage = cardStageAfter(card.stage, event, rules);
  if (stage === card.stage) return false;
  await db.cards.put({ ...card, stage, updatedAt: Date.now() });
  return true;
}

async function logStep(db: KesherDb, deal: Deal, from?: DealStage): Promise<void> {
  await db.interactions.add({
    id: newId(),
    cardId: deal.cardId,
    kind: 'deal',
    at: Date.now(),
    numberKeys: [],
    summary: deal.title,
    deal: { dealId: deal.id, stage: deal.stage, ...(from ? { from } : {}) },
  });
}

/** A new deal, or an edit of one (a changed stage moves it, with the rules and the timeline). */
export async function saveDeal(db: KesherDb, input: DealInput, given?: DealRules): Promise<Deal> {
  checked(input);
  return db.transaction('rw', [db.deals, db.cards, db.interactions, db.settings], async () => {
    // The office's rules as they stand when the deal is written (unless the caller gives its own).
    const rules = given ?? (await readDealSettings(db)).rules;
    const now = Date.now();
    const before = input.id ? await db.deals.get(input.id) : undefined;
    if (!before) {
      const stage = input.stage ?? 'new';
      const deal: Deal = {
        id: input.id ?? newId(),
        cardId: input.cardId,
        title: input.title.trim(),
        value: input.value,
        currency: input.currency,
        stage,
        probability: input.probability ?? DEFAULT_PROBABILITY[stage],
        ...(input.expectedClose !== undefined ? { expectedClose: input.expectedClose } : {}),
        ...(input.owner ? { owner: input.owner } : {}),
        createdAt: now,
        updatedAt: now,
      };
      await db.deals.add(deal);
      await followCard(db, deal.cardId, { kind: 'created' }, rules);
      if (!isOpenDeal(deal)) await followCard(db, deal.cardId, { kind: 'moved', to: deal.stage }, rules);
      await logStep(db, deal);
      return deal;
    }
    let next: Deal = {
      ...before,
      title: input.title.trim(),
      value: input.value,
      currency: input.currency,
      updatedAt: now,
    };
    if (input.expectedClose !== undefined) next.expectedClose = input.expectedClose;
    else delete next.expectedClose;
    if (input.owner) next.owner = input.owner;
    else delete next.owner;
    if (input.stage && input.stage !== before.stage) next = moveDeal(next, input.stage, now);
    if (input.probability !== undefined) next.probability = input.probability;
    if (next.stage === 'lost' && input.lostReason !== undefined) next.lostReason = input.lostReason.trim();
    await db.deals.put(next);
    if (next.stage !== before.stage) {
      await followCard(db, next.cardId, { kind: 'moved', to: next.stage }, rules);
      await logStep(db, next, before.stage);
    }
    return next;
  });
}

/** Move a deal to another stage (the board): the rules and the timeline follow. */
export async function moveDealTo(
  db: KesherDb,
  id: string,
  stage: DealStage,
  { rules: given, lostReason }: { rules?: DealRules; lostReason?: string } = {},
): Promise<{ deal: Deal; cardChanged: boolean }> {
  return db.transaction('rw', [db.deals, db.cards, db.interactions, db.settings], async () => {
    // The office's rules as they stand when the deal is written (unless the caller gives its own).
    const rules = given ?? (await readDealSettings(db)).rules;
    const before = await db.deals.get(id);
    if (!before) throw new Error('That deal is no longer there.');
    if (before.stage === stage) return { deal: before, cardChanged: false };
    const next = moveDeal(before, stage);
    if (stage === 'lost' && lostReason) next.lostReason = lostReason.trim();
    await db.deals.put(next);
    const cardChanged = await followCard(db, next.cardId, { kind: 'moved', to: stage }, rules);
    await logStep(db, next, before.stage);
    return { deal: next, cardChanged };
  });
}

/** A card's deals: open ones first (closing soonest first), then closed ones, newest first. */
export async function dealsOf(db: KesherDb, cardId: string): Promise<Deal[]> {
  const deals = await db.deals.where('cardId').equals(cardId).toArray();
  return deals.sort(
    (a, b) =>
      Number(isOpenDeal(b)) - Number(isOpenDeal(a)) ||
      (isOpenDeal(a)
        ? (a.expectedClose ?? Number.POSITIVE_INFINITY) - (b.expectedClose ?? Number.POSITIVE_INFINITY)
        : (b.closedAt ?? 0) - (a.closedAt ?? 0)),
  );
}

/** A card's open deals, closing soonest first (what the pop shows at ring time). */
export async function openDeals(db: KesherDb, cardId: string): Promise<Deal[]> {
  const deals = await db.deals.where('cardId').equals(cardId).filter(isOpenDeal).toArray();
  return deals.sort(
    (a, b) => (a.expectedClose ?? Number.POSITIVE_INFINITY) - (b.expectedClose ?? Number.POSITIVE_INFINITY),
  );
}
