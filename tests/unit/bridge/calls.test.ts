import { describe, expect, it } from 'vitest';
import { CallBook } from '../../../bridge/calls';
import type { CallEventInput } from '../../../shared/protocol';

const ring = (at: number): CallEventInput => ({ callId: 'c1', state: 'ringing', from: '0541234567', at });
const answer = (at: number): CallEventInput => ({ callId: 'c1', state: 'answered', from: '0541234567', at });
const end = (at: number): CallEventInput => ({ callId: 'c1', state: 'ended', from: '0541234567', at });

function run(events: CallEventInput[]) {
  const book = new CallBook();
  const updates = events.map((event) => book.apply(event, 0));
  return { book, updates, call: book.get('c1')! };
}

describe('call state machine', () => {
  it('ringing → answered → ended, with talk time', () => {
    const { updates, call } = run([ring(1000), answer(3000), end(63_000)]);
    expect(updates.map((update) => update.call.status)).toEqual(['ringing', 'answered', 'ended']);
    expect(call).toMatchObject({ startedAt: 1000, answeredAt: 3000, endedAt: 63_000 });
  });

  it('ringing → ended without an answer is missed', () => {
    expect(run([ring(1000), end(9000)]).call.status).toBe('missed');
  });

  it('a repeated event changes nothing and is not news', () => {
    const { updates } = run([ring(1000), ring(1000), answer(2000), answer(2000)]);
    expect(updates.map((update) => update.changed)).toEqual([true, false, true, false]);
  });

  it.each([
    [[end(9000), answer(3000), ring(1000)]],
    [[answer(3000), end(9000), ring(1000)]],
    [[ring(1000), end(9000), answer(3000)]],
  ])('any order of the same events gives the same call (%#)', (events) => {
    expect(run(events).call).toEqual(run([ring(1000), answer(3000), end(9000)]).call);
  });

  it('a late ringing after the end does not bring the call back', () => {
    const { call } = run([ring(1000), end(5000), ring(1000)]);
    expect(call.status).toBe('missed');
  });

  it('keeps a caller name that arrives later', () => {
    const { call } = run([ring(1000), { ...answer(2000), fromName: 'Dana' }]);
    expect(call.fromName).toBe('Dana');
  });
});
