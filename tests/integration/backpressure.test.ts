/**
 * A client that stops reading must not hold the others up: the bridge drops it once its unsent data passes
 * the limit, keeps serving everyone else, and the dropped client catches up from the journal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Journal } from '../../bridge/journal';
import { Bridge } from '../../bridge/server';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import { isType, TestClient } from '../helpers/ws-client';

const token = 'backpressure-test-token-0123456789';
let bridge: Bridge;
let url: string;

beforeAll(async () => {
  const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'kesher-bp-')), 'journal.jsonl'));
  bridge = new Bridge({ token, journal, allowedOrigins: [EXTENSION_ORIGIN], maxBufferedBytes: 64 * 1024 });
  url = `ws://127.0.0.1:${await bridge.listen(0)}/ws`;
});
afterAll(async () => {
  await bridge.close();
});

it('drops a client that stopped reading and keeps the others current', async () => {
  const stalled = await TestClient.connect(url, token);
  const healthy = await TestClient.connect(url, token);
  const { caughtUp, welcome } = await stalled.hello();
  await healthy.hello();
  // Stop reading: the kernel buffers fill, then the bridge's own send buffer grows.
  (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();

  const calls = 20_000;
  for (let index = 0; index < calls; index++) {
    bridge.ingest({
      callId: `flood-${index}`,
      state: 'ringing',
      from: '0541234567',
      fromName: 'x'.repeat(150),
    });
    // Let the sockets drain between bursts, as real traffic would.
    if (index % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const last = await healthy.next(
    (frame): frame is Extract<typeof frame, { type: 'call' }> =>
      frame.type === 'call' && frame.call.callId === `flood-${calls - 1}`,
  );
  expect(last.call.status).toBe('ringing');
  expect(healthy.frames.filter(isType('call'))).toHaveLength(calls);
  // The bridge let go of the stalled client (it cannot tell the paused client, which reads nothing).
  expect(bridge.health(true).clients).toBe(1);
  stalled.socket.terminate();

  // Back again, it catches up on everything it had not read.
  const back = await TestClient.connect(url, token);
  const { replayed } = await back.hello(caughtUp.seq, welcome.journalId);
  expect(replayed).toHaveLength(calls);
  await Promise.all([healthy.close(), back.close()]);
});
