/**
 * A call is a set of facts (when it started ringing, when it was answered, when it ended); its status is
 * derived from them. Merging takes the earliest time of each fact, so the same events in any order, or any
 * number of times, give the same call: idempotent and out-of-order safe on both sides of the socket.
 */
import type { CallEventInput, CallSnapshot, CallStatus } from './protocol';

export function statusOf(call: Pick<CallSnapshot, 'answeredAt' | 'endedAt'>): CallStatus {
  if (call.endedAt !== undefined) return call.answeredAt !== undefined ? 'ended' : 'missed';
  return call.answeredAt !== undefined ? 'answered' : 'ringing';
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function withStatus(call: Omit<CallSnapshot, 'status'>): CallSnapshot {
  const snapshot: CallSnapshot = { ...call, status: 'ringing' };
  for (const key of [
    'fromName',
    'to',
    'extension',
    'extensions',
    'answeredBy',
    'forwardedFrom',
    'answeredAt',
    'endedAt',
  ] as const) {
    if (snapshot[key] === undefined) delete snapshot[key];
  }
  snapshot.status = statusOf(snapshot);
  return snapshot;
}

function union(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  // Sorted, so the same facts in any order give the same snapshot.
  return [...new Set([...a, ...b])].sort();
}

/** Fold two views of the same call into one. */
export function mergeCalls(a: CallSnapshot, b: CallSnapshot): CallSnapshot {
  return withStatus({
    callId: a.callId,
    direction: a.direction,
    from: a.from || b.from,
    fromName: a.fromName || b.fromName,
    to: a.to || b.to,
    extension: a.extension || b.extension,
    extensions: union(a.extensions, b.extensions),
    answeredBy: a.answeredBy || b.answeredBy,
    forwardedFrom: a.forwardedFrom || b.forwardedFrom,
    startedAt: Math.min(a.startedAt, b.startedAt),
    answeredAt: earliest(a.answeredAt, b.answeredAt),
    endedAt: earliest(a.endedAt, b.endedAt),
  });
}

/** The call as one event alone describes it. */
export function callFromEvent(event: CallEventInput, receivedAt: number): CallSnapshot {
  const at = event.at ?? receivedAt;
  return withStatus({
    callId: event.callId,
    direction: event.direction ?? 'inbound',
    from: event.from,
    fromName: event.fromName,
    to: event.to,
    extension: event.extension,
    extensions: event.extension ? [event.extension] : undefined,
    answeredBy: event.state === 'answered' ? event.answeredBy : undefined,
    forwardedFrom: event.forwardedFrom,
    startedAt: at,
    answeredAt: event.state === 'answered' ? at : undefined,
    endedAt: event.state === 'ended' ? at : undefined,
  });
}

/** Seconds talked, once a call was answered and has ended. */
export function talkSeconds(call: CallSnapshot): number | undefined {
  if (call.answeredAt === undefined || call.endedAt === undefined) return undefined;
  return Math.max(0, Math.round((call.endedAt - call.answeredAt) / 1000));
}
