/**
 * The SIP member's authenticated mode: every INVITE is challenged with HTTP digest (RFC 3261 §22.4, RFC
 * 2617, qop=auth, MD5 — what Asterisk's `outbound_auth` and other PBXs answer) and only an INVITE that proves
 * the shared password rings Kesher. A forged UDP source address no longer suffices.
 *
 * Nonces are stateless: `<issued, base 36>.<HMAC of issued time and Call-ID>` under a key made at start, valid
 * for 60 s and only for the call they were issued for, so a captured answer cannot ring a different call.
 * (A replay within the same Call-ID is the same call, which the call book counts once.)
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../../secret';
import { header, type SipMessage } from './parse';

export interface SipAuthConfig {
  username: string;
  password: string;
  /** Default "kesher". */
  realm?: string;
}

const NONCE_LIFETIME_MS = 60_000;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * `Digest a="b", c=d` → { a: 'b', c: 'd' } (keys lower-case); null when not a digest value. Read by index in
 * one pass: a backtracking pattern over a 64 KB header of letters took seconds.
 */
export function parseDigestParams(value: string): Record<string, string> | null {
  if (!/^Digest\s/i.test(value)) return null;
  const params: Record<string, string> = {};
  const text = value.slice(7);
  let index = 0;
  while (index < text.length) {
    while (index < text.length && (text[index] === ',' || text[index] === ' ' || text[index] === '\t'))
      index++;
    const equals = text.indexOf('=', index);
    if (equals < 0) break;
    const key = text.slice(index, equals).trim().toLowerCase();
    index = equals + 1;
    while (text[index] === ' ' || text[index] === '\t') index++;
    let val: string;
    if (text[index] === '"') {
      const close = text.indexOf('"', index + 1);
      const end = close < 0 ? text.length : close;
      val = text.slice(index + 1, end);
      index = end + 1;
    } else {
      const comma = text.indexOf(',', index);
      const end = comma < 0 ? text.length : comma;
      val = text.slice(index, end).trim();
      index = end;
    }
    if (/^[a-z-]{1,32}$/.test(key)) params[key] = val;
  }
  return params;
}

export type DigestVerdict =
  /** The INVITE proved the password. */
  | { ok: true }
  /** No answer yet, or one to an expired nonce: challenge (again). */
  | { ok: false; challenge: true; stale: boolean }
  /** A wrong user, password or a forged nonce: refuse. */
  | { ok: false; challenge: false; reason: string };

export class DigestGuard {
  private readonly key = randomBytes(32);
  readonly realm: string;

  constructor(private readonly config: SipAuthConfig) {
    this.realm = config.realm ?? 'kesher';
  }

  /** The WWW-Authenticate value for a 401 to this request. */
  challenge(message: SipMessage, now = Date.now(), stale = false): string {
    const nonce = this.nonce(header(message, 'call-id') ?? '', now);
    return `Digest realm="${this.realm}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  verify(message: SipMessage, now = Date.now()): DigestVerdict {
    const value = header(message, 'authorization');
    if (!value) return { ok: false, challenge: true, stale: false };
    const params = parseDigestParams(value);
    if (!params) return { ok: false, challenge: false, reason: 'not a digest answer' };
    if (params.username !== this.config.username)
      return { ok: false, challenge: false, reason: 'wrong user' };
    if (params.realm !== this.realm) return { ok: false, challenge: false, reason: 'wrong realm' };
    if (params.algorithm && params.algorithm.toUpperCase() !== 'MD5')
      return { ok: false, challenge: false, reason: `algorithm ${params.algorithm} is not offered` };
    const nonce = params.nonce ?? '';
    const issued = this.issuedAt(nonce, header(message, 'call-id') ?? '');
    if (issued === undefined)
      return { ok: false, challenge: false, reason: 'a nonce this bridge never issued' };
    if (!sameTarget(params.uri ?? '', message.uri ?? ''))
      return { ok: false, challenge: false, reason: 'the answer is for another URI' };
    const ha1 = md5(`${this.config.username}:${this.realm}:${this.config.password}`);
    const ha2 = md5(`${message.method}:${params.uri}`);
    let expected: string;
    if (params.qop) {
      if (params.qop !== 'auth' || !params.nc || !params.cnonce)
        return { ok: false, challenge: false, reason: 'qop=auth needs nc and cnonce' };
      expected = md5(`${ha1}:${nonce}:${params.nc}:${params.cnonce}:auth:${ha2}`);
    } else {
      expected = md5(`${ha1}:${nonce}:${ha2}`);
    }
    if (!sameSecret(expected, (params.response ?? '').toLowerCase()))
      return { ok: false, challenge: false, reason: 'wrong password' };
    // Right password, old nonce (a retransmission long after): ask again rather than refuse.
    if (now - issued > NONCE_LIFETIME_MS || issued > now + 1_000)
      return { ok: false, challenge: true, stale: true };
    return { ok: true };
  }

  private nonce(callId: string, now: number): string {
    const issued = now.toString(36);
    return `${issued}.${this.mac(issued, callId)}`;
  }

  private issuedAt(nonce: string, callId: string): number | undefined {
    const dot = nonce.indexOf('.');
    if (dot <= 0) return undefined;
    const issued = nonce.slice(0, dot);
    if (!sameSecret(this.mac(issued, callId), nonce.slice(dot + 1))) return undefined;
    const at = Number.parseInt(issued, 36);
    return Number.isFinite(at) ? at : undefined;
  }

  private mac(issued: string, callId: string): string {
    return createHmac('sha256', this.key).update(`${issued}\n${callId}`).digest('base64url').slice(0, 32);
  }
}

/**
 * The digest's uri names this request's target: the Request-URI itself, or (as sipp and a few phones write
 * it) just its host and port.
 */
function sameTarget(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  const hostPort = (uri: string) =>
    uri
      .replace(/^sips?:/i, '')
      .replace(/^[^@]*@/, '')
      .split(/[;?]/)[0]!
      .toLowerCase();
  return digestUri !== '' && hostPort(digestUri) === hostPort(requestUri);
}
