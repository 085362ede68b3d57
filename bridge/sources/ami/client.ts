/**
 * The AMI connection: login, keep-alive with Ping, reconnect with backoff, actions answered by ActionID in
 * any order. Sockets live only here; parse.ts and call-tracker.ts stay pure.
 */
import { connect, type Socket } from 'node:net';
import { type AmiMessage, AmiParser, field } from './parse';

export interface AmiTarget {
  host: string;
  port: number;
  username: string;
  secret: string;
}

/** ami://user:secret@host:5038 (the secret may be percent-encoded). */
export function parseAmiUrl(url: string): AmiTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${redactAmiUrl(url)}" is not an AMI URL (expected ami://user:secret@host:5038)`);
  }
  if (parsed.protocol !== 'ami:')
    throw new Error(`AMI URL must start with ami:// (got ${parsed.protocol}//)`);
  if (!parsed.username || !parsed.password)
    throw new Error('AMI URL needs a user and a secret: ami://user:secret@host:5038');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 5038,
    username: decodeURIComponent(parsed.username),
    secret: decodeURIComponent(parsed.password),
  };
}

/** The URL with its secret hidden: safe to log and to show in /health. */
export function redactAmiUrl(url: string): string {
  return url.replace(/^(ami:\/\/[^:/@]*:)[^@]*@/i, '$1****@');
}

export type AmiState = 'connecting' | 'ready' | 'reconnecting' | 'login-refused' | 'stopped';

export interface AmiStatus {
  state: AmiState;
  detail: string;
}

export interface AmiClientOptions {
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  actionTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface OriginateRequest {
  channel: string;
  context: string;
  exten: string;
  callerId?: string;
  timeoutMs?: number;
  /** Becomes the originated channel's Uniqueid (Asterisk 13+), so its events can be recognised. */
  channelId?: string;
  variables?: Record<string, string>;
  /** Choose the ActionID (its OriginateResponse event carries it). */
  actionId?: string;
}

export interface OriginateResult {
  ok: boolean;
  message: string;
  uniqueid?: string;
}

/** OriginateResponse "Reason" codes (Asterisk's AST_CONTROL_* values). */
const ORIGINATE_REASONS: Record<string, string> = {
  '0': 'the call could not be placed (check the extension and the dialplan context)',
  '1': 'the line hung up',
  '3': 'your phone did not answer',
  '4': 'answered',
  '5': 'your phone is busy',
  '8': 'the network is congested',
};

type Fields = Record<string, string | string[] | undefined>;

interface Pending {
  resolve(message: AmiMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export function serializeAction(fields: Fields): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      // A CR or LF in a value would let it write a second action into the stream.
      if (/[\r\n]/.test(item) || /[\r\n:]/.test(key))
        throw new Error(`AMI field ${key} contains a line break`);
      out += `${key}: ${item}\r\n`;
    }
  }
  return `${out}\r\n`;
}

export class AmiClient {
  private socket?: Socket;
  private readonly pending = new Map<string, Pending>();
  private readonly originates = new Map<string, (event: AmiMessage) => void>();
  private nextId = 1;
  private attempt = 0;
  private stopped = true;
  private retryTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private lastError = '';
  private status: AmiStatus = { state: 'stopped', detail: 'AMI: not started' };

  constructor(
    private readonly target: AmiTarget,
    private readonly handlers: {
      onEvent(event: AmiMessage): void;
      onStatus?(status: AmiStatus): void;
      onWarning?(message: string): void;
    },
    private readonly options: AmiClientOptions = {},
  ) {}

  get current(): AmiStatus {
    return this.status;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.drop('stopped');
    this.setStatus('stopped', 'AMI: stopped');
  }

  /** Send an action and wait for its response (matched by ActionID, in whatever order they come). */
  action(
    fields: Fields,
    timeoutMs = this.options.actionTimeoutMs ?? 10_000,
    actionId = `kesher-${this.nextId++}`,
  ): Promise<AmiMessage> {
    const socket = this.socket;
    if (!socket || this.status.state !== 'ready') {
      return Promise.reject(new Error(`AMI is not connected (${this.status.detail})`));
    }
    const data = serializeAction({ ...fields, ActionID: actionId });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(actionId);
        reject(new Error(`AMI did not answer ${fields.Action} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(actionId, { resolve, reject, timer });
      socket.write(data);
    });
  }

  /** Originate (Async): ring the user's phone, then dial the number. Resolves with the PBX's verdict. */
  async originate(request: OriginateRequest): Promise<OriginateResult> {
    const timeoutMs = request.timeoutMs ?? 30_000;
    const actionId = request.actionId ?? `kesher-${this.nextId++}`;
    // Listening before sending: the OriginateResponse may overtake the action's own response.
    const outcome = new Promise<AmiMessage>((resolve) => this.originates.set(actionId, resolve));
    let response: AmiMessage;
    try {
      response = await this.action(
        {
          Action: 'Originate',
          Channel: request.channel,
          Context: request.context,
          Exten: request.exten,
          Priority: '1',
          CallerID: request.callerId,
          Timeout: String(timeoutMs),
          ChannelId: request.channelId,
          Async: 'true',
          Variable: Object.entries(request.variables ?? {}).map(([key, value]) => `${key}=${value}`),
        },
        5_000,
        actionId,
      );
    } catch (error) {
      this.originates.delete(actionId);
      return { ok: false, message: (error as Error).message };
    }
    if (field(response, 'Response') !== 'Success') {
      this.originates.delete(actionId);
      return { ok: false, message: `the PBX refused: ${field(response, 'Message') ?? 'Originate failed'}` };
    }
    const timeout = new Promise<null>((resolve) =>
      setTimeout(() => resolve(null), timeoutMs + 5_000).unref(),
    );
    const event = await Promise.race([outcome, timeout]);
    this.originates.delete(actionId);
    if (!event) return { ok: false, message: 'the PBX never said how the call went' };
    const reason = field(event, 'Reason') ?? '';
    const ok = field(event, 'Response') === 'Success';
    return {
      ok,
      message: ok ? 'answered' : (ORIGINATE_REASONS[reason] ?? `failed (reason ${reason || 'unknown'})`),
      uniqueid: field(event, 'Uniqueid'),
    };
  }

  private open(): void {
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting', this.describeConnecting());
    const socket = connect({ host: this.target.host, port: this.target.port, noDelay: true });
    this.socket = socket;
    const parser = new AmiParser({
      banner: () => this.login(socket),
      message: (message) => this.receive(message),
      error: (reason) => this.handlers.onWarning?.(`AMI: ${reason}`),
    });
    socket.on('data', (chunk) => {
      if (socket === this.socket) parser.feed(chunk);
    });
    socket.on('error', (error) => {
      this.lastError = error.message;
    });
    socket.on('close', () => {
      if (socket !== this.socket) return;
      this.drop(this.lastError || 'connection closed');
      this.scheduleReconnect();
    });
  }

  private async login(socket: Socket): Promise<void> {
    const actionId = `kesher-login-${this.nextId++}`;
    const timer = setTimeout(() => socket.destroy(new Error('no answer to Login')), 10_000);
    this.pending.set(actionId, {
      timer,
      resolve: (response) => {
        if (field(response, 'Response') === 'Success') {
          this.attempt = 0;
          this.lastError = '';
          this.setStatus(
            'ready',
            `AMI: logged in to ${this.target.host}:${this.target.port} as ${this.target.username}`,
          );
          this.startPing();
        } else {
          this.lastError = `login refused (${field(response, 'Message') ?? 'no reason given'})`;
          this.setStatus(
            'login-refused',
            `AMI login refused: check the secret in manager.conf [${this.target.username}] (${field(response, 'Message') ?? 'no reason given'})`,
          );
          socket.destroy();
        }
      },
      reject: () => {},
    });
    socket.write(
      serializeAction({
        Action: 'Login',
        Username: this.target.username,
        Secret: this.target.secret,
        Events: 'call',
        ActionID: actionId,
      }),
    );
  }

  private receive(message: AmiMessage): void {
    const actionId = field(message, 'ActionID');
    if (field(message, 'Event') !== undefined) {
      if (field(message, 'Event') === 'OriginateResponse' && actionId)
        this.originates.get(actionId)?.(message);
      this.handlers.onEvent(message);
      return;
    }
    if (actionId && field(message, 'Response') !== undefined) {
      const waiting = this.pending.get(actionId);
      if (!waiting) return;
      this.pending.delete(actionId);
      clearTimeout(waiting.timer);
      waiting.resolve(message);
    }
  }

  private startPing(): void {
    clearInterval(this.pingTimer);
    const interval = this.options.pingIntervalMs ?? 20_000;
    const timeout = this.options.pingTimeoutMs ?? 10_000;
    this.pingTimer = setInterval(() => {
      const socket = this.socket;
      this.action({ Action: 'Ping' }, timeout).catch((error: Error) => {
        // A silent PBX (half-open TCP) is found here: drop the socket and reconnect.
        if (socket === this.socket && !this.stopped)
          socket?.destroy(new Error(`keep-alive failed: ${error.message}`));
      });
    }, interval);
    this.pingTimer.unref();
  }

  private drop(reason: string): void {
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(`AMI connection lost: ${reason}`));
      this.pending.delete(id);
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const min = this.options.minBackoffMs ?? 1_000;
    const max = this.options.maxBackoffMs ?? 30_000;
    // A refused login will not fix itself quickly: wait the longest.
    const base = this.status.state === 'login-refused' ? max : Math.min(max, min * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    if (this.status.state !== 'login-refused') {
      this.setStatus(
        'reconnecting',
        `AMI: reconnecting in ${Math.ceil(delay / 1000)} s, last error: ${this.lastError}`,
      );
    }
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.retryTimer.unref();
  }

  private describeConnecting(): string {
    const where = `${this.target.host}:${this.target.port}`;
    return this.lastError
      ? `AMI: reconnecting to ${where}, last error: ${this.lastError}`
      : `AMI: connecting to ${where}`;
  }

  private setStatus(state: AmiState, detail: string): void {
    this.status = { state, detail };
    this.handlers.onStatus?.(this.status);
  }
}
