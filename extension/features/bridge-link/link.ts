/**
 * The service worker's one WebSocket to the bridge: authenticated at the upgrade (token as a subprotocol,
 * Origin checked by the bridge), a keep-alive every 20 s so Chrome keeps the worker (Chrome 116+), and
 * reconnection with backoff when the bridge goes away. When a connection fails the link asks the bridge's
 * HTTP door why, so the settings page can say "wrong token" rather than "something went wrong".
 */
import {
  type CallSnapshot,
  type ClientFrame,
  type ServerFrame,
  KEEPALIVE_INTERVAL_MS,
  PROTOCOL_VERSION,
  parseServerFrame,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
} from '../../../shared/protocol';
import type { JournalCursor, LinkState, LinkStateName } from '../settings/items';

export type SyncFrame = Extract<
  ServerFrame,
  { type: 'sync-ack' | 'sync-changes' | 'sync-error' | 'sync-history' | 'sync-deleted' }
>;

export interface CallFrame {
  call: CallSnapshot;
  seq: number;
  journalId: string;
  replay: boolean;
}

export interface LinkDeps {
  settings(): Promise<{ url: string; token: string; extensions: string[] }>;
  cursor(): Promise<JournalCursor | null>;
  onCall(frame: CallFrame): void;
  /** The journal position when the link has nothing more to catch up on. */
  onCaughtUp(journalId: string, seq: number): void;
  /** The bridge no longer holds everything since the cursor: calls from `since` to `until` may be missing. */
  onGap(gap: { reason: 'expired' | 'new-journal'; since?: number; until: number }): void;
  onState(state: LinkState): void;
  onDialResult(result: { requestId: string; ok: boolean; message: string }): void;
  /** Office mode's frames (sync-ack, sync-changes, sync-error), for the office-sync feature. */
  onSync?(frame: SyncFrame): void;
  /** Office mode's users and their extensions (after each hello, and when they change). */
  onPeople?(people: ReadonlyArray<{ name: string; extensions: string[]; online?: boolean }>): void;
  log(message: string): void;
}

/**
 * A bridge that is not answering is tried again at most this often (with ±20 % jitter: ≤ 1.8 s): a call that
 * rings just as the bridge comes back must still pop before the second ring. A failed connect to a closed
 * port costs next to nothing. A refusal (wrong token, origin) needs a person: retried far less often.
 */
const MAX_BACKOFF_MS = 1_500;
/** How often a bridge that is away is probed over HTTP (with jitter: ≤ 1.2 s). */
const PROBE_INTERVAL_MS = 1_000;
const REFUSED_BACKOFF_MS = 15_000;

export function backoffDelay(attempt: number, random = Math.random(), max = MAX_BACKOFF_MS): number {
  const base = Math.min(max, 250 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random));
}

/** ws://host:port/ws → http://host:port/api/v1/session */
export function sessionUrl(bridgeUrl: string): string {
  return bridgeApiUrl(bridgeUrl, '/api/v1/session');
}

/** ws://host:port/ws → http://host:port/<path> (wss → https). */
export function bridgeApiUrl(bridgeUrl: string, path: string): string {
  const url = new URL(bridgeUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = path;
  url.search = '';
  return url.toString();
}

/**
 * A desk's one-time pairing code for its own long-lived token (POST /api/v1/pair). Throws what the user
 * should read: a wrong or used code, a bridge that is not answering.
 */
export async function redeemPairingCode(
  bridgeUrl: string,
  code: string,
): Promise<{ token: string; name: string; extensions: string[] }> {
  let response: Response;
  try {
    response = await fetch(bridgeApiUrl(bridgeUrl, '/api/v1/pair'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
  } catch {
    throw new Error('The bridge is not answering at this URL: is it running?');
  }
  const body = (await response.json().catch(() => ({}))) as {
    token?: string;
    user?: { name?: string; extensions?: unknown };
    error?: string;
  };
  if (!response.ok || !body.token)
    throw new Error(body.error ?? `The bridge refused the code (${response.status})`);
  const extensions = Array.isArray(body.user?.extensions)
    ? body.user.extensions.filter((item): item is string => typeof item === 'string')
    : [];
  return { token: body.token, name: body.user?.name ?? '', extensions };
}

export class BridgeLink {
  private socket?: WebSocket;
  private attempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private keepaliveTimer?: ReturnType<typeof setInterval>;
  private journalId: string | null = null;
  /** The cursor this connection's hello sent (a gap is measured from it). */
  private helloCursor: JournalCursor | null = null;
  private current: LinkState = { state: 'connecting', since: Date.now() };

  constructor(private readonly deps: LinkDeps) {}

  get state(): LinkState {
    return this.current;
  }

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN && this.current.state === 'connected';
  }

  /** A connect reading its settings (before its socket exists): ensure() must not start a second one. */
  private starting?: Promise<void>;

  /** (Re)connect now, dropping any connection or pending retry. */
  connect(): Promise<void> {
    const run = this.start();
    this.starting = run;
    const done = () => {
      if (this.starting === run) this.starting = undefined;
    };
    run.then(done, done);
    return run;
  }

  private async start(): Promise<void> {
    this.teardown();
    const { url, token } = await this.deps.settings();
    if (!token) return this.setState('not-paired', 'Paste the bridge token in settings');
    let parsed: URL;
    try {
      parsed = new URL(url);
      if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error('not ws:// or wss://');
    } catch (error) {
      return this.setState('bad-url', `"${url}" is not a WebSocket URL (${(error as Error).message})`);
    }
    this.setState('connecting');
    const socket = new WebSocket(parsed.toString(), [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
    this.socket = socket;
    let opened = false;
    socket.onopen = async () => {
      opened = true;
      const [cursor, { extensions }] = await Promise.all([this.deps.cursor(), this.deps.settings()]);
      this.helloCursor = cursor;
      this.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        lastSeq: cursor?.seq ?? null,
        journalId: cursor?.journalId ?? null,
        extensions,
      });
      this.keepaliveTimer = setInterval(() => this.send({ type: 'keepalive' }), KEEPALIVE_INTERVAL_MS);
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.receive(typeof event.data === 'string' ? event.data : '');
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.stopKeepalive();
      this.socket = undefined;
      void this.failed(
        opened ? `connection closed (${event.code}${event.reason ? `: ${event.reason}` : ''})` : null,
      );
    };
  }

  send(frame: ClientFrame): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Called by the worker's alarm: make sure a link that should be up is up or on its way. */
  ensure(): void {
    if (this.socket || this.retryTimer || this.starting) return;
    if (this.current.state === 'not-paired' || this.current.state === 'bad-url') return;
    void this.connect();
  }

  private receive(data: string): void {
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      this.deps.log(`bridge sent a frame we cannot read: ${parsed.reason}`);
      return;
    }
    const frame = parsed.value;
    switch (frame.type) {
      case 'welcome':
        if (frame.protocol !== PROTOCOL_VERSION) {
          this.setState(
            'incompatible',
            `bridge speaks protocol ${frame.protocol}, this extension ${PROTOCOL_VERSION}`,
          );
          return;
        }
        this.journalId = frame.journalId;
        this.attempt = 0;
        this.setState('connected', `bridge ${frame.bridgeVersion}`);
        return;
      case 'call':
        this.deps.onCall({
          call: frame.call,
          seq: frame.seq,
          journalId: frame.journalId,
          replay: frame.replay,
        });
        return;
      case 'caught-up':
        if (this.journalId) this.deps.onCaughtUp(this.journalId, frame.seq);
        return;
      case 'gap':
        this.deps.onGap({ reason: frame.reason, since: this.helloCursor?.at, until: frame.until });
        return;
      case 'heartbeat':
        return;
      case 'dial-result':
        this.deps.onDialResult({ requestId: frame.requestId, ok: frame.ok, message: frame.message });
        return;
      case 'error':
        this.deps.log(`bridge: ${frame.reason}`);
        return;
      case 'sync-ack':
      case 'sync-changes':
      case 'sync-error':
      case 'sync-history':
      case 'sync-deleted':
        this.deps.onSync?.(frame);
        return;
      case 'people':
        this.deps.onPeople?.(frame.people);
        return;
    }
  }

  /**
   * The socket closed or never opened: find out why over HTTP, show it, and try again. While nothing answers,
   * the link waits by probing the bridge's HTTP door, not by opening WebSockets: Chromium throttles repeated
   * failed WebSocket handshakes to one address (RFC 6455 §7.2.3; after a few failures each new one waits
   * 1–5 s), which would hold the link back seconds after the bridge returned. A probe costs one refused
   * connection; the WebSocket opens the moment the bridge answers.
   */
  private async failed(closedReason: string | null): Promise<void> {
    let state: LinkStateName = 'unreachable';
    let detail = closedReason ?? 'the bridge is not answering';
    const answer = await this.probe();
    if (answer === 401) {
      state = 'wrong-token';
      detail = 'The bridge refused the token: copy it again (npm run bridge -- --print-token)';
    } else if (answer === 403) {
      state = 'origin-refused';
      detail = `The bridge does not allow this extension (${location.origin}); add it with --allow-origin`;
    } else if (answer !== null && closedReason === null) {
      detail = `The bridge answered HTTP ${answer} but refused the WebSocket`;
    } else if (answer === null && closedReason === null) {
      detail = `Nothing answers at ${(await this.deps.settings()).url}: is the bridge running?`;
    }
    const refused = state === 'wrong-token' || state === 'origin-refused';
    const delay = backoffDelay(this.attempt++, Math.random(), refused ? REFUSED_BACKOFF_MS : MAX_BACKOFF_MS);
    this.setState(state, detail, Date.now() + delay);
    // Nothing answered: wait for the bridge by probing; it answered: try the WebSocket again.
    this.schedule(delay, answer === null ? () => this.waitForBridge() : () => this.connect());
  }

  /** The bridge's HTTP status for this token, or null when nothing answers. */
  private async probe(): Promise<number | null> {
    const { url, token } = await this.deps.settings();
    try {
      const response = await fetch(sessionUrl(url), { headers: { authorization: `Bearer ${token}` } });
      return response.status;
    } catch {
      return null;
    }
  }

  private async waitForBridge(): Promise<void> {
    if ((await this.probe()) !== null) return this.connect();
    const delay = backoffDelay(this.attempt++, Math.random(), PROBE_INTERVAL_MS);
    // The state's next retry, written each time: an extension API call, which also keeps Chrome from
    // ending this worker as idle while it waits (a fetch and a timer alone would not).
    this.setState(this.current.state, this.current.detail, Date.now() + delay);
    this.schedule(delay, () => this.waitForBridge());
  }

  private schedule(delay: number, next: () => Promise<void>): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void next();
    }, delay);
  }

  private setState(state: LinkStateName, detail?: string, retryAt?: number): void {
    const changed = state !== this.current.state || detail !== this.current.detail;
    this.current = { state, detail, since: changed ? Date.now() : this.current.since, retryAt };
    this.deps.onState(this.current);
  }

  private stopKeepalive(): void {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  private teardown(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stopKeepalive();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
    }
  }
}
