/**
 * What the pop and the side panel show of a card, read in one readonly transaction so it never waits behind
 * the call log's write for the same event (the view's transaction is opened first).
 */
import { type CallerCards, findCardsByKeys, resolveCaller } from './cards';
import { type CardWithActivity, DEAL_SETTINGS_ID } from '../../shared/records';
import type { KesherDb } from './db';
import { recentInteractions } from './interactions';
import { openTasks } from './tasks';
import { openDeals } from './deals';

export type { CardWithActivity };

export function readCardWithActivity(
  db: KesherDb,
  cardId: string,
  recent: number,
): Promise<CardWithActivity | null> {
  return db.transaction('r', [db.cards, db.tasks, db.interactions, db.deals, db.settings], async () => {
    const card = await db.cards.get(cardId);
    if (!card) return null;
    const [tasks, interactions, deals, dealSettings] = await Promise.all([
      openTasks(db, cardId),
      recentInteractions(db, cardId, recent),
      openDeals(db, cardId),
      db.settings.get(DEAL_SETTINGS_ID),
    ]);
    return {
      card,
      tasks,
      interactions,
      ...(deals.length > 0 ? { deals } : {}),
      ...(dealSettings ? { dealSettings } : {}),
    };
  });
}

/** The caller of these match keys and their card, or null when no card has the number. */
export function readCaller(
  db: KesherDb,
  keys: readonly string[],
  recent: number,
): Promise<{ caller: CallerCards; card: CardWithActivity | null } | null> {
  return db.transaction('r', [db.cards, db.tasks, db.interactions, db.deals, db.settings], async () => {
    const caller = await resolveCaller(db, await findCardsByKeys(db, keys));
    if (!caller) return null;
    return { caller, card: await readCardWithActivity(db, caller.primary.id, recent) };
  });
}
