import { statSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import { type BridgeProcess, health, newBridgeDir, postCall, startBridge } from '../helpers/bridge-process';
import { isType, TestClient } from '../helpers/ws-client';

let bridge: BridgeProcess;

beforeAll(async () => {
  bridge = await startBridge();
});
afterAll(async () => {
  await bridge?.stop();
});

/** Raw HTTP with chosen headers (fetch forbids setting Host and Origin). */
function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('first run', () => {
  it('creates an owner-only config with a token and prints it once', async () => {
    expect(statSync(bridge.configPath).mode & 0o777).toBe(0o600);
    expect(bridge.token.length).toBeGreaterThanOrEqual(30);
    expect(bridge.stdout).toContain(bridge.token);
    expect(bridge.stdout).toContain(`ws://127.0.0.1:${bridge.port}/ws`);
    expect(bridge.stdout).toMatch(/Extension folder: .*chrome-mv3/);
  });

  it('does not print the token on later runs', async () => {
    const again = await startBridge({
      dir: bridge.dataDir.replace(/\/$/, ''),
      extraArgs: ['--data-dir', newBridgeDir()],
    });
    try {
      expect(again.stdout).not.toContain(again.token);
      expect(again.stdout).toMatch(/--print-token/);
    } finally {
      await again.stop();
    }
  });
});

describe('call API', () => {
  it('says nothing but "ok" without the token, and the details with it', async () => {
    expect(await (await fetch(`${bridge.httpUrl}/health`)).json()).toEqual({ status: 'ok' });
    const details = await health(bridge);
    expect(details).toMatchObject({ clients: 0, journal: { seq: expect.any(Number) } });
  });

  it('refuses calls without the right token', async () => {
    const missing = await fetch(`${bridge.httpUrl}/api/v1/calls`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toBe('missing bearer token');
    const wrong = await postCall(
      { httpUrl: bridge.httpUrl, token: 'x'.repeat(32) },
      { callId: 'a', state: 'ringing', from: '1' },
    );
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('wrong token');
  });

  it('answers bad input with 400 and the reason', async () => {
    const badJson = await fetch(`${bridge.httpUrl}/api/v1/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
      body: '{"callId": ',
    });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error).toMatch(/not valid JSON/);
    const badState = await postCall(bridge, { callId: 'a', state: 'ring', from: '1' });
    expect(badState.status).toBe(400);
    expect((await badState.json()).error).toMatch(/state must be/);
  });

  it('turns events into a call with a status', async () => {
    const ringing = await postCall(bridge, { callId: 'api-1', state: 'ringing', from: '0541234567' });
    expect(ringing.status).toBe(202);
    expect(await ringing.json()).toEqual({ callId: 'api-1', status: 'ringing', changed: true });
    const again = await postCall(bridge, { callId: 'api-1', state: 'ringing', from: '0541234567' });
    expect(await again.json()).toMatchObject({ changed: false });
    const ended = await postCall(bridge, { callId: 'api-1', state: 'ended', from: '0541234567' });
    expect(await ended.json()).toMatchObject({ status: 'missed' });
  });

  it('refuses other Host headers (DNS rebinding) and web page origins', async () => {
    expect(await rawGet('/health', { host: 'evil.example:80' })).toBe(421);
    expect(
      await rawGet('/health', { host: `127.0.0.1:${bridge.port}`, origin: 'https://evil.example' }),
    ).toBe(403);
    expect(await rawGet('/health', { host: `localhost:${bridge.port}`, origin: EXTENSION_ORIGIN })).toBe(200);
  });
});

describe('extension link', () => {
  it('refuses a WebSocket without the token or from another origin, at the upgrade', async () => {
    await expect(TestClient.connect(bridge.wsUrl, 'wrong-token-wrong-token')).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(bridge.wsUrl, bridge.token, 'https://evil.example')).rejects.toThrow(
      'HTTP 403',
    );
    const noProtocol = new WebSocket(bridge.wsUrl, { origin: EXTENSION_ORIGIN });
    await expect(
      new Promise((resolve, reject) => {
        noProtocol.once('open', resolve);
        noProtocol.once('unexpected-response', (_req, response) =>
          reject(new Error(`HTTP ${response.statusCode}`)),
        );
      }),
    ).rejects.toThrow('HTTP 401');
  });

  it('relays a ringing call once, and measures the pop on ack', async () => {
    const client = await TestClient.connect(bridge.wsUrl, bridge.token);
    const { welcome } = await client.hello();
    await postCall(bridge, { callId: 'live-1', state: 'ringing', from: '+972541234567', fromName: 'דנה' });
    await postCall(bridge, { callId: 'live-1', state: 'ringing', from: '+972541234567', fromName: 'דנה' });
    await postCall(bridge, { callId: 'live-2', state: 'ringing', from: '0501111111' });
    const second = await client.next(
      (frame): frame is Extract<typeof frame, { type: 'call' }> =>
        frame.type === 'call' && frame.call.callId === 'live-2',
    );
    const calls = client.frames.filter(isType('call'));
    // The duplicate ringing event produced no frame: live-1 once, then live-2.
    expect(calls.map((frame) => frame.call.callId)).toEqual(['live-1', 'live-2']);
    expect(calls[0]).toMatchObject({
      replay: false,
      journalId: welcome.journalId,
      call: { fromName: 'דנה', status: 'ringing' },
    });
    expect(second.seq).toBe(calls[0]!.seq + 1);
    const before = (await health(bridge)).popLatencyMs.count;
    client.send({ type: 'ack', callId: 'live-1' });
    client.send({ type: 'ack', callId: 'live-1' });
    // Health is read after a round trip on the same socket, so the acks have been handled.
    client.send({ type: 'keepalive' });
    await expect.poll(async () => (await health(bridge)).popLatencyMs.count).toBe(before + 1);
    await client.close();
  });

  it('answers malformed frames with an error and keeps the connection', async () => {
    const client = await TestClient.connect(bridge.wsUrl, bridge.token);
    client.socket.send('garbage');
    const error = await client.next(isType('error'));
    expect(error.reason).toMatch(/not JSON/);
    client.send({ type: 'ack' });
    const second = await client.next(
      (frame): frame is Extract<typeof frame, { type: 'error' }> => frame.type === 'error' && frame !== error,
    );
    expect(second.reason).toMatch(/callId/);
    const { welcome } = await client.hello();
    expect(welcome.protocol).toBe(1);
    await client.close();
  });

  it('catches a reconnecting extension up on what it missed, each call once as it ended', async () => {
    const client = await TestClient.connect(bridge.wsUrl, bridge.token);
    const { caughtUp, welcome } = await client.hello();
    await client.close();
    await postCall(bridge, { callId: 'away-1', state: 'ringing', from: '0541234567' });
    await postCall(bridge, { callId: 'away-1', state: 'ended', from: '0541234567' });
    await postCall(bridge, { callId: 'away-2', state: 'ringing', from: '0527654321' });
    await postCall(bridge, { callId: 'away-2', state: 'answered', from: '0527654321' });
    const back = await TestClient.connect(bridge.wsUrl, bridge.token);
    const { replayed } = await back.hello(caughtUp.seq, welcome.journalId);
    expect(replayed.map((frame) => [frame.call.callId, frame.call.status, frame.replay])).toEqual([
      ['away-1', 'missed', true],
      ['away-2', 'answered', true],
    ]);
    await back.close();
  });
});

describe('idle sockets', () => {
  it('closes sockets that never send a byte and links that never say hello; the extension still connects', async () => {
    // 300 sockets that connect and say nothing (a few hundred once used up the file descriptors).
    const idle: Socket[] = [];
    const closed: Promise<number>[] = [];
    const opened = Date.now();
    for (let index = 0; index < 300; index++) {
      const socket = connect(bridge.port, '127.0.0.1');
      idle.push(socket);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve(Date.now() - opened))));
      socket.on('error', () => {});
    }
    // An authenticated link that never says hello.
    const silent = await TestClient.connect(bridge.wsUrl, bridge.token);
    const silentClosed = new Promise<number>((resolve) =>
      silent.socket.once('close', (code) => resolve(code)),
    );
    // Meanwhile an extension connects as usual.
    const client = await TestClient.connect(bridge.wsUrl, bridge.token);
    await client.hello();
    const times = await Promise.all(closed);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(9_000);
    expect(await silentClosed).toBe(1008);
    expect(bridge.stderr()).toMatch(/never said hello; closed/);
    // The extension that did say hello keeps its link (it sends keep-alives; the heartbeat answers).
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    await client.close();
    for (const socket of idle) socket.destroy();
  }, 30_000);
});

describe('restart', () => {
  it('keeps the journal across a restart on the same port', async () => {
    const first = await startBridge();
    const client = await TestClient.connect(first.wsUrl, first.token);
    const { caughtUp, welcome } = await client.hello();
    await client.close();
    await postCall(first, { callId: 'r-1', state: 'ringing', from: '0541234567' });
    await first.stop();
    const second = await startBridge({ dir: first.dataDir, port: first.port });
    try {
      await postCall(second, { callId: 'r-1', state: 'ended', from: '0541234567' });
      const back = await TestClient.connect(second.wsUrl, second.token);
      const { replayed, welcome: again } = await back.hello(caughtUp.seq, welcome.journalId);
      expect(again.journalId).toBe(welcome.journalId);
      expect(replayed.map((frame) => [frame.call.callId, frame.call.status])).toEqual([['r-1', 'missed']]);
      await back.close();
    } finally {
      await second.stop();
    }
  });

  it('tells a desk that was away longer than the journal keeps that calls may be missing', async () => {
    const first = await startBridge({
      dir: newBridgeDir('journal-keep-token-0123456789', { journal: { keep: 3 } }),
    });
    try {
      const client = await TestClient.connect(first.wsUrl, first.token);
      const { caughtUp, welcome } = await client.hello();
      await client.close();
      // 8 changes; the journal keeps 3 (compacting past 6), so the first ones are gone.
      for (let index = 1; index <= 4; index++) {
        await postCall(first, { callId: `long-${index}`, state: 'ringing', from: '0541234567' });
        await postCall(first, { callId: `long-${index}`, state: 'ended', from: '0541234567' });
      }
      const back = await TestClient.connect(first.wsUrl, first.token);
      const { gaps, replayed } = await back.hello(caughtUp.seq, welcome.journalId);
      expect(gaps).toHaveLength(1);
      expect(gaps[0]).toMatchObject({
        reason: 'expired',
        afterSeq: caughtUp.seq,
        journalId: welcome.journalId,
      });
      expect(gaps[0]!.resumeSeq).toBeGreaterThan(caughtUp.seq + 1);
      expect(replayed.map((frame) => frame.call.callId)).toContain('long-4');
      expect(replayed.map((frame) => frame.call.callId)).not.toContain('long-1');
      await back.close();
      // Up to date: no gap.
      const again = await TestClient.connect(first.wsUrl, first.token);
      const latest = await again.hello(welcome.seq + 8, welcome.journalId);
      expect(latest.gaps).toEqual([]);
      await again.close();
      expect(first.stderr()).toContain('missed journal entries');
    } finally {
      await first.stop();
    }
  });

  it('tells a desk whose cursor is from another journal (the data folder was reset)', async () => {
    const client = await TestClient.connect(bridge.wsUrl, bridge.token);
    const { gaps, welcome } = await client.hello(42, 'a-journal-that-is-gone');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ reason: 'new-journal', afterSeq: 42, journalId: welcome.journalId });
    await client.close();
  });
});
