/**
 * The bridge: the one door for call events (`ingest`), composed with its HTTP side (`http/`: the Host and
 * Origin guard, REST and webhooks) and its extension link (`link/`: upgrade auth, clients with backpressure
 * and heartbeat, catch-up, each desk's session). Authentication happens before anything else.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { normaliseCallEvent } from '../shared/call-event';
import { type CallEventInput, PROTOCOL_VERSION, parseClientFrame, SUBPROTOCOL } from '../shared/protocol';
import { CallBook } from './calls';
import { BRIDGE_VERSION, httpApp } from './http/api';
import { Guard, rejectUpgrade } from './http/guard';
import type { Journal } from './journal';
import { PopLatency, SampleWindow } from './latency';
import { callFrame } from './link/catch-up';
import { Clients } from './link/clients';
import { handleFrame, type SessionDeps } from './link/session';
import { SyncHub } from './link/sync';
import { checkUpgrade } from './link/upgrade';
import type { Log } from './log';
import { joinPreview } from './store/join';
import type { OfficeStore } from './store/store';
import type { Dialer, IngestResult, SourceStatus } from './sources/types';
import type { WebhookConfig } from './sources/webhook';

export { BRIDGE_VERSION } from './http/api';
export { journalGap, latestPerCall } from './link/catch-up';
export type { Dialer, IngestResult, SourceStatus } from './sources/types';

export interface BridgeOptions {
  token: string;
  journal: Journal;
  allowedOrigins: readonly string[];
  host?: string;
  /** How often the bridge pings every client and sends a heartbeat frame. */
  heartbeatMs?: number;
  /** A client whose unsent data passes this is dropped; it catches up from the journal on reconnect. */
  maxBufferedBytes?: number;
  log?: Log;
  /** Cloud PBX webhooks (signed; see sources/webhook.ts). */
  webhooks?: WebhookConfig;
  /** Names desks on the office network use for the bridge (the Host check accepts them). */
  hostNames?: readonly string[];
  /** https and wss with these (PEM): desks on the office network. */
  tls?: { cert: Buffer; key: Buffer };
  /** Office mode: opens the office store (on the first desk that syncs). */
  openStore?: () => Promise<OfficeStore>;
}

/** A TCP connection idle this long before its request (or between requests) is closed. */
const IDLE_SOCKET_MS = 10_000;
/** An extension link must say hello within this long after the upgrade. */
const HELLO_TIMEOUT_MS = 10_000;
const MAX_CONNECTIONS = 1_000;

export class Bridge {
  readonly calls = new CallBook();
  readonly latency = new PopLatency();
  /** From the receipt of a PBX event to its frame handed to every connected extension. */
  readonly fanout = new SampleWindow();
  readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly clients: Clients;
  private readonly guard: Guard;
  private readonly session: SessionDeps;
  readonly sync: SyncHub;
  private readonly sources = new Map<string, SourceStatus>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeat?: NodeJS.Timeout;
  private dialer?: Dialer;
  private port = 0;
  private readonly startedAt = Date.now();
  private readonly log: Log;

  constructor(private readonly options: BridgeOptions) {
    this.log = options.log ?? (() => {});
    this.clients = new Clients(this.log, options.maxBufferedBytes);
    this.guard = new Guard({
      host: options.host,
      allowedOrigins: options.allowedOrigins,
      hostNames: options.hostNames,
    });
    this.sync = new SyncHub(
      options.openStore ?? (() => Promise.reject(new Error('this bridge has no office store'))),
      this.clients,
      this.log,
      options.journal,
    );
    this.session = {
      sync: this.sync,
      journal: options.journal,
      clients: this.clients,
      latency: this.latency,
      dialer: () => this.dialer,
      ingest: (event) => this.ingest(event),
      timers: this.timers,
      log: this.log,
    };
    for (const entry of options.journal.all()) this.calls.merge(entry.call);
    this.setSource({ name: 'api', state: 'ready', detail: 'POST /api/v1/calls' });

    const app = httpApp({
      users: {
        pair: async (code) => (await this.sync.ready()).users.redeem(code),
        add: async (name, extensions) => {
          const added = await (await this.sync.ready()).users.add(name, extensions);
          await this.sync.sendPeople();
          return added;
        },
        list: async () => (await this.sync.ready()).users.list(),
        revoke: async (who) => {
          const revoked = await (await this.sync.ready()).users.revoke(who);
          await this.sync.sendPeople();
          return revoked;
        },
        byToken: async (token) => (await this.sync.ready()).users.byToken(token),
        desks: () => this.sync.desks(),
        joinPreview: async (request) => joinPreview(await this.sync.ready(), request),
      },
      token: options.token,
      guard: this.guard,
      webhooks: options.webhooks,
      ingest: (event, receivedAt) => this.ingest(event, receivedAt),
      health: (detailed) => this.health(detailed),
      setSource: (status) => this.setSource(status),
      log: this.log,
    });
    this.server = options.tls
      ? createTlsServer(
          {
            noDelay: true,
            cert: options.tls.cert,
            key: options.tls.key,
            // A connection that never finishes its handshake is closed like an idle one.
            handshakeTimeout: IDLE_SOCKET_MS,
          },
          app,
        )
      : createServer({ noDelay: true }, app);
    // A socket that connects and says nothing (or stops mid-request) is closed: a few hundred of them must
    // not use up the bridge's file descriptors and lock the extension out. Upgraded WebSockets clear this
    // and are watched by the heartbeat instead.
    this.server.headersTimeout = IDLE_SOCKET_MS;
    this.server.requestTimeout = 30_000;
    this.server.keepAliveTimeout = 5_000;
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      socket.setTimeout(IDLE_SOCKET_MS, () => socket.destroy());
    });
    this.wss = new WebSocketServer({
      noServer: true,
      // A push of changes (a card's photo is a data: URL) is the largest frame a desk sends.
      maxPayload: 4 * 1024 * 1024,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.server.on('upgrade', (request, socket, head) => {
      const verdict = checkUpgrade(request, this.guard, options.token);
      if (!verdict.ok) {
        rejectUpgrade(socket, verdict.status, verdict.reason);
        return;
      }
      const open = (user?: { id: string; name: string }) => {
        (socket as Socket).setTimeout?.(0);
        this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, user));
      };
      if (verdict.who === 'office') return open();
      // A user's own token: the store knows whose it is (and whether it was revoked).
      void this.sync
        .ready()
        .then((store) => store.users.byToken(verdict.token))
        .then(
          (user) =>
            user ? open({ id: user.id, name: user.name }) : rejectUpgrade(socket, 401, 'Unauthorized'),
          () => rejectUpgrade(socket, 503, 'Service Unavailable'),
        );
    });
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
    this.heartbeat = setInterval(() => this.clients.beat(), this.options.heartbeatMs ?? 15_000);
    return this.port;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.options.journal.close();
    for (const timer of this.timers) clearTimeout(timer);
    this.clients.closeAll(1001, 'bridge shutting down');
    await this.sync.close();
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
    // Serialised once for every client: the hot path does no per-client work but the send itself.
    if (this.clients.broadcast(callFrame(this.options.journal, entry, false)) > 0)
      this.fanout.add(performance.now() - receivedAt);
    // After the pop is on its way: the office's call log (written by the hub, off the hot path).
    this.sync.logCall();
    return { call: update.call, changed: true, seq: entry.seq };
  }

  health(detailed: boolean) {
    if (!detailed) return { status: 'ok' };
    const ready = this.clients.ready;
    const journal = this.options.journal;
    return {
      status: 'ok',
      bridgeVersion: BRIDGE_VERSION,
      protocol: PROTOCOL_VERSION,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      sources: [...this.sources.values()],
      clients: ready.length,
      clientExtensions: ready.map((client) =>
        client.extensions.length > 0 ? client.extensions : ['all calls'],
      ),
      connectionsTotal: this.clients.connectionsTotal,
      activeCalls: this.calls.active().length,
      journal: {
        id: journal.id,
        seq: journal.seq,
        entries: journal.size,
        writable: journal.problem === undefined,
        ...(journal.problem ? { problem: journal.problem } : {}),
      },
      store: this.sync.status(),
      popLatencyMs: this.latency.summary(),
      fanoutMs: this.fanout.summary(),
      memoryMb: {
        rss: Math.round(process.memoryUsage.rss() / 1e5) / 10,
        heapUsed: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
      },
    };
  }

  private accept(socket: WebSocket, user?: { id: string; name: string }): void {
    const client = this.clients.add(socket, user);
    this.log('info', `extension #${client.id} connected${user ? ` (${user.name})` : ''}`, {
      event: 'client-connected',
      client: client.id,
      user: user?.name,
    });
    const helloTimer = setTimeout(() => {
      if (client.greeted || client.socket.readyState !== client.socket.OPEN) return;
      this.log('warn', `extension #${client.id} never said hello; closed`, {
        event: 'no-hello',
        client: client.id,
      });
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
        return this.clients.send(client, {
          type: 'error',
          reason: 'binary frames are not part of the protocol',
        });
      const frame = parseClientFrame(data.toString());
      if (!frame.ok)
        return this.clients.send(client, { type: 'error', reason: `rejected frame: ${frame.reason}` });
      handleFrame(this.session, client, frame.value);
    });
    socket.on('close', () => {
      this.sync.forget(client);
      this.log('info', `extension #${client.id} disconnected`, {
        event: 'client-disconnected',
        client: client.id,
      });
    });
    socket.on('error', (error) => this.log('warn', `extension #${client.id}: ${error.message}`));
  }
}
