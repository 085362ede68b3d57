/** What a pop shows for a call: the caller's card (read by db/views.ts in one readonly transaction). */
import { customerNumber } from '../../../shared/caller-id';
import { type PhoneOptions, parsePhone } from '../../../shared/phone';
import type { CallSnapshot } from '../../../shared/protocol';
import type { KesherDb } from '../../db/db';
import { readCaller, readCardWithActivity } from '../../db/views';
import type { CardView, PopView } from '../../doors/page';

export const RECENT_INTERACTIONS = 5;

export function cardView(db: KesherDb, cardId: string): Promise<CardView | null> {
  return readCardWithActivity(db, cardId, RECENT_INTERACTIONS);
}

export { customerNumber } from '../../../shared/caller-id';

export async function buildPopView(db: KesherDb, call: CallSnapshot, phone: PhoneOptions): Promise<PopView> {
  const parsed = parsePhone(customerNumber(call), phone);
  const base: PopView = { call, display: parsed.display, numberKind: parsed.kind, people: [] };
  if (parsed.kind === 'withheld') return base;
  const found = await readCaller(db, parsed.keys, RECENT_INTERACTIONS);
  if (!found) return base;
  const { caller, card } = found;
  return { ...base, confidence: caller.confidence, card: card ?? undefined, people: caller.people };
}

/** After a worker restart the in-memory view is gone: the call as the call log has it. */
export async function loggedCall(db: KesherDb, callId: string): Promise<CallSnapshot | null> {
  const logged = await db.interactions.where('callId').equals(callId).first();
  return logged?.call ?? null;
}
