/**
 * The call state machine: ringing → answered → ended, or ringing → missed. Every PBX event for a call
 * (several channels, duplicates, late or reordered deliveries) folds into one snapshot per callId.
 * Only a change of the snapshot is news: a repeated event changes nothing and is not sent again.
 */
import { callFromEvent, mergeCalls } from '../shared/call-facts';
import type { CallEventInput, CallSnapshot } from '../shared/protocol';

/** Finished calls are forgotten after this long (a late duplicate then starts nothing new: see below). */
const FINISHED_RETENTION_MS = 6 * 60 * 60 * 1000;
/** A call still "ringing" or "answered" after this long is a PBX that never told us the end. */
const STALE_ACTIVE_MS = 12 * 60 * 60 * 1000;
const MAX_CALLS = 20_000;

export interface CallUpdate {
  call: CallSnapshot;
  /** The snapshot differs from what was known before this event. */
  changed: boolean;
  /** This event created the call. */
  isNew: boolean;
}

export class CallBook {
  private readonly calls = new Map<string, CallSnapshot>();
  private changes = 0;

  apply(event: CallEventInput, receivedAt: number): CallUpdate {
    return this.merge(callFromEvent(event, receivedAt));
  }

  /** Merge a snapshot (from an event, or from the journal at start-up). */
  merge(incoming: CallSnapshot): CallUpdate {
    const known = this.calls.get(incoming.callId);
    const call = known ? mergeCalls(known, incoming) : incoming;
    const changed = !known || JSON.stringify(known) !== JSON.stringify(call);
    if (changed) {
      // Re-insert so the Map's order stays "least recently changed first" for pruning.
      this.calls.delete(call.callId);
      this.calls.set(call.callId, call);
      // Constant work per event: past the cap the least recently changed call goes (the first key); the
      // age-based sweep, which reads every call, runs once per thousand changes.
      if (this.calls.size > MAX_CALLS) {
        const oldest = this.calls.keys().next().value;
        if (oldest !== undefined) this.calls.delete(oldest);
      }
      if (++this.changes % 1000 === 0) this.prune(Date.now());
    }
    return { call, changed, isNew: !known };
  }

  get(callId: string): CallSnapshot | undefined {
    return this.calls.get(callId);
  }

  get size(): number {
    return this.calls.size;
  }

  /** Calls that are ringing or in progress now. */
  active(): CallSnapshot[] {
    return [...this.calls.values()].filter((call) => call.status === 'ringing' || call.status === 'answered');
  }

  prune(now: number): void {
    for (const [callId, call] of this.calls) {
      const finished = call.endedAt !== undefined;
      const age = now - (call.endedAt ?? call.startedAt);
      if ((finished && age > FINISHED_RETENTION_MS) || age > STALE_ACTIVE_MS) this.calls.delete(callId);
    }
    // Still too many (a flood of distinct ids): drop the least recently changed.
    for (const callId of this.calls.keys()) {
      if (this.calls.size <= MAX_CALLS) break;
      this.calls.delete(callId);
    }
  }
}
