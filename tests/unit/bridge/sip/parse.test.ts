import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseChallenge } from '../../../../bridge/sources/sip/register';
import { header, parseCSeq, parseNameAddr, parseSip } from '../../../../bridge/sources/sip/parse';
import { callerOf } from '../../../../bridge/sources/sip/source';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/sip', name), 'utf8')
    .replace(/^#.*\n/, '')
    .replace(/\r?\n/g, '\r\n');

describe('SIP parsing', () => {
  it('reads the carrier INVITE: caller from P-Asserted-Identity, Diversion kept', () => {
    const invite = parseSip(fixture('carrier-invite-pai-diversion.txt'));
    expect(invite).toMatchObject({ kind: 'request', method: 'INVITE', uri: 'sip:4930555000@127.0.0.1:5060' });
    expect(callerOf(invite)).toEqual({ number: '+493012345678', name: 'Alice Customer PAI' });
    expect(parseNameAddr(header(invite, 'diversion')!).user).toBe('+4930555999');
    expect(invite.body).toMatch(/^v=0/);
  });

  it('falls back to From when there is no identity header (sipp uac)', () => {
    const invite = parseSip(fixture('sipp-uac-invite.txt'));
    expect(callerOf(invite)).toEqual({ number: 'sipp', name: 'sipp' });
    expect(parseNameAddr(header(invite, 'to')!).user).toBe('100');
  });

  it.each([
    [
      '"Dana \\"D\\" Levi" <sip:+972541234567@pbx;user=phone>;tag=1',
      'Dana "D" Levi',
      '+972541234567',
      { tag: '1' },
    ],
    ['<tel:+302101234567>', undefined, '+302101234567', {}],
    ['sip:100@10.0.0.1;tag=x', undefined, '100', { tag: 'x' }],
    ['Ελένη <sip:6912345678@pbx>', 'Ελένη', '6912345678', {}],
  ])('name-addr %s', (value, display, user, params) => {
    expect(parseNameAddr(value)).toMatchObject({ display, user, params });
  });

  it('understands compact headers and folded lines', () => {
    const message = parseSip(
      'INVITE sip:1@h SIP/2.0\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\r\nf: <sip:2@h>;tag=1\r\nt: <sip:1@h>\r\ni: abc\r\nSubject: first\r\n  second\r\nCSeq: 7 INVITE\r\n\r\n',
    );
    expect(message.headers.get('via')).toHaveLength(2);
    expect(header(message, 'call-id')).toBe('abc');
    expect(header(message, 'subject')).toBe('first second');
    expect(parseCSeq(header(message, 'cseq')!)).toEqual({ seq: 7, method: 'INVITE' });
  });

  it.each([
    ['', /empty/],
    ['HELLO', /start line/],
    ['INVITE sip:x SIP/2.0\r\nVia: x\r\n\r\n', /missing call-id/],
    ['INVITE sip:x SIP/2.0\r\nbad line\r\n\r\n', /malformed header/],
  ])('rejects %j with a reason', (text, reason) => {
    expect(() => parseSip(text)).toThrow(reason);
  });
});

describe('digest authentication', () => {
  it('matches the RFC 2617 example', () => {
    const challenge = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const value = digestAuthorization(
      challenge,
      { username: 'Mufasa', password: 'Circle Of Life' },
      'GET',
      '/dir/index.html',
      '0a4f113b',
    );
    expect(value).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(value).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('ignores challenges that are not digest', () => {
    expect(parseChallenge('Basic realm="x"')).toBeNull();
  });
});
