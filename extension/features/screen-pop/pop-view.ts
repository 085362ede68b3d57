/**
 * What a pop shows for a call, read in one readonly transaction so it never waits behind the call log's
 * write for the same event (the view's transaction is opened first).
 */
import { type PhoneOptions, parsePhone } from '../../../shared/phone';
import type { CallSnapshot } from '../../../shared/protocol';
import { findCardsByKeys, resolveCaller } from '../../db/cards';
import type { KesherDb } from '../../db/db';
import { recentInteractions } from '../../db/interactions';
import { openTasks } from '../../db/tasks';
import type { CardView, PopView } from '../../messaging';

export const RECENT_INTERACTIONS = 5;

export async function cardView(db: KesherDb, cardId: string): Promise<CardView | null> {
  return db.transaction('r', db.cards, db.tasks, db.interactions, async () => {
    const card = await db.cards.get(cardId);
    if (!card) return null;
    const [tasks, interactions] = await Promise.all([
      openTasks(db, cardId),
      recentInteractions(db, cardId, RECENT_INTERACTIONS),
    ]);
    return { card, tasks, interactions };
  });
}

export function customerNumber(call: CallSnapshot): string {
  return call.direction === 'outbound' ? (call.to ?? '') : call.from;
}

export async function buildPopView(db: KesherDb, call: CallSnapshot, phone: PhoneOptions): Promise<PopView> {
  const parsed = parsePhone(customerNumber(call), phone);
  const base: PopView = { call, display: parsed.display, numberKind: parsed.kind, people: [] };
  if (parsed.kind === 'withheld') return base;
  return db.transaction('r', db.cards, db.tasks, db.interactions, async () => {
    const caller = await resolveCaller(db, await findCardsByKeys(db, parsed.keys));
    if (!caller) return base;
    const card = await cardView(db, caller.primary.id);
    return { ...base, confidence: caller.confidence, card: card ?? undefined, people: caller.people };
  });
}

/** After a worker restart the in-memory view is gone: the call as the call log has it. */
export async function loggedCall(db: KesherDb, callId: string): Promise<CallSnapshot | null> {
  const logged = await db.interactions.where('callId').equals(callId).first();
  return logged?.call ?? null;
}
