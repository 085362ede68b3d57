import { describe, expect, it } from 'vitest';
import { CallEventInputSchema, parseClientFrame, parseServerFrame, validate } from '../../../shared/protocol';

describe('call API input', () => {
  it('accepts a minimal ringing event', () => {
    expect(validate(CallEventInputSchema, { callId: 'a', state: 'ringing', from: '0541234567' })).toEqual({
      ok: true,
      value: { callId: 'a', state: 'ringing', from: '0541234567' },
    });
  });

  it.each([
    [{ state: 'ringing', from: '1' }, /callId/],
    [{ callId: '', state: 'ringing', from: '1' }, /callId is empty/],
    [{ callId: 'a', state: 'ring', from: '1' }, /state must be/],
    [{ callId: 'a', state: 'ringing' }, /from/],
    [{ callId: 'a', state: 'ringing', from: '1', at: -5 }, /at/],
    [{ callId: 'a', state: 'ringing', from: '1', extra: true }, /extra/],
    [{ callId: 'a', state: 'ringing', from: '1', direction: 'sideways' }, /direction/],
    [null, /object/i],
  ])('rejects %j with a reason', (input, reason) => {
    const result = validate(CallEventInputSchema, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('frames', () => {
  it.each([
    ['not json', /not JSON/],
    ['{"type":"nope"}', /type/],
    ['{"type":"hello","protocol":1}', /lastSeq/],
    ['{"type":"ack"}', /callId/],
    ['[]', /type/],
  ])('client frame %s is rejected: %s', (data, reason) => {
    const result = parseClientFrame(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('reads a hello and a call frame', () => {
    expect(parseClientFrame('{"type":"hello","protocol":1,"lastSeq":null,"journalId":null}').ok).toBe(true);
    const call = { callId: 'c', status: 'ringing', direction: 'inbound', from: '1', startedAt: 5 };
    const frame = parseServerFrame(
      JSON.stringify({ type: 'call', seq: 1, journalId: 'j', call, replay: false }),
    );
    expect(frame).toEqual({ ok: true, value: { type: 'call', seq: 1, journalId: 'j', call, replay: false } });
  });
});
