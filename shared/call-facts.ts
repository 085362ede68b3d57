/**
 * A call is a set of facts (when it started ringing, when it was answered, when it ended); its status is
 * derived from them. Merging takes the earliest time of each fact, so the same events in any order, or any
 * number of times, give the same call: idempotent and out-of-order safe on both sides of the socket.
 */
import { isWithheldCallerId } from './caller-id';
import { CALL_LIMITS, type CallEventInput, type CallSnapshot, type CallStatus } from './protocol';

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
    'endApproximate',
  ] as const) {
    if (snapshot[key] === undefined) delete snapshot[key];
  }
  snapshot.status = statusOf(snapshot);
  return snapshot;
}

function union(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  // Sorted, so the same facts in any order give the same snapshot; bounded, so one call that a PBX keeps
  // re-announcing with new extensions cannot grow without end (the lowest ones are kept: order-free).
  return [...new Set([...a, ...b])].sort().slice(0, CALL_LIMITS.extensions);
}

/** A caller that withheld their number in any event of the call stays withheld, name and all. */
function withheldFrom(a: CallSnapshot, b: CallSnapshot): boolean {
  const hidden = (call: CallSnapshot) => call.from !== '' && isWithheldCallerId(call.from);
  return a.direction !== 'outbound' && (hidden(a) || hidden(b));
}

/** Fold two views of the same call into one. */
export function mergeCalls(a: CallSnapshot, b: CallSnapshot): CallSnapshot {
  const withheld = withheldFrom(a, b);
  const endedAt = earliest(a.endedAt, b.endedAt);
  // Approximate only when the end that stands is the inferred one.
  const endApproximate =
    endedAt === undefined
      ? undefined
      : (a.endedAt === endedAt && a.endApproximate) || (b.endedAt === endedAt && b.endApproximate)
        ? true
        : undefined;
  return withStatus({
    callId: a.callId,
    direction: a.direction,
    from: withheld ? 'anonymous' : a.from || b.from,
    fromName: withheld ? undefined : a.fromName || b.fromName,
    to: a.to || b.to,
    // The lowest of the two: the same facts in any order name the same extension.
    extension:
      a.extension && b.extension
        ? a.extension < b.extension
          ? a.extension
          : b.extension
        : a.extension || b.extension,
    extensions: union(a.extensions, b.extensions),
    answeredBy: a.answeredBy || b.answeredBy,
    forwardedFrom: a.forwardedFrom || b.forwardedFrom,
    startedAt: Math.min(a.startedAt, b.startedAt),
    answeredAt: earliest(a.answeredAt, b.answeredAt),
    endedAt,
    endApproximate,
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
    endApproximate: event.state === 'ended' && event.endApproximate ? true : undefined,
  });
}

/** Seconds talked, once a call was answered and has ended. */
export function talkSeconds(call: CallSnapshot): number | undefined {
  if (call.answeredAt === undefined || call.endedAt === undefined) return undefined;
  return Math.max(0, Math.round((call.endedAt - call.answeredAt) / 1000));
}
