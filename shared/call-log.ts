/**
 * A call's entry in the log, the same wherever it is written: at a desk (Dexie) or, in office mode, by the
 * hub itself (so a ring group of five desks is one entry, and calls that came while every browser was
 * closed are logged). One call, one interaction, keyed by its callId; repeated or reordered events merge by
 * the call-fact rules; the caller is matched by phone keys, and a suffix-only match is never taken.
 */
import { mergeCalls, talkSeconds } from './call-facts';
import { customerNumber } from './caller-id';
import { type MatchConfidence, type PhoneOptions, parsePhone } from './phone';
import type { CallSnapshot } from './protocol';
import { type Card, type Interaction, UNKNOWN_CARD } from './records';

/** A call's interaction id, the same at every desk and at the hub. */
export function callInteractionId(callId: string): string {
  return `call:${callId}`;
}

/**
 * The interaction for `incoming`, on top of what was logged for the call before. Its cardId is the one
 * already chosen (a card the user assigned stays), or UNKNOWN_CARD: the caller is matched by the caller.
 */
export function callInteraction(
  existing: Interaction | undefined,
  incoming: CallSnapshot,
  phone: PhoneOptions,
): Interaction {
  const call = existing?.call ? mergeCalls(existing.call, incoming) : incoming;
  // The customer's number: the caller on inbound calls, the called number on outbound ones.
  const dialled = customerNumber(call);
  const parsed = parsePhone(dialled, phone);
  const interaction: Interaction = {
    id: existing?.id ?? callInteractionId(call.callId),
    cardId: existing?.cardId ?? UNKNOWN_CARD,
    kind: 'call',
    direction: call.direction,
    at: call.startedAt,
    durationSec: talkSeconds(call),
    callId: call.callId,
    // A withheld caller is "Withheld number" everywhere: no number is kept, not even "anonymous".
    number: parsed.kind === 'withheld' ? '' : dialled,
    numberKeys: parsed.keys,
    summary: existing?.summary ?? '',
    // An outbound call nobody answered is an attempt, not a missed call (Today lists missed inbound ones).
    outcome: call.status === 'missed' && call.direction === 'outbound' ? 'not-answered' : call.status,
    call,
  };
  if (interaction.durationSec === undefined) delete interaction.durationSec;
  // What people added to the call (a claim on it) stays through its later events.
  if (existing?.claimedAt !== undefined) {
    interaction.claimedBy = existing.claimedBy ?? '';
    interaction.claimedAt = existing.claimedAt;
  }
  if (existing?.wrapUp) interaction.wrapUp = existing.wrapUp;
  return interaction;
}

export interface CallerCards {
  /** The card to show first: the person, or the company when several of its people share the number. */
  primary: Card;
  /** The people to pick from when several cards share the number. */
  people: Card[];
  confidence: MatchConfidence;
}

/**
 * Several cards on one number: their company (when they have one) with a picker of its people, else the
 * most recently contacted. `matches` are of one confidence tier (the best one that matched).
 */
export async function chooseCaller(
  matches: readonly { card: Card; confidence: MatchConfidence }[],
  companyOf: (id: string) => Promise<Card | undefined>,
): Promise<CallerCards | null> {
  const first = matches[0];
  if (!first) return null;
  const confidence = first.confidence;
  if (matches.length === 1) return { primary: first.card, people: [], confidence };
  const cards = matches.map((match) => match.card);
  const people = cards.filter((card) => card.kind === 'person');
  let company = cards.find((card) => card.kind === 'company');
  const companyIds = [...new Set(people.map((card) => card.companyId).filter(Boolean))];
  if (!company && companyIds.length === 1) company = await companyOf(companyIds[0]!);
  if (company) return { primary: company, people, confidence };
  const byRecent = [...cards].sort((a, b) => (b.lastContactAt ?? 0) - (a.lastContactAt ?? 0));
  return { primary: byRecent[0]!, people: byRecent, confidence };
}

/** The card a call is logged on: a sure match only (a suffix-only one waits on the unknown callers list). */
export function loggedOn(caller: CallerCards | null): string {
  return caller && caller.confidence !== 'suffix' ? caller.primary.id : UNKNOWN_CARD;
}
