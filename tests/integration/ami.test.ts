/**
 * The Asterisk source against a scripted AMI server that replays real recordings byte for byte, in random
 * chunk sizes, over a real socket on port 0; the bridge relays to a real WebSocket client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../bridge/journal';
import { Bridge } from '../../bridge/server';
import { AmiSource } from '../../bridge/sources/ami/source';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import type { ServerFrame } from '../../shared/protocol';
import { ScriptedAmiServer, type ScriptedAmiOptions } from '../helpers/ami-server';
import { TestClient } from '../helpers/ws-client';

const token = 'ami-integration-token-0123456789';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: ScriptedAmiOptions, secret = 'sekret') {
  const ami = new ScriptedAmiServer(options);
  const amiPort = await ami.listen();
  cleanups.push(() => ami.close());
  const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'kesher-ami-')), 'journal.jsonl'));
  const logs: string[] = [];
  const bridge = new Bridge({
    token,
    journal,
    allowedOrigins: [EXTENSION_ORIGIN],
    log: (_level, message) => logs.push(message),
  });
  const port = await bridge.listen(0);
  cleanups.push(() => bridge.close());
  const statuses: string[] = [];
  const source = new AmiSource(
    { url: `ami://bridge:${secret}@127.0.0.1:${amiPort}`, originateChannel: 'SIP/{extension}' },
    {
      ingest: (event) => bridge.ingest(event),
      status: (status) => {
        statuses.push(`${status.state}: ${status.detail}`);
        bridge.setSource(status);
      },
      warn: (message) => logs.push(message),
    },
    { minBackoffMs: 20, maxBackoffMs: 200 },
  );
  bridge.setDialer((number, extension) => source.dial(number, extension));
  cleanups.push(() => source.stop());
  const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, token);
  cleanups.push(() => client.close());
  await client.hello();
  source.start();
  return { ami, bridge, source, client, statuses, logs };
}

const callFrame =
  (callId: string, status: string) =>
  (frame: ServerFrame): frame is Extract<ServerFrame, { type: 'call' }> =>
    frame.type === 'call' && frame.call.callId === callId && frame.call.status === status;

describe('Asterisk AMI source', () => {
  it('turns a recorded answered call into ringing → answered → ended frames', async () => {
    const { client, bridge } = await setUp({ script: 'answered', secret: 'sekret', maxChunk: 40 });
    const ringing = await client.next(callFrame('ami-1795435921.8', 'ringing'));
    expect(ringing.call).toMatchObject({
      from: '+493012345678',
      fromName: 'Alice Customer PAI',
      extension: '100',
    });
    await client.next(callFrame('ami-1795435921.8', 'answered'));
    const ended = await client.next(callFrame('ami-1795435921.8', 'ended'));
    expect(ended.call.answeredBy).toBe('100');
    expect(bridge.health(true).sources).toContainEqual(
      expect.objectContaining({ name: 'ami', state: 'ready' }),
    );
  });

  it('a caller who gives up is a missed call', async () => {
    const { client } = await setUp({ script: 'missed-caller-cancel', secret: 'sekret', maxChunk: 3 });
    const missed = await client.next(callFrame('ami-1795435958.10', 'missed'));
    expect(missed.call.from).toBe('+4940987654');
  });

  it('a refused login says what to fix and never shows the secret', async () => {
    const { statuses, logs } = await setUp({ script: 'answered', secret: 'the-real-one' }, 'wrong-secret');
    await expect
      .poll(() => statuses.at(-1))
      .toMatch(/^login-refused: AMI login refused: check the secret in manager.conf \[bridge\]/);
    expect([...statuses, ...logs].join('\n')).not.toContain('wrong-secret');
  });

  it('reconnects after the connection drops mid-event, and the health says so meanwhile', async () => {
    const { ami, statuses } = await setUp({ script: 'answered', secret: 'sekret', dropAfterBytes: 3000 });
    await expect.poll(() => ami.connections).toBeGreaterThanOrEqual(2);
    expect(statuses.some((status) => status.startsWith('reconnecting: AMI: reconnecting'))).toBe(true);
    await expect.poll(() => statuses.at(-1)).toMatch(/^ready/);
  });

  it('survives garbage, truncated frames and a 1 MB line, and stays connected', async () => {
    const junk = Buffer.concat([
      Buffer.from('\x00\xff\xfe garbage without structure\r\n\r\n'),
      Buffer.from(`Event: Huge\r\nValue: ${'x'.repeat(1024 * 1024)}\r\n\r\n`),
      Buffer.from('Event: DialBegin\r\nLinkedid: \r\n\r\n'),
      Buffer.from('Event: Newchannel\r\nUniqueid: 5.5\r\nLinked'),
    ]);
    const { logs, statuses, ami } = await setUp({
      script: 'answered',
      secret: 'sekret',
      inject: junk,
      maxChunk: 65536,
    });
    await expect.poll(() => logs.some((line) => /exceeds/.test(line))).toBe(true);
    expect(statuses.at(-1)).toMatch(/^ready/);
    expect(ami.connections).toBe(1);
  });

  it("click-to-call: dial rings the user's phone through Originate and reports each step", async () => {
    const { client, ami, bridge } = await setUp({ script: 'originate', secret: 'sekret', maxChunk: 200 });
    await expect
      .poll(() => bridge.health(true).sources?.find((source) => source.name === 'ami')?.state)
      .toBe('ready');
    client.send({ type: 'dial', requestId: 'r1', number: '+49 30 1234-5678', fromExtension: '100' });
    const first = await client.next(
      (frame): frame is Extract<ServerFrame, { type: 'dial-result' }> => frame.type === 'dial-result',
    );
    expect(first).toMatchObject({ ok: true, message: 'Ringing your phone…' });
    const final = await client.next(
      (frame): frame is Extract<ServerFrame, { type: 'dial-result' }> =>
        frame.type === 'dial-result' && frame !== first,
    );
    expect(final.ok).toBe(true);
    const originate = ami.received.find((message) => message.Action === 'Originate')!;
    expect(originate).toMatchObject({ Channel: 'SIP/100', Exten: '+493012345678', Async: 'true' });
    // One outbound call in the log, answered by the customer and ended: not an inbound pop.
    const ended = await client.next(
      (frame): frame is Extract<ServerFrame, { type: 'call' }> =>
        frame.type === 'call' && frame.call.status === 'ended',
    );
    expect(ended.call).toMatchObject({ direction: 'outbound', to: '+493012345678', callId: final.callId });
    const callIds = new Set(
      client.frames.flatMap((frame) => (frame.type === 'call' ? [frame.call.callId] : [])),
    );
    expect([...callIds]).toEqual([final.callId]);
  });

  it('click-to-call without AMI says what is missing', async () => {
    const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'kesher-ami-')), 'journal.jsonl'));
    const bridge = new Bridge({ token, journal, allowedOrigins: [EXTENSION_ORIGIN] });
    const port = await bridge.listen(0);
    cleanups.push(() => bridge.close());
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, token);
    cleanups.push(() => client.close());
    await client.hello();
    client.send({ type: 'dial', requestId: 'r1', number: '0541234567', fromExtension: '100' });
    const result = await client.next(
      (frame): frame is Extract<ServerFrame, { type: 'dial-result' }> => frame.type === 'dial-result',
    );
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/--ami/) });
  });
});
