/**
 * Cloud webhooks over real HTTP, through the bridge process started from a config file with a `webhooks`
 * section (as `npm start` does): each provider's signature, then the same call events as any source.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericSignature, twilioSignature } from '../../bridge/sources/webhook';
import type { ServerFrame } from '../../shared/protocol';
import { type BridgeProcess, newBridgeDir, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/ws-client';

const token = 'webhook-test-token-0123456789';
const secret = 'generic-webhook-secret-0123456789';
const PUBLIC_URL = 'https://bridge.example.com';
/** A call a minute ago, in Aircall's unix seconds (event times far from their receipt are not believed). */
const T0 = Math.floor(Date.now() / 1000) - 60;
let bridge: BridgeProcess;
let port: number;
let client: TestClient;

beforeAll(async () => {
  bridge = await startBridge({
    dir: newBridgeDir(token, {
      webhooks: {
        publicUrl: PUBLIC_URL,
        generic: { secret },
        twilio: { authToken: 'twilio-auth' },
        aircall: { token: 'aircall-token' },
      },
    }),
  });
  port = bridge.port;
  client = await TestClient.connect(bridge.wsUrl, token);
  await client.hello();
});
afterAll(async () => {
  await client.close();
  await bridge.stop();
});

/** POST with any Host header (a tunnel's), as providers do. */
function post(
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { host: 'bridge.example.com', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const callWith =
  (callId: string, status?: string) =>
  (frame: ServerFrame): frame is Extract<ServerFrame, { type: 'call' }> =>
    frame.type === 'call' &&
    frame.call.callId === callId &&
    (status === undefined || frame.call.status === status);

function signedGeneric(event: unknown, at = Math.floor(Date.now() / 1000)) {
  const body = JSON.stringify(event);
  const timestamp = String(at);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-kesher-timestamp': timestamp,
      'x-kesher-signature': genericSignature(secret, timestamp, body),
    },
  };
}

describe('generic HMAC webhook', () => {
  it('a signed event rings; duplicates and reordering settle into one call', async () => {
    const base = Date.now() - 60_000;
    const ended = signedGeneric({ callId: 'g-1', state: 'ended', from: '0541234567', at: base + 5_000 });
    const ringing = signedGeneric({ callId: 'g-1', state: 'ringing', from: '0541234567', at: base + 1_000 });
    expect((await post('/webhooks/generic', ended.body, ended.headers)).status).toBe(202);
    expect((await post('/webhooks/generic', ringing.body, ringing.headers)).status).toBe(202);
    expect((await post('/webhooks/generic', ringing.body, ringing.headers)).status).toBe(202);
    await client.next(
      (frame): frame is Extract<ServerFrame, { type: 'call' }> =>
        callWith('g-1')(frame) && frame.call.startedAt === base + 1_000,
    );
    // The late ringing only moved the start earlier; the repeat changed nothing and sent nothing.
    const frames = client.frames.filter(callWith('g-1'));
    expect(frames.map((frame) => [frame.call.status, frame.call.startedAt])).toEqual([
      ['missed', base + 5_000],
      ['missed', base + 1_000],
    ]);
  });

  it.each([
    [
      'a wrong signature',
      (signed: ReturnType<typeof signedGeneric>) => ({
        ...signed.headers,
        'x-kesher-signature': 'sha256=00',
      }),
      /does not match/,
    ],
    [
      'an old timestamp (a replay)',
      () => signedGeneric({ callId: 'g-2', state: 'ringing', from: '1' }, 1_000_000).headers,
      /current unix time/,
    ],
  ])('refuses %s', async (_name, headersOf, reason) => {
    const signed = signedGeneric({ callId: 'g-2', state: 'ringing', from: '1' });
    const response = await post('/webhooks/generic', signed.body, headersOf(signed));
    expect(response.status).toBe(401);
    expect(response.body).toMatch(reason);
  });

  it('answers a signed but invalid event with the reason', async () => {
    const signed = signedGeneric({ callId: 'g-3', state: 'sideways', from: '1' });
    const response = await post('/webhooks/generic', signed.body, signed.headers);
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/state must be/);
  });
});

describe('Twilio', () => {
  const params = (status: string) => ({
    CallSid: 'CA123',
    AccountSid: 'AC1',
    From: '+972541234567',
    To: '+97235550100',
    CallStatus: status,
    Direction: 'inbound',
    CallerName: 'Dana Levi',
  });
  const send = (values: Record<string, string>, signature?: string) =>
    post('/webhooks/twilio?site=main', new URLSearchParams(values).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature':
        signature ?? twilioSignature('twilio-auth', `${PUBLIC_URL}/webhooks/twilio?site=main`, values),
    });

  it('a signed status callback rings, and "no-answer" ends it as missed', async () => {
    const ringing = await send(params('ringing'));
    expect(ringing.status).toBe(200);
    expect(ringing.body).toContain('<Response/>');
    const frame = await client.next(callWith('twilio-CA123', 'ringing'));
    expect(frame.call).toMatchObject({ from: '+972541234567', fromName: 'Dana Levi', to: '+97235550100' });
    expect((await send(params('no-answer'))).status).toBe(200);
    await client.next(callWith('twilio-CA123', 'missed'));
  });

  it('refuses a bad signature', async () => {
    const response = await send(params('ringing'), 'bm90IGl0');
    expect(response.status).toBe(401);
  });
});

describe('Aircall', () => {
  const event = (name: string, extra: Record<string, unknown> = {}, tokenValue = 'aircall-token') =>
    JSON.stringify({
      event: name,
      resource: 'call',
      token: tokenValue,
      timestamp: 1,
      data: {
        id: 991,
        direction: 'inbound',
        raw_digits: '+30 210 123 4567',
        started_at: T0,
        number: { digits: '+30 210 999 9999' },
        ...extra,
      },
    });
  const json = { 'content-type': 'application/json' };

  it('created → answered → ended', async () => {
    expect((await post('/webhooks/aircall', event('call.created'), json)).status).toBe(200);
    await client.next(callWith('aircall-991', 'ringing'));
    await post('/webhooks/aircall', event('call.answered', { answered_at: T0 + 10 }), json);
    await post('/webhooks/aircall', event('call.ended', { answered_at: T0 + 10, ended_at: T0 + 70 }), json);
    const ended = await client.next(callWith('aircall-991', 'ended'));
    expect(ended.call).toMatchObject({
      from: '+30 210 123 4567',
      answeredAt: (T0 + 10) * 1000,
      endedAt: (T0 + 70) * 1000,
    });
  });

  it('refuses a wrong token and ignores other events', async () => {
    expect((await post('/webhooks/aircall', event('call.created', {}, 'guess'), json)).status).toBe(401);
    const other = await post('/webhooks/aircall', event('call.tagged'), json);
    expect(JSON.parse(other.body)).toEqual({ ok: true, ignored: true });
  });
});
