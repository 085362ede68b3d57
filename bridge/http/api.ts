/**
 * The bridge's REST side: health, the session check the extension probes while the bridge is away, and the
 * call API; cloud PBX webhooks (signed) before the Host check, everything else behind it and a bearer token.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { CallEventInputSchema, type CallEventInput, PROTOCOL_VERSION, validate } from '../../shared/protocol';
import type { Log } from '../log';
import { bearer, sameSecret } from '../secret';
import type { IngestResult, SourceStatus } from '../sources/types';
import { type WebhookConfig, webhookRouter } from '../sources/webhook';
import { type JoinPreview, type JoinRequest, JoinRequestSchema } from '../store/join';
import type { User } from '../store/users';
import type { Guard } from './guard';

export const BRIDGE_VERSION = '0.1.0';

export interface ApiDeps {
  token: string;
  guard: Guard;
  webhooks?: WebhookConfig;
  ingest(event: CallEventInput, receivedAt?: number): IngestResult;
  health(detailed: boolean): unknown;
  setSource(status: SourceStatus): void;
  log: Log;
  /** Office mode's users (the store): a desk's pairing, and the admin's commands (office token only). */
  users: {
    pair(code: string): Promise<{ user: User; token: string } | null>;
    add(name: string, extensions: string[]): Promise<{ user: User; code: string }>;
    list(): Promise<User[]>;
    revoke(who: string): Promise<User>;
    /** Which of a joining desk's cards the office has already (nothing is written). */
    joinPreview(request: JoinRequest): Promise<JoinPreview>;
    /** Every desk and how far behind the hub it is (the doctor's per-desk view). */
    desks(): Promise<unknown>;
    /** The user a desk's own token belongs to (null: unknown or revoked). */
    byToken(token: string): Promise<User | null>;
  };
}

/** Wrong pairing codes per address per minute before the bridge stops listening to that address. */
const PAIR_ATTEMPTS = 10;

export function httpApp(deps: ApiDeps) {
  const app = express();
  app.disable('x-powered-by');
  // The moment a PBX event reached us, before any parsing: where fan-out and pop latency start.
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.locals.receivedAt = performance.now();
    next();
  });
  const webhooks = deps.webhooks;
  if (webhooks) {
    // Before the Host check: providers reach us through a tunnel under its own name. Signed instead.
    app.use(
      '/webhooks',
      webhookRouter(webhooks, (event, receivedAt) => deps.ingest(event, receivedAt)),
    );
    for (const [name, configured] of Object.entries({
      generic: webhooks.generic,
      twilio: webhooks.twilio,
      aircall: webhooks.aircall,
    })) {
      if (configured)
        deps.setSource({ name: `webhook:${name}`, state: 'ready', detail: `POST /webhooks/${name}` });
    }
  }
  app.use(deps.guard.middleware());

  const authenticated = (request: Request) =>
    sameSecret(bearer(request.headers.authorization), deps.token) &&
    deps.guard.officeTokenFrom(request.socket.remoteAddress);
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
    response.json(deps.health(detailed));
  });
  // The desk's probe of its token (after a link that closed): the office token or a user's own token.
  app.get('/api/v1/session', async (request, response) => {
    const ok = () => response.json({ ok: true, bridgeVersion: BRIDGE_VERSION, protocol: PROTOCOL_VERSION });
    if (authenticated(request)) return ok();
    const given = bearer(request.headers.authorization);
    if (given?.startsWith('kesher_')) {
      try {
        if (await deps.users.byToken(given)) return ok();
      } catch {
        response.status(503).json({ error: 'the office store is not available to check this desk’s token' });
        return;
      }
    }
    response
      .status(401)
      .setHeader('WWW-Authenticate', 'Bearer realm="kesher"')
      .json({ error: request.headers.authorization ? 'wrong token' : 'missing bearer token' });
  });
  // A desk's one-time pairing code for its own token. No bearer (the desk has none yet); guessing is slowed.
  const wrongCodes = new Map<string, { count: number; since: number }>();
  app.post('/api/v1/pair', express.json({ limit: '1kb' }), async (request, response) => {
    const address = request.socket.remoteAddress ?? '';
    const now = Date.now();
    const tries = wrongCodes.get(address);
    if (tries && now - tries.since < 60_000 && tries.count >= PAIR_ATTEMPTS) {
      response.status(429).json({ error: 'too many wrong codes: wait a minute' });
      return;
    }
    const code = typeof request.body?.code === 'string' ? request.body.code : '';
    try {
      const paired = await deps.users.pair(code);
      if (!paired) {
        const fresh = !tries || now - tries.since >= 60_000;
        wrongCodes.set(address, { count: fresh ? 1 : tries.count + 1, since: fresh ? now : tries.since });
        response
          .status(401)
          .json({ error: 'this pairing code is wrong, used or expired: ask for a new one' });
        return;
      }
      deps.log('info', `desk paired for ${paired.user.name}`, {
        event: 'user-paired',
        user: paired.user.name,
      });
      response.json({
        token: paired.token,
        user: { id: paired.user.id, name: paired.user.name, extensions: paired.user.extensions },
      });
    } catch (error) {
      response.status(503).json({ error: `the office store is not available: ${(error as Error).message}` });
    }
  });
  app.get('/api/v1/users', requireToken, async (_request, response) => {
    response.json({ users: await deps.users.list() });
  });
  // A desk about to join: its cards' names, emails and phone keys in, the office's matching cards out.
  app.post('/api/v1/join-preview', express.json({ limit: '2mb' }), async (request, response) => {
    const given = bearer(request.headers.authorization);
    let allowed = authenticated(request);
    try {
      if (!allowed && given.startsWith('kesher_')) allowed = (await deps.users.byToken(given)) !== null;
      if (!allowed) {
        response
          .status(401)
          .json({ error: request.headers.authorization ? 'wrong token' : 'missing bearer token' });
        return;
      }
      const parsed = validate(JoinRequestSchema, request.body);
      if (!parsed.ok) {
        response.status(400).json({ error: `bad preview request: ${parsed.reason}` });
        return;
      }
      response.json(await deps.users.joinPreview(parsed.value));
    } catch (error) {
      response.status(503).json({ error: `the office store is not available: ${(error as Error).message}` });
    }
  });
  app.get('/api/v1/desks', requireToken, async (_request, response) => {
    try {
      response.json(await deps.users.desks());
    } catch (error) {
      response.status(503).json({ error: `the office store is not available: ${(error as Error).message}` });
    }
  });
  app.post('/api/v1/users', requireToken, express.json({ limit: '4kb' }), async (request, response) => {
    const name = typeof request.body?.name === 'string' ? request.body.name : '';
    const extensions = Array.isArray(request.body?.extensions)
      ? request.body.extensions
          .filter((item: unknown): item is string => typeof item === 'string')
          .slice(0, 20)
      : [];
    try {
      response.status(201).json(await deps.users.add(name, extensions));
    } catch (error) {
      response.status(400).json({ error: (error as Error).message });
    }
  });
  app.delete('/api/v1/users/:who', requireToken, async (request, response) => {
    try {
      response.json({ user: await deps.users.revoke(String(request.params.who)) });
    } catch (error) {
      response.status(404).json({ error: (error as Error).message });
    }
  });
  app.post('/api/v1/calls', requireToken, express.json({ limit: '16kb' }), (request, response) => {
    const parsed = validate(CallEventInputSchema, request.body);
    if (!parsed.ok) {
      response.status(400).json({ error: parsed.reason });
      return;
    }
    const result = deps.ingest(parsed.value, response.locals.receivedAt as number);
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
      if (status === 500) deps.log('warn', `http: ${error.stack ?? error.message}`, { event: 'http-error' });
      response.status(status).json({ error: message });
    },
  );
  return app;
}
