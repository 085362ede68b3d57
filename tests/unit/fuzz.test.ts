/**
 * Fuzzing every parser that reads the network or a user's file (AMI, SIP, webhooks, CSV, vCard) with
 * generated and adversarial input: none may throw anything but its own parse error, and none may hold the
 * event loop (a 60,000-space SIP display name once took 3.9 s in a backtracking regex). Budget: 50 ms for
 * one input of up to 64 KB, the best of two tries (a GC pause is not a parser's fault).
 */
import { describe, expect, it } from 'vitest';
import { AmiParser } from '../../bridge/sources/ami/parse';
import { DigestGuard, parseDigestParams } from '../../bridge/sources/sip/auth';
import { callerOf, callerWithheld } from '../../bridge/sources/sip/source';
import { parseNameAddr, parseSip, SipParseError } from '../../bridge/sources/sip/parse';
import { fromTwilio } from '../../bridge/sources/webhook';
import { CsvParser } from '../../shared/csv';
import { parseVCards } from '../../shared/vcard';
import { seededRandom } from '../helpers/random';

const BUDGET_MS = 50;

const ALPHABET = [
  ' ',
  '"',
  '<',
  '>',
  '@',
  ';',
  '=',
  ':',
  ',',
  '\\',
  '\r',
  '\n',
  '\r\n',
  '\t',
  'a',
  '0',
  '+',
  'ש',
  '😀',
  '%',
  '\u0000',
  'BEGIN:VCARD',
  'END:VCARD',
  'QUOTED-PRINTABLE',
  'base64',
];

function generated(random: () => number, size: number): string {
  let out = '';
  while (out.length < size) {
    const piece = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
    // Long runs of one piece are what backtracking and quadratic loops choke on.
    out += random() < 0.1 ? piece.repeat(Math.floor(random() * 5000)) : piece;
  }
  return out.slice(0, size);
}

function timed(
  name: string,
  input: string,
  run: (input: string) => void,
  allowed: (error: unknown) => boolean,
) {
  const once = () => {
    const start = performance.now();
    try {
      run(input);
    } catch (error) {
      if (!allowed(error))
        throw new Error(`${name} threw ${(error as Error).message} on ${JSON.stringify(input.slice(0, 80))}`);
    }
    return performance.now() - start;
  };
  const took = Math.min(once(), once());
  if (took > BUDGET_MS)
    throw new Error(
      `${name} held the event loop ${took.toFixed(1)} ms on an input of ${input.length} characters: ${JSON.stringify(input.slice(0, 80))}`,
    );
}

const ADVERSARIAL = [
  ' '.repeat(60_000),
  `"${' '.repeat(60_000)}`,
  `${' '.repeat(30_000)}<${' '.repeat(30_000)}`,
  '='.repeat(60_000),
  `${'"'.repeat(30_000)}`,
  `${'\\'.repeat(60_000)}`,
  `${';a='.repeat(15_000)}`,
  `${'a@'.repeat(30_000)}`,
  `${'\r\n '.repeat(20_000)}`,
];

function inputs(seed: number): string[] {
  const random = seededRandom(seed);
  const list = [...ADVERSARIAL];
  for (let index = 0; index < 150; index++) list.push(generated(random, Math.floor(random() * 64 * 1024)));
  return list;
}

const anyParseError = () => true;

describe('fuzz: no parser throws an unexpected error or holds the event loop', () => {
  it('AMI stream parser', () => {
    for (const input of inputs(1))
      timed(
        'AmiParser',
        input,
        (text) => {
          const parser = new AmiParser({ banner: () => {}, message: () => {}, error: () => {} });
          parser.feed(`Asterisk Call Manager/9.0.0\r\n${text}`);
          parser.feed(Buffer.from(text));
        },
        () => false,
      );
  });

  it('SIP messages and name-addr values', () => {
    for (const input of inputs(2)) {
      timed(
        'parseNameAddr',
        input,
        (text) => parseNameAddr(text),
        () => false,
      );
      const datagram = `INVITE sip:100@x SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nFrom: ${input.replace(/[\r\n]/g, ' ')}\r\nTo: <sip:100@x>\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nP-Asserted-Identity: ${input.replace(/[\r\n]/g, '')}\r\nPrivacy: ${input.slice(0, 1000).replace(/[\r\n]/g, '')}\r\n\r\n`;
      timed(
        'SIP INVITE',
        datagram,
        (text) => {
          const message = parseSip(text);
          callerOf(message);
          callerWithheld(message);
        },
        (error) => error instanceof SipParseError,
      );
      timed(
        'parseSip',
        input,
        (text) => parseSip(text),
        (error) => error instanceof SipParseError,
      );
    }
  });

  it('SIP digest answers (the authenticated member)', () => {
    const guard = new DigestGuard({ username: 'kesher', password: 'digest-secret-42' });
    for (const input of [...inputs(7), 'a'.repeat(64 * 1024), `${'a-'.repeat(30_000)}`]) {
      const flat = input.replace(/[\r\n]/g, ' ');
      timed(
        'parseDigestParams',
        `Digest ${flat}`,
        (text) => parseDigestParams(text),
        () => false,
      );
      const datagram = `INVITE sip:100@x SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nFrom: <sip:1@x>\r\nTo: <sip:100@x>\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nAuthorization: Digest ${flat}\r\n\r\n`;
      timed(
        'DigestGuard.verify',
        datagram,
        (text) => expect(guard.verify(parseSip(text)).ok).toBe(false),
        (error) => error instanceof SipParseError,
      );
    }
  });

  it('webhook bodies (Twilio form posts)', () => {
    for (const input of inputs(3)) {
      timed(
        'Twilio',
        input,
        (text) => {
          fromTwilio(Object.fromEntries(new URLSearchParams(text)));
          fromTwilio({
            CallSid: 'CA1',
            CallStatus: 'ringing',
            From: text,
            CallerName: text,
            Timestamp: text,
          });
        },
        () => false,
      );
    }
  });

  it('CSV', () => {
    for (const input of inputs(4))
      timed(
        'CsvParser',
        input,
        (text) => {
          const parser = new CsvParser(() => {});
          parser.feed(text);
          parser.end();
        },
        anyParseError,
      );
  });

  it('vCard', () => {
    for (const input of inputs(5)) {
      timed(
        'parseVCards',
        input,
        (text) => parseVCards(text),
        () => false,
      );
      timed(
        'parseVCards (inside a card)',
        `BEGIN:VCARD\r\nVERSION:2.1\r\nFN:${input}\r\nPHOTO;ENCODING=BASE64:${input}\r\nNOTE;ENCODING=QUOTED-PRINTABLE:${input}\r\nEND:VCARD\r\n`,
        (text) => parseVCards(text),
        () => false,
      );
    }
  });
});

describe('the SIP display name that stalled the bridge', () => {
  it('60,000 spaces: read, and no time lost', () => {
    const value = `${' '.repeat(60_000)}"x" <sip:+972541234567@carrier>`;
    expect(parseNameAddr(value).user).toBe('+972541234567');
  });
});
