/**
 * REGISTER with digest authentication (RFC 3261 §22, RFC 2617), so a PBX that only rings registered
 * devices can ring the bridge. Refreshes before expiry; a refused password is reported in plain words.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseDigestParams } from './auth';
import { header, parseNameAddr, type SipMessage } from './parse';

export interface RegistrationConfig {
  /** host[:port] of the PBX's registrar. */
  registrar: string;
  username: string;
  password: string;
  /** SIP domain (default: the registrar's host). */
  domain?: string;
  /** Seconds (default 300). */
  expires?: number;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
}

export function parseChallenge(value: string): DigestChallenge | null {
  const params = parseDigestParams(value);
  if (!params?.realm || !params.nonce) return null;
  return {
    realm: params.realm,
    nonce: params.nonce,
    qop: params.qop,
    opaque: params.opaque,
    algorithm: params.algorithm,
  };
}

/** The Authorization header value answering a digest challenge. */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: { username: string; password: string },
  method: string,
  uri: string,
  cnonce = randomBytes(8).toString('hex'),
  nc = '00000001',
): string {
  const ha1 = md5(`${credentials.username}:${challenge.realm}:${credentials.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = challenge.qop
    ?.split(',')
    .map((item) => item.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const response = qop
    ? md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username="${credentials.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

export class SipRegistration {
  private readonly callId = `${randomBytes(8).toString('hex')}@kesher`;
  private readonly fromTag = randomBytes(6).toString('hex');
  private cseq = 0;
  private timer?: NodeJS.Timeout;
  private lastBranch = '';
  private triedNonce = '';
  private readonly target: { host: string; port: number };
  private readonly domain: string;

  constructor(
    private readonly config: RegistrationConfig,
    private readonly local: { host: string; port: number },
    private readonly send: (data: string, target: { host: string; port: number }) => void,
    private readonly onStatus: (state: string, detail: string) => void,
  ) {
    const [host, port] = config.registrar.split(':');
    this.target = { host: host!, port: port ? Number(port) : 5060 };
    this.domain = config.domain ?? this.target.host;
  }

  start(): void {
    this.onStatus('registering', `SIP: registering as ${this.config.username} at ${this.config.registrar}`);
    this.register();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Returns true when the response belonged to this registration. */
  handleResponse(message: SipMessage): boolean {
    if (header(message, 'call-id') !== this.callId) return false;
    const status = message.status ?? 0;
    if (status < 200) return true;
    clearTimeout(this.timer);
    if (status === 401 || status === 407) {
      const challenge = parseChallenge(
        header(message, status === 401 ? 'www-authenticate' : 'proxy-authenticate') ?? '',
      );
      if (!challenge || challenge.nonce === this.triedNonce) {
        this.onStatus(
          'register-refused',
          `SIP registration refused: check the username and password for ${this.config.username} on the PBX`,
        );
        this.schedule(60_000);
        return true;
      }
      this.triedNonce = challenge.nonce;
      this.register({ name: status === 401 ? 'Authorization' : 'Proxy-Authorization', challenge });
      return true;
    }
    if (status >= 200 && status < 300) {
      const contact = header(message, 'contact');
      const granted = Number(
        (contact ? parseNameAddr(contact).params.expires : undefined) ??
          header(message, 'expires') ??
          this.config.expires ??
          300,
      );
      this.triedNonce = '';
      this.onStatus(
        'ready',
        `SIP: registered as ${this.config.username} at ${this.config.registrar} (udp ${this.local.host}:${this.local.port})`,
      );
      this.schedule(Math.max(10, granted * 0.8) * 1000);
      return true;
    }
    this.onStatus('register-refused', `SIP registration failed: ${status} ${message.reason ?? ''}`.trim());
    this.schedule(60_000);
    return true;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.register(), ms);
    this.timer.unref();
  }

  private register(auth?: { name: string; challenge: DigestChallenge }): void {
    const uri = `sip:${this.domain}`;
    this.cseq++;
    this.lastBranch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    const aor = `<sip:${this.config.username}@${this.domain}>`;
    const lines = [
      `REGISTER ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.local.host}:${this.local.port};branch=${this.lastBranch};rport`,
      `From: ${aor};tag=${this.fromTag}`,
      `To: ${aor}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq} REGISTER`,
      `Contact: <sip:${this.config.username}@${this.local.host}:${this.local.port}>`,
      `Expires: ${this.config.expires ?? 300}`,
      'Max-Forwards: 70',
      'User-Agent: Kesher',
    ];
    if (auth)
      lines.push(`${auth.name}: ${digestAuthorization(auth.challenge, this.config, 'REGISTER', uri)}`);
    lines.push('Content-Length: 0');
    this.send(`${lines.join('\r\n')}\r\n\r\n`, this.target);
    // No answer: the registrar is down or unreachable; try again.
    this.timer = setTimeout(() => {
      this.onStatus('registering', `SIP: no answer from the registrar ${this.config.registrar}; retrying`);
      this.register();
    }, 5_000);
    this.timer.unref();
  }
}
