/**
 * The SIP member's authenticated mode through the bridge process (a `sip.auth` section in its config file,
 * as `npm start` reads it) and a real peer: sipp answers the digest challenge as a PBX with Kesher's
 * credentials does. A forged INVITE (any source address) without the password rings nobody.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol';
import { type BridgeProcess, newBridgeDir, sipPortOf, startBridge } from '../helpers/bridge-process';
import { runSipp } from '../helpers/sipp';
import { TestClient } from '../helpers/ws-client';

type CallFrame = Extract<ServerFrame, { type: 'call' }>;
const token = 'sip-auth-token-0123456789';
const auth = { username: 'kesher', password: 'digest-secret-42' };
let bridge: BridgeProcess;
let client: TestClient;
let sipPort: number;

beforeAll(async () => {
  bridge = await startBridge({
    dir: newBridgeDir(token, { sip: { listen: '127.0.0.1:0', extension: '100', auth } }),
  });
  sipPort = sipPortOf(bridge);
  client = await TestClient.connect(bridge.wsUrl, token);
  await client.hello();
});
afterAll(async () => {
  await client.close();
  await bridge.stop();
});

const calls = () => client.frames.filter((frame): frame is CallFrame => frame.type === 'call');

function sipp(password: string) {
  return runSipp([
    `127.0.0.1:${sipPort}`,
    '-sf',
    'auth-ring-cancel.xml',
    '-inf',
    'callers.csv',
    '-s',
    '4930555000',
    '-au',
    auth.username,
    '-ap',
    password,
    '-m',
    '1',
  ]);
}

/** One datagram, and the first answer. */
async function exchange(datagram: string): Promise<string> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
  socket.send(datagram, sipPort, '127.0.0.1');
  try {
    return await answer;
  } finally {
    socket.close();
  }
}

const forged = (callId: string, authorization?: string) =>
  [
    'INVITE sip:100@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-forged',
    'From: "Your Bank" <sip:+97235550000@bank.example>;tag=forged',
    'To: <sip:100@127.0.0.1>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

describe('SIP member with digest authentication', () => {
  it('a PBX with the password rings through the challenge: the call pops, then is missed', async () => {
    const run = await sipp(auth.password);
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    const ringing = await client.next(
      (frame): frame is CallFrame => frame.type === 'call' && frame.call.from === '+972541234567',
    );
    expect(ringing.call).toMatchObject({ fromName: 'Dana Levi', extension: '100' });
    await client.next(
      (frame): frame is CallFrame =>
        frame.type === 'call' && frame.call.callId === ringing.call.callId && frame.call.status === 'missed',
    );
  });

  it('a forged INVITE without the password is challenged and rings nobody', async () => {
    const before = calls().length;
    const answer = await exchange(forged('forged-1@attacker'));
    expect(answer.split('\r\n')[0]).toBe('SIP/2.0 401 Unauthorized');
    expect(answer).toMatch(/WWW-Authenticate: Digest realm="kesher", nonce="[^"]+", qop="auth"/);
    // A made-up answer, and a real nonce answered with the wrong password: refused.
    const nonce = /nonce="([^"]+)"/.exec(answer)![1];
    const guessed = `Digest username="kesher", realm="kesher", nonce="${nonce}", uri="sip:100@127.0.0.1", response="00000000000000000000000000000000"`;
    expect((await exchange(forged('forged-1@attacker', guessed))).split('\r\n')[0]).toBe(
      'SIP/2.0 403 Forbidden',
    );
    const madeUp = guessed.replace(nonce!, 'lq0000.invented');
    expect((await exchange(forged('forged-2@attacker', madeUp))).split('\r\n')[0]).toBe(
      'SIP/2.0 403 Forbidden',
    );
    // The bridge is still answering, and nothing rang.
    expect((await exchange(forged('forged-3@attacker'))).split('\r\n')[0]).toBe('SIP/2.0 401 Unauthorized');
    expect(calls().length).toBe(before);
    expect(bridge.stderr()).toMatch(/refused an INVITE from 127\.0\.0\.1:\d+ \(digest: wrong password/);
  });

  it('sipp with a wrong password is refused and rings nobody', async () => {
    const before = calls().length;
    const run = await sipp('not-the-password');
    expect(run.code).not.toBe(0);
    expect(calls().length).toBe(before);
  });
});
