/**
 * The office's missed-call queue, from the call log: one entry per caller (however the number was
 * written), closed by an answered call either way, never by a call back nobody picked up.
 */
import { describe, expect, it } from 'vitest';
import { callInteraction } from '../../../shared/call-log';
import type { CallSnapshot } from '../../../shared/protocol';
import type { Interaction } from '../../../shared/records';
import { closedEntries, missedQueue } from '../../../extension/features/today/missed-queue';

const IL = { defaultCountry: 'IL' as const };
let clock = 1_800_000_000_000;

function call(
  direction: CallSnapshot['direction'],
  number: string,
  outcome: 'missed' | 'ended',
  extra: Partial<Interaction> = {},
): Interaction {
  clock += 60_000;
  const callId = `c${clock}`;
  const snapshot: CallSnapshot = {
    callId,
    direction,
    ...(direction === 'outbound' ? { from: '101', to: number } : { from: number }),
    status: outcome,
    startedAt: clock,
    ...(outcome === 'ended' ? { answeredAt: clock + 1000 } : {}),
    endedAt: clock + 5000,
  };
  return { ...callInteraction(undefined, snapshot, IL), ...extra };
}

describe('the missed-call queue', () => {
  it('keeps one entry per caller, whichever way the number was written, newest first, with its count', () => {
    const entries = missedQueue([
      call('inbound', '+972 3-777-1234', 'missed'),
      call('inbound', '052-111-2233', 'missed'),
      call('inbound', '037771234', 'missed'),
      call('inbound', 'anonymous', 'missed'),
    ]);
    expect(entries.map((entry) => [entry.number, entry.calls])).toEqual([
      ['037771234', 2],
      ['052-111-2233', 1],
    ]);
  });

  it('closes when the caller is reached either way; a call back nobody answered leaves it open', () => {
    const missed = call('inbound', '03-777-1234', 'missed');
    const tried = call('outbound', '+97237771234', 'missed');
    expect(tried.outcome).toBe('not-answered');
    expect(missedQueue([missed, tried]).map((entry) => entry.calls)).toEqual([1]);
    expect(missedQueue([missed, tried, call('outbound', '03-777-1234', 'ended')])).toEqual([]);
    expect(missedQueue([missed, call('inbound', '037771234', 'ended')])).toEqual([]);
    // Missed again after being reached: a new entry, counting only the calls since.
    const answered = call('inbound', '037771234', 'ended');
    const again = call('inbound', '037771234', 'missed');
    expect(missedQueue([again, missed, answered]).map((entry) => entry.calls)).toEqual([1]);
  });

  it('shows the latest claim on any of its calls', () => {
    const first = call('inbound', '03-777-1234', 'missed', { claimedBy: 'Noa Cohen', claimedAt: 5 });
    const second = call('inbound', '03-777-1234', 'missed');
    expect(missedQueue([first, second])[0]).toMatchObject({
      calls: 2,
      latestId: second.id,
      claim: { by: 'Noa Cohen', at: 5 },
    });
  });

  it('records who closed an entry: the extension that called back, or that answered the caller’s next call', () => {
    const since = clock;
    const calls = [
      call('inbound', '03-777-1234', 'missed'),
      call('inbound', '03-777-1234', 'missed'),
      call('outbound', '+972 3 777 1234', 'ended'),
      call('inbound', '052-111-2233', 'missed'),
      { ...call('inbound', '052-111-2233', 'ended'), call: undefined } as Interaction,
      call('inbound', '054-000-0000', 'missed'),
    ];
    const withAnswer = calls.map((item) =>
      item.number === '052-111-2233' && item.outcome === 'ended'
        ? { ...item, call: { ...calls[0]!.call!, answeredBy: '102' } }
        : item,
    );
    expect(
      closedEntries(withAnswer, since).map((entry) => [
        entry.number,
        entry.calls,
        entry.how,
        entry.extension,
      ]),
    ).toEqual([
      ['052-111-2233', 1, 'answered', '102'],
      ['03-777-1234', 2, 'call-back', '101'],
    ]);
    // Closed before `since`: not today's business.
    expect(closedEntries(withAnswer, clock + 1)).toEqual([]);
  });
});
