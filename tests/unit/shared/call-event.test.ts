/**
 * The bridge's one door for call events: odd values are cut and cleaned, never a reason to lose a call,
 * and whatever any source produces, the frame the bridge sends is one the extension's parser accepts.
 */
import { describe, expect, it } from 'vitest';
import { CallBook } from '../../../bridge/calls';
import { AmiCallTracker } from '../../../bridge/sources/ami/call-tracker';
import { AmiParser } from '../../../bridge/sources/ami/parse';
import { callerOf, callerWithheld } from '../../../bridge/sources/sip/source';
import { parseSip } from '../../../bridge/sources/sip/parse';
import { fromAircall, fromTwilio } from '../../../bridge/sources/webhook';
import { normaliseCallEvent } from '../../../shared/call-event';
import { type CallEventInput, parseServerFrame } from '../../../shared/protocol';
import { seededRandom } from '../../helpers/random';

const NOW = Date.UTC(2026, 11, 1, 12);

describe('normaliseCallEvent', () => {
  it('cuts a 300-character caller name and removes control and bidi-override characters', () => {
    const name = `Dana\u202e\u0007 ${'x'.repeat(300)}`;
    const clean = normaliseCallEvent(
      { callId: 'a', state: 'ringing', from: '0541234567', fromName: name },
      NOW,
    );
    expect(clean.fromName!.length).toBeLessThanOrEqual(100);
    expect(clean.fromName).toMatch(/^Dana x+$/);
  });

  it('shortens a 254-character SIP Call-ID to a stable id, the same for every event of the call', () => {
    const long = `sip-${'a1b2c3'.repeat(42)}@carrier`;
    const first = normaliseCallEvent({ callId: long, state: 'ringing', from: '1' }, NOW).callId;
    const second = normaliseCallEvent({ callId: long, state: 'ended', from: '1' }, NOW).callId;
    const other = normaliseCallEvent({ callId: `${long}x`, state: 'ended', from: '1' }, NOW).callId;
    expect(first.length).toBeLessThanOrEqual(200);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });

  it.each([
    [1e300, undefined],
    [-5, undefined],
    [NOW - 60_000, NOW - 60_000],
    [NOW + 3_600_000, undefined],
    [Number.NaN, undefined],
  ])('an event time of %s becomes %s (the receipt when absent)', (at, expected) => {
    expect(normaliseCallEvent({ callId: 'a', state: 'ringing', from: '1', at }, NOW).at).toBe(expected);
  });

  it('a withheld caller keeps neither number nor name', () => {
    expect(
      normaliseCallEvent(
        { callId: 'a', state: 'ringing', from: '+972541112222', fromName: 'Secret', withheld: true },
        NOW,
      ),
    ).toEqual({ callId: 'a', state: 'ringing', from: 'anonymous', withheld: true });
  });
});

/** Deterministic random input: every kind of character a network may send, and sizes past every limit. */
function generator(seed: number) {
  const next = seededRandom(seed);
  const pieces = [
    '0',
    '5',
    '+',
    ' ',
    '-',
    '(',
    ')',
    'a',
    'Z',
    'ש',
    'Ω',
    '😀',
    '\u202e',
    '\u0000',
    '\r',
    '\n',
    '"',
    '<',
    '>',
    '@',
    ';',
    '=',
    '\\',
    ':',
    '\t',
    '\u00a0',
    '\ud800',
  ];
  const text = (max = 400): string => {
    const length = Math.floor(next() ** 3 * max);
    let out = '';
    for (let index = 0; index < length; index++) out += pieces[Math.floor(next() * pieces.length)];
    return out;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const number = () => pick([Date.now(), 1e300, -1, 0, Number.MAX_SAFE_INTEGER, 1_700_000_000, 12.5]);
  return { next, text, pick, number };
}

function assertFramesParse(events: CallEventInput[]): void {
  const book = new CallBook();
  let seq = 0;
  for (const event of events) {
    const update = book.apply(normaliseCallEvent(event, NOW), NOW);
    const frame = { type: 'call', seq: ++seq, journalId: 'j', call: update.call, replay: false };
    const parsed = parseServerFrame(JSON.stringify(frame));
    if (!parsed.ok) throw new Error(`${parsed.reason} for ${JSON.stringify(event).slice(0, 300)}`);
  }
}

describe('every source, generated input: the extension accepts every frame', () => {
  it('Twilio status callbacks', () => {
    const random = generator(1);
    const events: CallEventInput[] = [];
    for (let index = 0; index < 2000; index++) {
      const event = fromTwilio({
        CallSid: `CA${random.text(300)}x`,
        CallStatus: random.pick(['ringing', 'in-progress', 'completed', 'no-answer']),
        From: random.text(300),
        To: random.text(300),
        CallerName: random.text(300),
        Direction: random.pick(['inbound', 'outbound-api']),
        Timestamp: random.pick(['', 'Mon, 01 Dec 2026 12:00:00 +0000', 'garbage', '+275760-09-13']),
      });
      if (typeof event !== 'string') events.push(event);
    }
    assertFramesParse(events);
  });

  it('Aircall webhooks', () => {
    const random = generator(2);
    const events: CallEventInput[] = [];
    for (let index = 0; index < 2000; index++) {
      const event = fromAircall({
        event: random.pick(['call.created', 'call.answered', 'call.ended']),
        token: 't',
        data: {
          id: random.text(300) || 1,
          direction: random.pick(['inbound', 'outbound']),
          raw_digits: random.text(300),
          started_at: random.number(),
          answered_at: random.number(),
          ended_at: random.number(),
          number: { digits: random.text(300) },
          contact: { first_name: random.text(300), last_name: random.text(300) },
        },
      });
      if (event) events.push(event);
    }
    assertFramesParse(events);
  });

  it('SIP INVITEs', () => {
    const random = generator(3);
    const events: CallEventInput[] = [];
    for (let index = 0; index < 2000; index++) {
      const datagram = [
        'INVITE sip:100@127.0.0.1 SIP/2.0',
        'Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1',
        `From: "${random.text(300).replace(/[\r\n"]/g, '')}" <sip:${random.text(80).replace(/[\r\n<>@]/g, '')}@x>;tag=1`,
        `To: <sip:${random.text(60).replace(/[\r\n<>@]/g, '')}@127.0.0.1>`,
        `Call-ID: ${random.text(300).replace(/[\r\n]/g, '') || 'x'}`,
        'CSeq: 1 INVITE',
        `P-Asserted-Identity: ${random.text(300).replace(/[\r\n]/g, '')}`,
        '',
        '',
      ].join('\r\n');
      let message: ReturnType<typeof parseSip>;
      try {
        message = parseSip(datagram);
      } catch {
        continue;
      }
      const caller = callerOf(message);
      events.push({
        callId: `sip-${message.headers.get('call-id')![0]}`,
        state: 'ringing',
        from: caller.number,
        fromName: caller.name,
        withheld: callerWithheld(message) || undefined,
      });
    }
    expect(events.length).toBeGreaterThan(100);
    assertFramesParse(events);
  });

  it('AMI events', () => {
    const random = generator(4);
    const events: CallEventInput[] = [];
    const tracker = new AmiCallTracker((event) => events.push(event), { now: () => NOW });
    const parser = new AmiParser({
      banner: () => {},
      error: () => {},
      message: (message) => tracker.handle(message),
    });
    parser.feed('Asterisk Call Manager/9.0.0\r\n');
    for (let index = 0; index < 2000; index++) {
      const id = String(index % 50);
      const clean = (value: string) => value.replace(/[\r\n]/g, '');
      const fields = {
        Event: random.pick(['Newchannel', 'DialBegin', 'DialEnd', 'Hangup']),
        Channel: clean(random.pick(['SIP/carrier-1', 'Local/100@ext-local-1;2', random.text(100)])),
        CallerIDNum: clean(random.text(300)),
        CallerIDName: clean(random.text(300)),
        ConnectedLineNum: clean(random.text(100)),
        Exten: clean(random.text(100)),
        Uniqueid: random.pick([id, `${id}.1`]),
        Linkedid: id,
        DestCallerIDNum: clean(random.pick(['100', '101', random.text(300)])),
        DialString: clean(random.text(300)),
        DialStatus: random.pick(['ANSWER', 'CANCEL']),
        Timestamp: String(random.number()),
      };
      parser.feed(
        `${Object.entries(fields)
          .map(([key, value]) => `${key}: ${value}`)
          .join('\r\n')}\r\n\r\n`,
      );
    }
    expect(events.length).toBeGreaterThan(100);
    assertFramesParse(events);
  });
});
