/**
 * Cloud phone systems call us: Twilio voice status callbacks, Aircall webhooks and a generic JSON webhook
 * signed with HMAC-SHA256. Each checks its provider's signature on the raw body before reading a field,
 * then maps onto the same call events as every other source (duplicates and reordering are settled by the
 * call book, by call id).
 *
 * These routes are reached through a tunnel or reverse proxy, so unlike the rest of the bridge they do not
 * insist on a loopback Host header: the signature is their authentication.
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from '../secret';
import express, { type Request, type Response, type Router } from 'express';
import * as v from 'valibot';
import { type CallEventInput, CallEventInputSchema, validate } from '../../shared/protocol';

export interface WebhookConfig {
  /** The public base URL the provider calls (e.g. https://pbx-bridge.example.com): Twilio signs it. */
  publicUrl?: string;
  generic?: { secret: string };
  twilio?: { authToken: string };
  aircall?: { token: string };
}

/** Generic webhooks older than this (or from this far in the future) are refused: replays. */
export const MAX_SKEW_SECONDS = 300;

export function genericSignature(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Twilio: base64 HMAC-SHA1 of the full URL followed by every POST parameter, sorted, name then value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => text + key + params[key], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}

const TWILIO_STATES: Record<string, CallEventInput['state']> = {
  queued: 'ringing',
  initiated: 'ringing',
  ringing: 'ringing',
  'in-progress': 'answered',
  completed: 'ended',
  busy: 'ended',
  failed: 'ended',
  'no-answer': 'ended',
  canceled: 'ended',
};

/**
 * How Twilio writes a caller without caller id: the words, or the keypad spelling of them
 * (+266696687 ANONYMOUS, +86282452253 UNAVAILABLE, +8656696 UNKNOWN, +2562533 BLOCKED, +7378742833 RESTRICTED).
 */
const TWILIO_NO_CALLER_ID = new Set(['+266696687', '+86282452253', '+8656696', '+2562533', '+7378742833']);

export function fromTwilio(params: Record<string, string>): CallEventInput | string {
  const state = TWILIO_STATES[params.CallStatus ?? ''];
  if (!params.CallSid) return 'CallSid is missing';
  if (!state) return `unknown CallStatus "${params.CallStatus ?? ''}"`;
  const outbound = (params.Direction ?? 'inbound').startsWith('outbound');
  const timestamp = Date.parse(params.Timestamp ?? '');
  return {
    // A parent call's legs share the parent's id: one call, as Kesher counts them.
    callId: `twilio-${params.ParentCallSid || params.CallSid}`,
    state,
    direction: outbound ? 'outbound' : 'inbound',
    from: outbound ? (params.From ?? '') : (params.From ?? params.Caller ?? ''),
    fromName: params.CallerName || undefined,
    withheld:
      !outbound && TWILIO_NO_CALLER_ID.has((params.From ?? '').replace(/[\s-]/g, '')) ? true : undefined,
    to: params.To || undefined,
    ...(Number.isFinite(timestamp) ? { at: timestamp } : {}),
  };
}

const AircallSchema = v.object({
  event: v.string(),
  token: v.string(),
  timestamp: v.optional(v.number()),
  data: v.object({
    id: v.union([v.number(), v.string()]),
    direction: v.optional(v.string()),
    raw_digits: v.optional(v.nullable(v.string())),
    started_at: v.optional(v.nullable(v.number())),
    answered_at: v.optional(v.nullable(v.number())),
    ended_at: v.optional(v.nullable(v.number())),
    user: v.optional(v.nullable(v.object({ name: v.optional(v.string()) }))),
    number: v.optional(v.nullable(v.object({ digits: v.optional(v.string()) }))),
    contact: v.optional(
      v.nullable(
        v.object({
          first_name: v.optional(v.nullable(v.string())),
          last_name: v.optional(v.nullable(v.string())),
        }),
      ),
    ),
  }),
});

const AIRCALL_STATES: Record<string, CallEventInput['state']> = {
  'call.created': 'ringing',
  'call.ringing_on_agent': 'ringing',
  'call.answered': 'answered',
  'call.ended': 'ended',
};

export function fromAircall(payload: v.InferOutput<typeof AircallSchema>): CallEventInput | null {
  const state = AIRCALL_STATES[payload.event];
  if (!state) return null;
  const { data } = payload;
  const outbound = data.direction === 'outbound';
  const seconds =
    state === 'answered' ? data.answered_at : state === 'ended' ? data.ended_at : data.started_at;
  const name = [data.contact?.first_name, data.contact?.last_name].filter(Boolean).join(' ');
  return {
    callId: `aircall-${data.id}`,
    state,
    direction: outbound ? 'outbound' : 'inbound',
    from: outbound ? '' : (data.raw_digits ?? ''),
    fromName: name || undefined,
    to: outbound ? (data.raw_digits ?? undefined) : (data.number?.digits ?? undefined),
    ...(seconds ? { at: seconds * 1000 } : {}),
  };
}

export function webhookRouter(
  config: WebhookConfig,
  ingest: (event: CallEventInput, receivedAt?: number) => void,
): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: '64kb' });
  const refuse = (response: Response, status: number, error: string) => {
    response.status(status).json({ error });
  };

  router.post('/generic', raw, (request: Request, response: Response) => {
    if (!config.generic) {
      refuse(response, 404, 'the generic webhook is not configured (webhooks.generic.secret)');
      return;
    }
    const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
    const timestamp = request.header('x-kesher-timestamp') ?? '';
    const signature = request.header('x-kesher-signature') ?? '';
    if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) {
      refuse(response, 401, `X-Kesher-Timestamp must be the current unix time (±${MAX_SKEW_SECONDS} s)`);
      return;
    }
    if (!sameSecret(signature, genericSignature(config.generic.secret, timestamp, body))) {
      refuse(response, 401, 'X-Kesher-Signature does not match the body');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      refuse(response, 400, 'body is not valid JSON');
      return;
    }
    const parsed = validate(CallEventInputSchema, json);
    if (!parsed.ok) {
      refuse(response, 400, parsed.reason);
      return;
    }
    ingest(parsed.value, response.locals.receivedAt as number | undefined);
    response.status(202).json({ ok: true });
  });

  router.post('/twilio', raw, (request: Request, response: Response) => {
    if (!config.twilio) {
      refuse(response, 404, 'the Twilio webhook is not configured (webhooks.twilio.authToken)');
      return;
    }
    const params = Object.fromEntries(new URLSearchParams((request.body as Buffer).toString('utf8')));
    const base = config.publicUrl ?? `${request.protocol}://${request.get('host')}`;
    const url = `${base.replace(/\/$/, '')}${request.originalUrl}`;
    const expected = twilioSignature(config.twilio.authToken, url, params);
    if (!sameSecret(request.header('x-twilio-signature') ?? '', expected)) {
      refuse(
        response,
        401,
        `X-Twilio-Signature does not match (Twilio signs the URL it calls: is publicUrl ${base}?)`,
      );
      return;
    }
    const event = fromTwilio(params);
    if (typeof event === 'string') {
      refuse(response, 400, event);
      return;
    }
    ingest(event, response.locals.receivedAt as number | undefined);
    // Twilio reads TwiML from voice webhooks; an empty response lets the call go on as configured.
    response.status(200).type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  router.post('/aircall', raw, (request: Request, response: Response) => {
    if (!config.aircall) {
      refuse(response, 404, 'the Aircall webhook is not configured (webhooks.aircall.token)');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse((request.body as Buffer).toString('utf8'));
    } catch {
      refuse(response, 400, 'body is not valid JSON');
      return;
    }
    const parsed = v.safeParse(AircallSchema, json);
    if (!parsed.success) {
      refuse(response, 400, `not an Aircall call webhook: ${parsed.issues[0].message}`);
      return;
    }
    if (!sameSecret(parsed.output.token, config.aircall.token)) {
      refuse(response, 401, 'the webhook token does not match');
      return;
    }
    const event = fromAircall(parsed.output);
    if (event) ingest(event, response.locals.receivedAt as number | undefined);
    response.status(200).json({ ok: true, ignored: event === null });
  });

  return router;
}
