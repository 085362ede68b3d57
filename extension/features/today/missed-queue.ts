/**
 * The office's missed-call queue, from the call log every desk shares: one entry per caller whose last
 * missed inbound calls nobody has dealt with yet, newest first. An entry closes by itself when the caller's
 * next inbound call is answered, or when anyone calls them back and they answer; it keeps how many calls it
 * holds and who said they will call back (a claim on one of its calls).
 */
import type { Interaction } from '../../db/db';

export interface MissedEntry {
  /** The caller's number, as its strongest match key. */
  key: string;
  /** Their card (UNKNOWN_CARD for a caller nobody has made a card for). */
  cardId: string;
  /** The number to call back (the latest missed call's). */
  number: string;
  /** Missed calls since the caller was last reached. */
  calls: number;
  lastAt: number;
  /** The interaction a claim is written on: the latest missed call. */
  latestId: string;
  claim?: { by: string; at: number };
}

/**
 * Who a call is with: their number (however it was written: its strongest match key), so a call back
 * from any desk meets the missed calls, whether the caller had a card then or got one since. A withheld
 * caller cannot be called back: not in the queue.
 */
function callerKey(call: Interaction): string | undefined {
  const key = call.numberKeys.find((item) => item.startsWith('n:')) ?? call.numberKeys[0];
  return key ? `number:${key}` : undefined;
}

/** A call that reached the caller: answered, either way (a call back nobody picked up does not count). */
function reached(call: Interaction): boolean {
  return call.outcome === 'answered' || call.outcome === 'ended';
}

/** A queue entry someone dealt with: the call that reached the caller, and who made or took it. */
export interface ClosedEntry {
  key: string;
  cardId: string;
  number: string;
  /** The missed calls it closed. */
  calls: number;
  closedAt: number;
  /** 'call-back': someone called them back; 'answered': they called again and someone answered. */
  how: 'call-back' | 'answered';
  /** The extension that made the call back or answered (absent when the phone system did not say). */
  extension?: string;
}

function byCallerKey(calls: readonly Interaction[]): Map<string, Interaction[]> {
  const byCaller = new Map<string, Interaction[]>();
  for (const call of calls) {
    if (call.kind !== 'call' || call.direction === 'internal') continue;
    const key = callerKey(call);
    if (!key) continue;
    byCaller.set(key, [...(byCaller.get(key) ?? []), call]);
  }
  for (const list of byCaller.values()) list.sort((a, b) => a.at - b.at);
  return byCaller;
}

/**
 * The entries closed since `since`, newest first, and who closed each: the call back's extension (its
 * caller) or the extension that answered the caller's next call.
 */
export function closedEntries(calls: readonly Interaction[], since: number): ClosedEntry[] {
  const closed: ClosedEntry[] = [];
  for (const [key, list] of byCallerKey(calls)) {
    let open: Interaction[] = [];
    for (const call of list) {
      if (call.direction === 'inbound' && call.outcome === 'missed') {
        open.push(call);
        continue;
      }
      if (!reached(call)) continue;
      if (open.length > 0 && call.at >= since) {
        const how = call.direction === 'outbound' ? 'call-back' : 'answered';
        const extension = how === 'call-back' ? call.call?.from : call.call?.answeredBy;
        closed.push({
          key,
          cardId: call.cardId || open.at(-1)!.cardId,
          number: open.at(-1)!.number ?? '',
          calls: open.length,
          closedAt: call.at,
          how,
          ...(extension ? { extension } : {}),
        });
      }
      open = [];
    }
  }
  return closed.sort((a, b) => b.closedAt - a.closedAt);
}

export function missedQueue(calls: readonly Interaction[]): MissedEntry[] {
  const entries: MissedEntry[] = [];
  for (const [key, list] of byCallerKey(calls)) {
    let open: Interaction[] = [];
    for (const call of list) {
      if (call.direction === 'inbound' && call.outcome === 'missed') open.push(call);
      else if (reached(call)) open = [];
    }
    const latest = open.at(-1);
    if (!latest) continue;
    const claims = open
      .filter((call) => call.claimedAt !== undefined)
      .sort((a, b) => b.claimedAt! - a.claimedAt!);
    const claim = claims[0];
    entries.push({
      key,
      cardId: latest.cardId,
      number: latest.number ?? '',
      calls: open.length,
      lastAt: latest.at,
      latestId: latest.id,
      ...(claim ? { claim: { by: claim.claimedBy ?? '', at: claim.claimedAt! } } : {}),
    });
  }
  return entries.sort((a, b) => b.lastAt - a.lastAt);
}
