/**
 * The bridge's doors: express for health and the call API, ws for the extension link.
 * Authentication happens before anything else: the WebSocket at the HTTP upgrade (token and Origin),
 * HTTP calls by bearer token. Host headers are checked too, so a web page cannot reach the bridge
 * through DNS rebinding.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { WebSocket, WebSocketServer } from 'ws';
import {
  CallEventInputSchema,
  type CallEventInput,
  type CallSnapshot,
  type ClientFrame,
  PROTOCOL_VERSION,
  parseClientFrame,
  SUBPROTOCOL,
  type ServerFrame,
  TOKEN_SUBPROTOCOL_PREFIX,
  validate,
} from '../shared/protocol';
import { normaliseCallEvent } from '../shared/call-event';
import { CallBook } from './calls';
import type { Journal, JournalEntry } from './journal';
import { PopLatency, SampleWindow } from './latency';
import { type WebhookConfig, webhookRouter } from './sources/webhook';

export const BRIDGE_VERSION = '0.1.0';

export interface BridgeOptions {
  token: string;
  journal: Journal;
  allowedOrigins: readonly string[];
  host?: string;
  /** How often the bridge pings every client and sends a heartbeat frame. */
  heartbeatMs?: number;
  /** A client whose unsent data passes this is dropped; it catches up from the journal on reconnect. */
  maxBufferedBytes?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
  /** Cloud PBX webhooks (signed; see sources/webhook.ts). */
  webhooks?: WebhookConfig;
}

interface Client {
  id: number;
  socket: WebSocket;
  alive: boolean;
  ready: boolean;
  /** The phone extensions this user answers (empty: all calls). */
  extensions: string[];
  /** It said hello (catch-up may still be under way). */
  greeted: boolean;
}

/** Places a call from the user's own phone (click-to-call); provided by a source that can, like AMI. */
export type Dialer = (
  number: string,
  extension: string,
) => Promise<{ ok: boolean; message: string; callId?: string }>;

export interface SourceStatus {
  name: string;
  state: string;
  detail?: string;
}

export interface IngestResult {
  call: CallSnapshot;
  changed: boolean;
  seq?: number;
}

/** A TCP connection idle this long before its request (or between requests) is closed. */
const IDLE_SOCKET_MS = 10_000;
/** An extension link must say hello within this long after the upgrade. */
const HELLO_TIMEOUT_MS = 10_000;
const MAX_CONNECTIONS = 1_000;

const TEST_CALL_NUMBER = '+972 3-555-0100';
const TEST_CALL_RING_MS = 15_000;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string {
  return /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
  socket.destroy();
}

export class Bridge {
  readonly calls = new CallBook();
  readonly latency = new PopLatency();
  /** From the receipt of a PBX event to its frame handed to every connected extension. */
  readonly fanout = new SampleWindow();
  readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly sources = new Map<string, SourceStatus>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeat?: NodeJS.Timeout;
  private dialer?: Dialer;
  private connectionsTotal = 0;
  private nextClientId = 1;
  private port = 0;
  private readonly startedAt = Date.now();
  private readonly log: NonNullable<BridgeOptions['log']>;

  constructor(private readonly options: BridgeOptions) {
    this.log = options.log ?? (() => {});
    for (const entry of options.journal.all()) this.calls.merge(entry.call);
    this.setSource({ name: 'api', state: 'ready', detail: 'POST /api/v1/calls' });

    this.server = createServer({ noDelay: true }, this.httpApp());
    // A socket that connects and says nothing (or stops mid-request) is closed: a few hundred of them must
    // not use up the bridge's file descriptors and lock the extension out. Upgraded WebSockets clear this
    // and are watched by the heartbeat instead.
    this.server.headersTimeout = IDLE_SOCKET_MS;
    this.server.requestTimeout = 30_000;
    this.server.keepAliveTimeout = 5_000;
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.on('connection', (socket) => {
      socket.setTimeout(IDLE_SOCKET_MS, () => socket.destroy());
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.server.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
  }

  async listen(port: number, host = this.options.host ?? '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    const interval = this.options.heartbeatMs ?? 15_000;
    this.heartbeat = setInterval(() => this.beat(), interval);
    return this.port;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.options.journal.close();
    for (const timer of this.timers) clearTimeout(timer);
    for (const client of this.clients) client.socket.close(1001, 'bridge shutting down');
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setDialer(dialer: Dialer | undefined): void {
    this.dialer = dialer;
  }

  setSource(status: SourceStatus): void {
    this.sources.set(status.name, status);
  }

  /** The one entrance for call events, whatever source they come from: cleaned at the door, then kept. */
  ingest(event: CallEventInput, receivedAt = performance.now()): IngestResult {
    const update = this.calls.apply(normaliseCallEvent(event, Date.now()), Date.now());
    if (!update.changed) return { call: update.call, changed: false };
    const entry = this.options.journal.append(update.call);
    if (update.isNew && update.call.status === 'ringing')
      this.latency.started(update.call.callId, receivedAt);
    if (this.broadcast(entry) > 0) this.fanout.add(performance.now() - receivedAt);
    return { call: update.call, changed: true, seq: entry.seq };
  }

  health(detailed: boolean) {
    if (!detailed) return { status: 'ok' };
    return {
      status: 'ok',
      bridgeVersion: BRIDGE_VERSION,
      protocol: PROTOCOL_VERSION,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      sources: [...this.sources.values()],
      clients: [...this.clients].filter((client) => client.ready).length,
      clientExtensions: [...this.clients]
        .filter((client) => client.ready)
        .map((client) => (client.extensions.length > 0 ? client.extensions : ['all calls'])),
      connectionsTotal: this.connectionsTotal,
      activeCalls: this.calls.active().length,
      journal: {
        id: this.options.journal.id,
        seq: this.options.journal.seq,
        entries: this.options.journal.size,
        writable: this.options.journal.problem === undefined,
        ...(this.options.journal.problem ? { problem: this.options.journal.problem } : {}),
      },
      popLatencyMs: this.latency.summary(),
      fanoutMs: this.fanout.summary(),
      memoryMb: {
        rss: Math.round(process.memoryUsage.rss() / 1e5) / 10,
        heapUsed: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
      },
    };
  }

  private allowedHost(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const listenHost = this.options.host ?? '127.0.0.1';
    return ['127.0.0.1', 'localhost', '::1', listenHost].includes(name);
  }

  private allowedOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.options.allowedOrigins.includes(origin);
  }

  private httpApp() {
    const app = express();
    app.disable('x-powered-by');
    // The moment a PBX event reached us, before any parsing: where fan-out and pop latency start.
    app.use((_request: Request, response: Response, next: NextFunction) => {
      response.locals.receivedAt = performance.now();
      next();
    });
    const webhooks = this.options.webhooks;
    if (webhooks) {
      // Before the Host check: providers reach us through a tunnel under its own name. Signed instead.
      app.use(
        '/webhooks',
        webhookRouter(webhooks, (event, receivedAt) => this.ingest(event, receivedAt)),
      );
      for (const [name, configured] of Object.entries({
        generic: webhooks.generic,
        twilio: webhooks.twilio,
        aircall: webhooks.aircall,
      })) {
        if (configured)
          this.setSource({ name: `webhook:${name}`, state: 'ready', detail: `POST /webhooks/${name}` });
      }
    }
    app.use((request: Request, response: Response, next: NextFunction) => {
      if (!this.allowedHost(request.headers.host)) {
        response.status(421).json({ error: 'unexpected Host header' });
        return;
      }
      const origin = request.headers.origin;
      if (origin !== undefined) {
        // Browsers always send Origin on cross-origin requests: only the extension may talk to us.
        if (!this.allowedOrigin(origin)) {
          response.status(403).json({ error: `origin ${origin} is not allowed` });
          return;
        }
        response.setHeader('Access-Control-Allow-Origin', origin);
        response.setHeader('Vary', 'Origin');
        response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        response.setHeader('Access-Control-Allow-Methods', 'GET, POST');
        if (request.method === 'OPTIONS') {
          response.status(204).end();
          return;
        }
      }
      next();
    });

    const authenticated = (request: Request) =>
      sameSecret(bearer(request.headers.authorization), this.options.token);
    const requireToken = (request: Request, response: Response, next: NextFunction) => {
      if (authenticated(request)) {
        next();
        return;
      }
      response
        .status(401)
        .setHeader('WWW-Authenticate', 'Bearer realm="kesher"')
        .json({ error: request.headers.authorization ? 'wrong token' : 'missing bearer token' });
    };

    app.get('/health', (request, response) => {
      const detailed = authenticated(request);
      // Benchmarks start the bridge with node --expose-gc and ask for the heap after a full collection.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (detailed && request.query.gc === '1' && gc) gc();
      response.json(this.health(detailed));
    });
    app.get('/api/v1/session', requireToken, (_request, response) => {
      response.json({ ok: true, bridgeVersion: BRIDGE_VERSION, protocol: PROTOCOL_VERSION });
    });
    app.post('/api/v1/calls', requireToken, express.json({ limit: '16kb' }), (request, response) => {
      const parsed = validate(CallEventInputSchema, request.body);
      if (!parsed.ok) {
        response.status(400).json({ error: parsed.reason });
        return;
      }
      const result = this.ingest(parsed.value, response.locals.receivedAt as number);
      response
        .status(202)
        .json({ callId: result.call.callId, status: result.call.status, changed: result.changed });
    });
    app.use((_request: Request, response: Response) => {
      response.status(404).json({ error: 'not found' });
    });
    // Body-parser errors (malformed JSON, too large) arrive here with a status of their own.
    app.use(
      (error: Error & { status?: number }, _request: Request, response: Response, _next: NextFunction) => {
        const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
        const message = status === 400 ? `body is not valid JSON: ${error.message}` : error.message;
        if (status === 500) this.log('warn', `http: ${error.stack ?? error.message}`);
        response.status(status).json({ error: message });
      },
    );
    return app;
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://bridge').pathname;
    if (path !== '/ws') {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (!this.allowedHost(request.headers.host)) {
      rejectUpgrade(socket, 421, 'Misdirected Request');
      return;
    }
    if (!this.allowedOrigin(request.headers.origin)) {
      rejectUpgrade(socket, 403, 'Forbidden');
      return;
    }
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((item) => item.trim());
    const token = offered
      .find((item) => item.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
      ?.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
    if (!token || !sameSecret(token, this.options.token)) {
      rejectUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    (socket as Socket).setTimeout?.(0);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  private accept(socket: WebSocket): void {
    const client: Client = {
      id: this.nextClientId++,
      socket,
      alive: true,
      ready: false,
      extensions: [],
      greeted: false,
    };
    this.clients.add(client);
    this.connectionsTotal++;
    this.log('info', `extension #${client.id} connected`);
    const helloTimer = setTimeout(() => {
      if (client.greeted || client.socket.readyState !== WebSocket.OPEN) return;
      this.log('warn', `extension #${client.id} never said hello; closed`);
      client.socket.close(1008, 'no hello');
    }, HELLO_TIMEOUT_MS);
    helloTimer.unref();
    socket.once('close', () => clearTimeout(helloTimer));
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      client.alive = true;
      if (isBinary)
        return this.send(client, { type: 'error', reason: 'binary frames are not part of the protocol' });
      const frame = parseClientFrame(data.toString());
      if (!frame.ok) return this.send(client, { type: 'error', reason: `rejected frame: ${frame.reason}` });
      this.handle(client, frame.value);
    });
    socket.on('close', () => {
      this.clients.delete(client);
      this.log('info', `extension #${client.id} disconnected`);
    });
    socket.on('error', (error) => this.log('warn', `extension #${client.id}: ${error.message}`));
  }

  private handle(client: Client, frame: ClientFrame): void {
    switch (frame.type) {
      case 'hello': {
        if (frame.protocol !== PROTOCOL_VERSION) {
          this.send(client, {
            type: 'error',
            reason: `protocol ${frame.protocol} is not supported; bridge speaks ${PROTOCOL_VERSION}`,
          });
          client.socket.close(1002, 'protocol version');
          return;
        }
        const journal = this.options.journal;
        client.greeted = true;
        client.extensions = frame.extensions ?? [];
        this.send(client, {
          type: 'welcome',
          protocol: PROTOCOL_VERSION,
          bridgeVersion: BRIDGE_VERSION,
          journalId: journal.id,
          seq: journal.seq,
        });
        // A different journal (the bridge's data was reset): everything it holds is news to this client.
        const from =
          frame.lastSeq === null ? journal.seq : frame.journalId === journal.id ? frame.lastSeq : 0;
        const gap = frame.lastSeq === null ? undefined : journalGap(journal, frame.lastSeq, frame.journalId);
        if (gap) {
          this.log(
            'warn',
            `client ${client.id} missed journal entries ${gap.afterSeq + 1}–${gap.resumeSeq - 1} (${gap.reason})`,
          );
          this.send(client, gap);
        }
        void this.catchUp(client, from);
        return;
      }
      case 'ack': {
        const sample = this.latency.acked(frame.callId, performance.now());
        if (sample !== undefined)
          this.log('info', `pop on screen for ${frame.callId} after ${sample.toFixed(1)} ms`);
        return;
      }
      case 'keepalive':
        return;
      case 'dial': {
        void this.dial(client, frame.requestId, frame.number, frame.fromExtension);
        return;
      }
      case 'test-call': {
        const callId = `test-${Date.now()}-${client.id}`;
        this.ingest({ callId, state: 'ringing', from: TEST_CALL_NUMBER, fromName: 'Kesher test call' });
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.ingest({ callId, state: 'ended', from: TEST_CALL_NUMBER });
        }, TEST_CALL_RING_MS);
        this.timers.add(timer);
        return;
      }
    }
  }

  private async dial(client: Client, requestId: string, number: string, extension: string): Promise<void> {
    if (!this.dialer) {
      this.send(client, {
        type: 'dial-result',
        requestId,
        ok: false,
        message: 'Click-to-call needs the Asterisk (AMI) source: start the bridge with --ami',
      });
      return;
    }
    this.send(client, { type: 'dial-result', requestId, ok: true, message: 'Ringing your phone…' });
    try {
      const outcome = await this.dialer(number, extension);
      this.send(client, { type: 'dial-result', requestId, ...outcome });
    } catch (error) {
      this.send(client, { type: 'dial-result', requestId, ok: false, message: (error as Error).message });
    }
  }

  /**
   * Send what the client missed, each call once as it stands now, in batches that wait for the socket to
   * drain (a long absence must not trip the slow-reader limit). Live calls that arrive meanwhile are picked
   * up by the next round; the client joins the live stream in the same tick as the last check.
   */
  private async catchUp(client: Client, from: number): Promise<void> {
    const journal = this.options.journal;
    const pause = this.bufferLimit() / 4;
    let flushed = Promise.resolve();
    let position = from;
    while (journal.seq > position) {
      const entries = latestPerCall(journal.since(position));
      position = journal.seq;
      for (const entry of entries) {
        if (client.socket.readyState !== WebSocket.OPEN) return;
        if (client.socket.bufferedAmount > pause) await flushed;
        flushed = new Promise((resolve) => this.sendEntry(client, entry, true, resolve));
      }
    }
    this.send(client, { type: 'caught-up', seq: journal.seq });
    client.ready = true;
  }

  /** Returns how many clients the frame went to. */
  private broadcast(entry: JournalEntry): number {
    // Serialized once for every client: the hot path does no per-client work but the send itself.
    const data = JSON.stringify(this.callFrame(entry, false));
    let sent = 0;
    for (const client of this.clients) {
      if (!client.ready) continue;
      this.send(client, data);
      sent++;
    }
    return sent;
  }

  private callFrame(entry: JournalEntry, replay: boolean): ServerFrame {
    return { type: 'call', seq: entry.seq, journalId: this.options.journal.id, call: entry.call, replay };
  }

  private sendEntry(client: Client, entry: JournalEntry, replay: boolean, onFlushed?: () => void): void {
    this.send(client, this.callFrame(entry, replay), onFlushed);
  }

  private bufferLimit(): number {
    return this.options.maxBufferedBytes ?? 1024 * 1024;
  }

  /** `onFlushed` runs once the frame is handed to the kernel (or at once when it cannot be sent). */
  private send(client: Client, frame: ServerFrame | string, onFlushed?: () => void): void {
    if (client.socket.readyState !== WebSocket.OPEN) {
      onFlushed?.();
      return;
    }
    if (client.socket.bufferedAmount > this.bufferLimit()) {
      // A client that stopped reading must not hold the others up: drop it; the journal catches it up.
      this.log('warn', `extension #${client.id} is not reading; dropped`);
      client.socket.terminate();
      onFlushed?.();
      return;
    }
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    client.socket.send(data, onFlushed && (() => onFlushed()));
  }

  private beat(): void {
    const frame: ServerFrame = { type: 'heartbeat', at: Date.now() };
    for (const client of this.clients) {
      if (!client.alive) {
        this.log('warn', `extension #${client.id} stopped answering; terminated`);
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
      if (client.ready) this.send(client, frame);
    }
  }
}

/** Catch-up sends each call once, as it stands now, in the order of its latest change. */
export function latestPerCall(entries: readonly JournalEntry[]): JournalEntry[] {
  const latest = new Map<string, JournalEntry>();
  for (const entry of entries) {
    latest.delete(entry.call.callId);
    latest.set(entry.call.callId, entry);
  }
  return [...latest.values()];
}

/**
 * What a client coming back at `lastSeq` of `journalId` can no longer get: entries the journal dropped (kept
 * too few for so long an absence) or a whole journal started anew. Undefined when the catch-up is complete.
 */
export function journalGap(
  journal: Journal,
  lastSeq: number,
  journalId: string | null,
): Extract<ServerFrame, { type: 'gap' }> | undefined {
  const oldest = journal.oldest;
  const resumeSeq = oldest?.seq ?? journal.seq + 1;
  const until = oldest?.at ?? Date.now();
  if (journalId !== journal.id) {
    return { type: 'gap', journalId: journal.id, reason: 'new-journal', afterSeq: lastSeq, resumeSeq, until };
  }
  if (lastSeq + 1 >= resumeSeq || lastSeq >= journal.seq) return undefined;
  return { type: 'gap', journalId: journal.id, reason: 'expired', afterSeq: lastSeq, resumeSeq, until };
}
