/**
 * The bridge process with a `sip` section in its config file (as `npm start` reads it): a carrier that
 * withholds the caller (From anonymous, the number only in P-Asserted-Identity, Privacy: id) is "Withheld"
 * and its number never kept; an ordinary INVITE still shows its caller.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol';
import {
  type BridgeProcess,
  newBridgeDir,
  sipPortOf,
  REPO_ROOT,
  startBridge,
} from '../helpers/bridge-process';
import { TestClient } from '../helpers/ws-client';

type CallFrame = Extract<ServerFrame, { type: 'call' }>;
const token = 'sip-privacy-token-0123456789';
let bridge: BridgeProcess;
let client: TestClient;
let sipPort: number;

beforeAll(async () => {
  bridge = await startBridge({
    dir: newBridgeDir(token, { sip: { listen: '127.0.0.1:0', extension: '100' } }),
  });
  sipPort = sipPortOf(bridge);
  client = await TestClient.connect(bridge.wsUrl, token);
  await client.hello();
});
afterAll(async () => {
  await client.close();
  await bridge.stop();
});

/** The recorded carrier INVITE (tests/fixtures/sip), with its caller headers replaced. */
function invite(callId: string, headers: { from: string; extra: string[] }): string {
  const recorded = readFileSync(
    join(REPO_ROOT, 'tests/fixtures/sip/carrier-invite-pai-diversion.txt'),
    'utf8',
  );
  const [head, body] = recorded.split(/\r?\n\r?\n/);
  const lines = head!
    .split(/\r?\n/)
    .filter((line) => !/^(From|P-Asserted-Identity|Diversion|Call-ID):/i.test(line))
    .concat([`From: ${headers.from}`, `Call-ID: ${callId}`, ...headers.extra]);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

async function send(datagram: string): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.send(datagram, sipPort, '127.0.0.1', () => resolve()));
  socket.close();
}

const ringing =
  (callId: string) =>
  (frame: ServerFrame): frame is CallFrame =>
    frame.type === 'call' && frame.call.callId === `sip-${callId}`;

describe('SIP caller-id privacy', () => {
  it('Privacy: id with the number in P-Asserted-Identity pops "Withheld", and the number is never kept', async () => {
    await send(
      invite('withheld-1@carrier', {
        from: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=a1',
        extra: [
          'P-Asserted-Identity: "Secret Caller" <sip:+972541112222@carrier.example;user=phone>',
          'Privacy: id',
        ],
      }),
    );
    const frame = await client.next(ringing('withheld-1@carrier'));
    expect(frame.call).toMatchObject({ from: 'anonymous', status: 'ringing', extension: '100' });
    expect(frame.call.fromName).toBeUndefined();
    const journal = readFileSync(join(bridge.dataDir, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('541112222');
    expect(journal).not.toContain('Secret Caller');
  });

  it('an ordinary caller still shows', async () => {
    await send(
      invite('open-1@carrier', {
        from: '"Dana Levi" <sip:+972541234567@carrier.example;user=phone>;tag=b2',
        extra: [],
      }),
    );
    const frame = await client.next(ringing('open-1@carrier'));
    expect(frame.call).toMatchObject({ from: '+972541234567', fromName: 'Dana Levi' });
  });
});
