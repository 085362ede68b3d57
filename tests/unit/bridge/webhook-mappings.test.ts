/** How the cloud PBXs' webhook payloads become Kesher call events (the process test signs and posts them). */
import { describe, expect, it } from 'vitest';
import { fromAircall, fromTwilio } from '../../../bridge/sources/webhook';

describe('Twilio status callbacks', () => {
  const base = { CallSid: 'CA1', From: '+972541234567', To: '+97235550100', Direction: 'inbound' };
  it('maps each CallStatus to ringing, answered or ended, keeping the caller and the time', () => {
    expect(
      fromTwilio({
        ...base,
        CallStatus: 'ringing',
        CallerName: 'Dana',
        Timestamp: 'Wed, 02 Dec 2026 10:00:00 +0000',
      }),
    ).toEqual({
      callId: 'twilio-CA1',
      state: 'ringing',
      direction: 'inbound',
      from: '+972541234567',
      fromName: 'Dana',
      to: '+97235550100',
      at: Date.parse('2026-12-02T10:00:00Z'),
    });
    expect(fromTwilio({ ...base, CallStatus: 'in-progress' })).toMatchObject({ state: 'answered' });
    for (const status of ['completed', 'busy', 'no-answer', 'canceled', 'failed'])
      expect(fromTwilio({ ...base, CallStatus: status }), status).toMatchObject({ state: 'ended' });
  });
  it('a child leg is the same call as its parent (one pop, one log entry)', () => {
    expect(
      fromTwilio({ ...base, CallSid: 'CA2', ParentCallSid: 'CA1', CallStatus: 'ringing' }),
    ).toMatchObject({
      callId: 'twilio-CA1',
    });
  });
  it('a caller without caller id, in words spelled on the keypad, is withheld; outbound calls are outbound', () => {
    expect(fromTwilio({ ...base, From: '+266696687', CallStatus: 'ringing' })).toMatchObject({
      withheld: true,
    });
    expect(fromTwilio({ ...base, From: '+7378742833', CallStatus: 'ringing' })).toMatchObject({
      withheld: true,
    });
    expect(fromTwilio({ ...base, Direction: 'outbound-api', CallStatus: 'ringing' })).toMatchObject({
      direction: 'outbound',
      withheld: undefined,
    });
  });
  it('says what is wrong with a payload it cannot map', () => {
    expect(fromTwilio({ CallStatus: 'ringing' })).toBe('CallSid is missing');
    expect(fromTwilio({ CallSid: 'CA1', CallStatus: 'teleported' })).toBe('unknown CallStatus "teleported"');
  });
});

describe('Aircall webhooks', () => {
  const event = (name: string, data: Record<string, unknown>) =>
    ({
      event: name,
      token: 't',
      data: { id: 42, direction: 'inbound', raw_digits: '+972 54-123-4567', ...data },
    }) as never;
  it('maps created, ringing on an agent, answered and ended, with the contact’s name and seconds as ms', () => {
    expect(
      fromAircall(
        event('call.created', {
          started_at: 1_800_000_000,
          contact: { first_name: 'Noa', last_name: 'Cohen' },
          number: { digits: '+972 3-555-0100' },
        }),
      ),
    ).toEqual({
      callId: 'aircall-42',
      state: 'ringing',
      direction: 'inbound',
      from: '+972 54-123-4567',
      fromName: 'Noa Cohen',
      to: '+972 3-555-0100',
      at: 1_800_000_000_000,
    });
    expect(fromAircall(event('call.ringing_on_agent', {}))).toMatchObject({ state: 'ringing' });
    expect(fromAircall(event('call.answered', { answered_at: 1_800_000_010 }))).toMatchObject({
      state: 'answered',
      at: 1_800_000_010_000,
    });
    expect(fromAircall(event('call.ended', { ended_at: 1_800_000_070 }))).toMatchObject({
      state: 'ended',
      at: 1_800_000_070_000,
    });
  });
  it('an outbound call’s customer is the number dialled; events that are not call states are ignored', () => {
    expect(fromAircall(event('call.created', { direction: 'outbound' }))).toMatchObject({
      direction: 'outbound',
      from: '',
      to: '+972 54-123-4567',
    });
    expect(fromAircall(event('call.tagged', {}))).toBeNull();
  });
});
