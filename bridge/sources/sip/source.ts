/**
 * SIP, for PBXs without AMI (3CX, hosted PBXs): the bridge is a device the PBX rings in parallel with the
 * real phones, a ring-group member that never answers. An INVITE gets 180 Ringing and becomes a ringing
 * call; CANCEL (with 487 for the INVITE) or BYE ends it. Retransmissions are answered again, never counted
 * twice. Optionally the bridge REGISTERs with the PBX (digest auth) so it can be a member at all.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { SourceHooks } from '../types';
import { DigestGuard, type SipAuthConfig } from './auth';
import { header, parseCSeq, parseNameAddr, parseSip, type SipMessage, SipParseError } from './parse';
import { type RegistrationConfig, SipRegistration } from './register';

export interface SipSourceConfig {
  /** host:port to listen on (UDP), e.g. "0.0.0.0:5070". */
  listen: string;
  /** The extension this member stands for in "who gets the pop" (default: the called user). */
  extension?: string;
  /** Only these addresses may ring us (the PBX); empty: any (fine on loopback, risky on a LAN). */
  allowFrom?: string[];
  /** Authenticated mode: every INVITE must answer a digest challenge with this user and password. */
  auth?: SipAuthConfig;
  register?: RegistrationConfig;
}

export type SipHooks = SourceHooks;

interface Dialog {
  cseq: number;
  toTag: string;
  state: 'ringing' | 'terminated';
  /** The last final or provisional response to the INVITE, resent on retransmission. */
  lastResponse: string;
  updatedAt: number;
}

const RINGING_LIMIT_MS = 10 * 60 * 1000;
const TERMINATED_KEEP_MS = 32_000;
const MAX_DIALOGS = 2000;

export function splitHostPort(value: string, defaultPort: number): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(value.trim());
  if (!match?.[1]) throw new Error(`"${value}" is not host:port`);
  return { host: match[1], port: match[2] ? Number(match[2]) : defaultPort };
}

function tag(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Whether the caller asked not to be shown (what the desk phones show as "Anonymous"): a Privacy header
 * of id, user or header (RFC 3323/3325), a Remote-Party-ID with privacy=full/name/uri, or a From of
 * anonymous (the carrier withholding while the number rides in P-Asserted-Identity for the PBX alone).
 */
export function callerWithheld(message: SipMessage): boolean {
  const privacy = (message.headers.get('privacy') ?? []).join(';').toLowerCase();
  if (/(^|[;,\s])(id|user|header)($|[;,\s])/.test(privacy)) return true;
  const rpid = header(message, 'remote-party-id');
  if (rpid && /^(full|name|uri)$/i.test(parseNameAddr(rpid).params.privacy ?? '')) return true;
  const from = parseNameAddr(header(message, 'from') ?? '');
  return (
    /^anonymous$/i.test(from.user ?? '') || /(^|\.)anonymous\.invalid$/i.test(from.uri.split('@')[1] ?? '')
  );
}

/** The caller: P-Asserted-Identity, then Remote-Party-ID, then From. */
export function callerOf(message: SipMessage): { number: string; name?: string } {
  for (const name of ['p-asserted-identity', 'remote-party-id', 'from']) {
    const value = header(message, name);
    if (!value) continue;
    const address = parseNameAddr(value);
    if (address.user) return { number: address.user, name: address.display };
  }
  return { number: '' };
}

export class SipSource {
  private socket?: Socket;
  private readonly dialogs = new Map<string, Dialog>();
  private sweeper?: NodeJS.Timeout;
  private registration?: SipRegistration;
  private malformed = 0;
  private refused = 0;
  private readonly guard?: DigestGuard;
  private local = { host: '127.0.0.1', port: 0 };

  constructor(
    private readonly config: SipSourceConfig,
    private readonly hooks: SipHooks,
  ) {
    if (config.auth) this.guard = new DigestGuard(config.auth);
  }

  get address(): { host: string; port: number } {
    return this.local;
  }

  async start(): Promise<{ host: string; port: number }> {
    const { host, port } = splitHostPort(this.config.listen, 5070);
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('message', (data, remote) => this.receive(data, remote));
    socket.on('error', (error) => this.report('error', `SIP: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.local = { host, port: socket.address().port };
    this.sweeper = setInterval(() => this.sweep(Date.now()), 5_000);
    this.sweeper.unref();
    const open =
      !this.guard && !this.config.allowFrom?.length && !['127.0.0.1', '::1', 'localhost'].includes(host);
    if (open) {
      this.hooks.warn(
        `SIP: listening on ${host} without allowFrom: anyone who can reach this port can ring Kesher`,
      );
    }
    if (this.config.register) {
      this.registration = new SipRegistration(
        this.config.register,
        this.local,
        (data, target) => this.socket?.send(data, target.port, target.host),
        (state, detail) => this.report(state, detail),
      );
      this.registration.start();
    } else {
      this.report(
        'ready',
        `SIP: ringing member listening on udp ${host}:${this.local.port}${this.guard ? ' (digest authentication)' : ''}`,
      );
    }
    return this.local;
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.registration?.stop();
    this.socket?.close();
    this.socket = undefined;
  }

  private report(state: string, detail: string): void {
    this.hooks.status({ name: 'sip', state, detail });
  }

  private receive(data: Buffer, remote: RemoteInfo): void {
    let message: SipMessage;
    try {
      message = parseSip(data);
    } catch (error) {
      this.malformed++;
      // One line per bad datagram would let a flood fill the log: every 100th is reported.
      if (this.malformed % 100 === 1) {
        const reason = error instanceof SipParseError ? error.message : String(error);
        this.hooks.warn(
          `SIP: ignored a malformed datagram from ${remote.address}:${remote.port} (${reason}; ${this.malformed} so far)`,
        );
      }
      return;
    }
    if (message.kind === 'response') {
      this.registration?.handleResponse(message);
      return;
    }
    if (this.config.allowFrom?.length && !this.config.allowFrom.includes(remote.address)) {
      this.send(this.respond(message, 403, 'Forbidden'), remote);
      return;
    }
    try {
      this.request(message, remote);
    } catch (error) {
      this.malformed++;
      this.hooks.warn(
        `SIP: could not handle ${message.method} from ${remote.address}: ${(error as Error).message}`,
      );
    }
  }

  private request(message: SipMessage, remote: RemoteInfo): void {
    const callId = header(message, 'call-id')!;
    const cseq = parseCSeq(header(message, 'cseq')!);
    const allow = ['Allow: INVITE, ACK, CANCEL, BYE, OPTIONS'];
    switch (message.method) {
      case 'INVITE':
        if (this.authenticated(message, remote)) this.invite(message, callId, cseq.seq, remote);
        break;
      case 'CANCEL':
        this.cancel(message, callId, remote);
        break;
      case 'BYE': {
        const dialog = this.dialogs.get(callId);
        this.send(this.respond(message, 200, 'OK'), remote);
        if (dialog && dialog.state !== 'terminated') this.end(dialog, callId, undefined);
        break;
      }
      case 'ACK':
        break;
      case 'OPTIONS':
        this.send(this.respond(message, 200, 'OK', undefined, allow), remote);
        break;
      default:
        this.send(this.respond(message, 405, 'Method Not Allowed', undefined, allow), remote);
    }
  }

  /**
   * In authenticated mode, whether this INVITE proved the password; if not, it has been answered (401 with
   * a challenge, or 403). CANCEL and BYE need no proof: they act only on a call that did prove it.
   */
  private authenticated(message: SipMessage, remote: RemoteInfo): boolean {
    if (!this.guard) return true;
    const verdict = this.guard.verify(message);
    if (verdict.ok) return true;
    if (verdict.challenge) {
      this.send(
        this.respond(message, 401, 'Unauthorized', tag(), [
          `WWW-Authenticate: ${this.guard.challenge(message, Date.now(), verdict.stale)}`,
        ]),
        remote,
      );
      return false;
    }
    this.refused++;
    this.send(this.respond(message, 403, 'Forbidden', tag()), remote);
    // One line per refusal would let a flood fill the log: every 100th is reported.
    if (this.refused % 100 === 1) {
      this.hooks.warn(
        `SIP: refused an INVITE from ${remote.address}:${remote.port} (digest: ${verdict.reason}; ${this.refused} so far)`,
      );
    }
    return false;
  }

  private cancel(message: SipMessage, callId: string, remote: RemoteInfo): void {
    const dialog = this.dialogs.get(callId);
    if (!dialog) {
      this.send(this.respond(message, 481, 'Call/Transaction Does Not Exist'), remote);
      return;
    }
    this.send(this.respond(message, 200, 'OK', dialog.toTag), remote);
    if (dialog.state === 'terminated') return;
    // The INVITE's transaction ends with 487, built from the INVITE's own headers.
    dialog.lastResponse = dialog.lastResponse
      .replace(/^SIP\/2\.0 180 Ringing/, 'SIP/2.0 487 Request Terminated')
      .replace(/\r\nContact: [^\r]*/, '');
    this.send(dialog.lastResponse, remote);
    this.end(dialog, callId, header(message, 'reason'));
  }

  private invite(message: SipMessage, callId: string, cseq: number, remote: RemoteInfo): void {
    const known = this.dialogs.get(callId);
    if (known && known.cseq === cseq) {
      // A retransmission: the same answer again, no new call.
      this.send(known.lastResponse, remote);
      return;
    }
    const toTag = tag();
    const ringing = this.respond(message, 180, 'Ringing', toTag, [
      `Contact: <sip:kesher@${this.local.host}:${this.local.port}>`,
    ]);
    this.dialogs.set(callId, { cseq, toTag, state: 'ringing', lastResponse: ringing, updatedAt: Date.now() });
    if (this.dialogs.size > MAX_DIALOGS) this.sweep(Date.now(), true);
    this.send(ringing, remote);

    const caller = callerOf(message);
    const to = parseNameAddr(header(message, 'to')!).user ?? parseNameAddr(message.uri ?? '').user;
    const diversion = header(message, 'diversion');
    this.hooks.ingest({
      callId: `sip-${callId}`,
      state: 'ringing',
      direction: 'inbound',
      from: caller.number,
      fromName: caller.name,
      withheld: callerWithheld(message) || undefined,
      to,
      extension: this.config.extension ?? to,
      forwardedFrom: diversion ? parseNameAddr(diversion).user : undefined,
    });
  }

  private end(dialog: Dialog, callId: string, reason: string | undefined): void {
    dialog.state = 'terminated';
    dialog.updatedAt = Date.now();
    const id = `sip-${callId}`;
    // `Reason: SIP;cause=200;text="Call completed elsewhere"`: another member of the group answered.
    if (reason && /cause=200\b/.test(reason)) this.hooks.ingest({ callId: id, state: 'answered', from: '' });
    this.hooks.ingest({ callId: id, state: 'ended', from: '' });
  }

  private respond(
    request: SipMessage,
    status: number,
    reason: string,
    toTag?: string,
    extra: string[] = [],
  ): string {
    const to = header(request, 'to')!;
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...(request.headers.get('via') ?? []).map((via) => `Via: ${via}`),
      `From: ${header(request, 'from')}`,
      `To: ${toTag && !/;\s*tag=/i.test(to) ? `${to};tag=${toTag}` : to}`,
      `Call-ID: ${header(request, 'call-id')}`,
      `CSeq: ${header(request, 'cseq')}`,
      ...extra,
      'Server: Kesher',
      'Content-Length: 0',
    ];
    return `${lines.join('\r\n')}\r\n\r\n`;
  }

  private send(data: string, remote: { address: string; port: number }): void {
    this.socket?.send(data, remote.port, remote.address);
  }

  private sweep(now: number, force = false): void {
    for (const [callId, dialog] of this.dialogs) {
      const age = now - dialog.updatedAt;
      const stale = dialog.state === 'terminated' ? age > TERMINATED_KEEP_MS : age > RINGING_LIMIT_MS;
      if (!stale && !(force && this.dialogs.size > MAX_DIALOGS / 2)) continue;
      // Rang for ten minutes and nobody told us the end: the PBX lost it; so do we.
      if (dialog.state === 'ringing')
        this.hooks.ingest({ callId: `sip-${callId}`, state: 'ended', from: '' });
      this.dialogs.delete(callId);
    }
  }
}
