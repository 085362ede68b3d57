/**
 * The bridge's modules one by one (bridge/http, bridge/link, bridge/log, bridge/secret): what the process
 * tests reach end to end, here at the edges a process test cannot set up (a client that stops reading, a
 * link that stops answering pings, a forged Host).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ServerFrame, TOKEN_SUBPROTOCOL_PREFIX } from '../../../shared/protocol';
import { exposureWarnings } from '../../../bridge/config';
import { Guard } from '../../../bridge/http/guard';
import { Journal } from '../../../bridge/journal';
import { PopLatency } from '../../../bridge/latency';
import { catchUp, journalGap } from '../../../bridge/link/catch-up';
import { Clients } from '../../../bridge/link/clients';
import { handleFrame, type SessionDeps } from '../../../bridge/link/session';
import { SyncHub } from '../../../bridge/link/sync';
import { checkUpgrade } from '../../../bridge/link/upgrade';
import { formatLogLine, type Log, type LogFields, logFormatOf } from '../../../bridge/log';
import { bearer, sameSecret } from '../../../bridge/secret';

/** A WebSocket as the link modules use it: what was sent, and whether it was dropped. */
function fakeSocket(bufferedAmount = 0) {
  const sent: string[] = [];
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount,
    terminated: false,
    pings: 0,
    closed: undefined as number | undefined,
    sent,
    frames: () => sent.map((data) => JSON.parse(data) as ServerFrame),
    send(data: string, done?: () => void) {
      sent.push(data);
      done?.();
    },
    terminate() {
      this.terminated = true;
      this.readyState = 3;
    },
    ping() {
      this.pings++;
    },
    close(code: number) {
      this.closed = code;
      this.readyState = 3;
    },
    on() {},
    once() {},
  };
  return socket;
}

function recordingLog() {
  const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
  const log: Log = (level, message, fields) => void lines.push({ level, message, fields });
  return { log, lines };
}

const dirs: string[] = [];
function journal(keep?: number): Journal {
  const dir = mkdtempSync(join(tmpdir(), 'kesher-link-'));
  dirs.push(dir);
  return Journal.open(join(dir, 'journal.jsonl'), { retain: keep });
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const call = (callId: string, status: 'ringing' | 'ended' = 'ringing') => ({
  callId,
  status,
  direction: 'inbound' as const,
  from: '+972501234567',
  startedAt: 1,
  updatedAt: 1,
});

describe('http guard', () => {
  const guard = new Guard({ host: 'bridge.office.lan', allowedOrigins: ['chrome-extension://kesher'] });
  it('accepts the names of the bridge, with or without a port, and nothing else', () => {
    for (const host of ['127.0.0.1:17480', 'localhost', '[::1]:1', 'bridge.office.lan:17480'])
      expect(guard.allowedHost(host), host).toBe(true);
    for (const host of [undefined, '', 'evil.example', '127.0.0.1.evil.example', 'bridge.office.lan.evil'])
      expect(guard.allowedHost(host), String(host)).toBe(false);
  });
  it('only the allowed extension is an allowed origin', () => {
    expect(guard.allowedOrigin('chrome-extension://kesher')).toBe(true);
    expect(guard.allowedOrigin('https://mail.google.com')).toBe(false);
    expect(guard.allowedOrigin(undefined)).toBe(false);
  });
});

describe('link upgrade', () => {
  const guard = new Guard({ allowedOrigins: ['chrome-extension://kesher'] });
  const request = (headers: Record<string, string>, url = '/ws') => ({
    url,
    headers: {
      host: '127.0.0.1:1',
      origin: 'chrome-extension://kesher',
      'sec-websocket-protocol': `kesher.v1, ${TOKEN_SUBPROTOCOL_PREFIX}secret-token`,
      ...headers,
    },
  });
  it('refuses a wrong path, Host, Origin or token with its own status, and lets the right one in', () => {
    expect(checkUpgrade(request({}, '/other'), guard, 'secret-token')).toMatchObject({ status: 404 });
    expect(checkUpgrade(request({ host: 'evil.example' }), guard, 'secret-token')).toMatchObject({
      status: 421,
    });
    expect(checkUpgrade(request({ origin: 'https://evil.example' }), guard, 'secret-token')).toMatchObject({
      status: 403,
    });
    expect(
      checkUpgrade(request({ 'sec-websocket-protocol': 'kesher.v1' }), guard, 'secret-token'),
    ).toMatchObject({
      status: 401,
    });
    expect(checkUpgrade(request({}), guard, 'another-token')).toMatchObject({ status: 401 });
    expect(checkUpgrade(request({}), guard, 'secret-token')).toEqual({ ok: true, who: 'office' });
    // A user's own token is looked up in the office store by the server.
    expect(
      checkUpgrade(
        request({ 'sec-websocket-protocol': `kesher.v1, ${TOKEN_SUBPROTOCOL_PREFIX}kesher_abc` }),
        guard,
        'secret-token',
      ),
    ).toEqual({ ok: true, who: 'user', token: 'kesher_abc' });
  });
});

describe('a bridge on the office network', () => {
  const guard = new Guard({
    host: '0.0.0.0',
    hostNames: ['Kesher.Office.LAN', '192.168.1.10'],
    allowedOrigins: ['chrome-extension://kesher'],
  });
  const from = (remoteAddress: string, token: string, host = 'kesher.office.lan:17480') => ({
    url: '/ws',
    socket: { remoteAddress },
    headers: {
      host,
      origin: 'chrome-extension://kesher',
      'sec-websocket-protocol': `kesher.v1, ${TOKEN_SUBPROTOCOL_PREFIX}${token}`,
    },
  });
  it('takes the names desks reach it by, whatever their case, and no other', () => {
    expect(guard.allowedHost('kesher.office.lan:17480')).toBe(true);
    expect(guard.allowedHost('192.168.1.10:17480')).toBe(true);
    expect(guard.allowedHost('evil.example:17480')).toBe(false);
  });
  it('the office token opens it only from this machine; a desk elsewhere comes in with its user’s token', () => {
    expect(checkUpgrade(from('192.168.1.20', 'secret-token'), guard, 'secret-token')).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(checkUpgrade(from('::ffff:192.168.1.20', 'secret-token'), guard, 'secret-token')).toMatchObject({
      status: 403,
    });
    expect(checkUpgrade(from('127.0.0.1', 'secret-token', '127.0.0.1:17480'), guard, 'secret-token')).toEqual(
      {
        ok: true,
        who: 'office',
      },
    );
    expect(checkUpgrade(from('192.168.1.20', 'kesher_abc'), guard, 'secret-token')).toEqual({
      ok: true,
      who: 'user',
      token: 'kesher_abc',
    });
    // Listening on one LAN address, the machine reaches itself there.
    const onOne = new Guard({ host: '192.168.1.10', allowedOrigins: [] });
    expect(onOne.officeTokenFrom('192.168.1.10')).toBe(true);
    expect(onOne.officeTokenFrom('192.168.1.11')).toBe(false);
    // On loopback (the default) nothing changes.
    expect(new Guard({ allowedOrigins: [] }).officeTokenFrom('192.168.1.20')).toBe(true);
  });
  it('the start-up log and the doctor say what is missing: TLS, the names', () => {
    const base = { token: 'x'.repeat(16), port: 1, allowedOrigins: [] };
    expect(exposureWarnings({ ...base, host: '127.0.0.1' })).toEqual([]);
    expect(exposureWarnings({ ...base, host: '0.0.0.0' }).map((warning) => warning.event)).toEqual([
      'lan-without-tls',
      'lan-without-names',
    ]);
    expect(
      exposureWarnings({
        ...base,
        host: '192.168.1.10',
        tls: { cert: 'c', key: 'k' },
      }),
    ).toEqual([]);
  });
});

describe('link clients', () => {
  it('a broadcast goes, serialised once, to every ready client and to no one still catching up', () => {
    const clients = new Clients(recordingLog().log);
    const sockets = [fakeSocket(), fakeSocket(), fakeSocket()];
    const added = sockets.map((socket) => clients.add(socket as never));
    added[0]!.ready = true;
    added[2]!.ready = true;
    expect(clients.broadcast({ type: 'heartbeat', at: 5 })).toBe(2);
    expect(sockets.map((socket) => socket.sent.length)).toEqual([1, 0, 1]);
    expect(sockets[0]!.sent[0]).toBe(sockets[2]!.sent[0]);
  });

  it('a client that stopped reading is dropped (and logged), and the others still get the frame', () => {
    const { log, lines } = recordingLog();
    const clients = new Clients(log, 1000);
    const slow = fakeSocket(5000);
    const fine = fakeSocket();
    for (const socket of [slow, fine]) clients.add(socket as never).ready = true;
    expect(clients.broadcast({ type: 'heartbeat', at: 1 })).toBe(2);
    expect(slow.terminated).toBe(true);
    expect(slow.sent).toEqual([]);
    expect(fine.sent).toHaveLength(1);
    expect(lines.map((line) => line.fields?.event)).toEqual(['client-dropped']);
  });

  it('the heartbeat pings everyone and ends a link that did not answer the last ping', () => {
    const { log, lines } = recordingLog();
    const clients = new Clients(log);
    const socket = fakeSocket();
    const client = clients.add(socket as never);
    client.ready = true;
    clients.beat(10);
    expect(socket.pings).toBe(1);
    expect(socket.frames()).toEqual([{ type: 'heartbeat', at: 10 }]);
    clients.beat(20); // no pong came in between
    expect(socket.terminated).toBe(true);
    expect(lines.map((line) => line.fields?.event)).toEqual(['client-dead']);
  });
});

describe('catch-up and the session', () => {
  function session(j: Journal, dialer?: SessionDeps['dialer']) {
    const recorder = recordingLog();
    const clients = new Clients(recorder.log);
    const deps: SessionDeps = {
      journal: j,
      clients,
      latency: new PopLatency(),
      dialer: dialer ?? (() => undefined),
      ingest: () => {
        throw new Error('not in this test');
      },
      timers: new Set(),
      log: recorder.log,
      sync: new SyncHub(() => Promise.reject(new Error('no store in this test')), clients, recorder.log),
    };
    const socket = fakeSocket();
    const client = clients.add(socket as never);
    return { deps, clients, socket, client, lines: recorder.lines };
  }

  it('a desk coming back gets each call it missed once, as it is now, then caught-up, then live calls', async () => {
    const j = journal();
    j.append(call('a'));
    const afterFirst = j.seq;
    j.append(call('b'));
    j.append(call('a', 'ended'));
    const { clients, socket, client } = session(j);
    await catchUp(clients, j, client, afterFirst);
    expect(
      socket
        .frames()
        .map((frame) => (frame.type === 'call' ? `${frame.call.callId}:${frame.call.status}` : frame.type)),
    ).toEqual(['b:ringing', 'a:ended', 'caught-up']);
    expect(client.ready).toBe(true);
  });

  it('hello with another protocol is refused and closed; with this one, welcome and the gap since a reset', async () => {
    const j = journal();
    j.append(call('a'));
    const old = session(j);
    handleFrame(old.deps, old.client, {
      type: 'hello',
      protocol: PROTOCOL_VERSION + 1,
      lastSeq: null,
      journalId: null,
    } as never);
    expect(old.socket.frames()[0]).toMatchObject({ type: 'error' });
    expect(old.socket.closed).toBe(1002);

    const back = session(j);
    handleFrame(back.deps, back.client, {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      lastSeq: 7,
      journalId: 'gone',
    } as never);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const types = back.socket.frames().map((frame) => frame.type);
    expect(types).toEqual(['welcome', 'gap', 'call', 'caught-up']);
    expect(back.socket.frames()[1]).toMatchObject({ reason: 'new-journal', afterSeq: 7 });
    expect(back.lines.map((line) => line.fields?.event)).toContain('journal-gap');
  });

  it('an ack is a pop-shown record with its latency; click-to-call without a dialer says what is missing', async () => {
    const j = journal();
    const { deps, client, socket, lines } = session(j);
    deps.latency.started('c1', performance.now() - 42);
    handleFrame(deps, client, { type: 'ack', callId: 'c1' });
    const shown = lines.find((line) => line.fields?.event === 'pop-shown');
    expect(shown?.fields).toMatchObject({ callId: 'c1' });
    expect(Number(shown?.fields?.ms)).toBeGreaterThanOrEqual(42);
    handleFrame(deps, client, { type: 'dial', requestId: 'r1', number: '0501234567', fromExtension: '101' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(socket.frames()).toEqual([
      { type: 'dial-result', requestId: 'r1', ok: false, message: expect.stringContaining('--ami') },
    ]);
  });

  it('the gap: none when up to date, expired when the journal dropped what the desk needs', () => {
    const j = journal(2);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) j.append(call(id)); // past twice what it keeps: trimmed
    expect(journalGap(j, j.seq, j.id)).toBeUndefined();
    expect(journalGap(j, 0, j.id)).toMatchObject({ reason: 'expired', afterSeq: 0 });
  });
});

describe('log lines and secrets', () => {
  it('JSON lines carry the event and its figures; text from the network is escaped in both forms', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    const hostile = 'Dana\u202e\u001b[31m';
    const json = JSON.parse(
      formatLogLine('warn', `caller ${hostile}`, { event: 'x', name: hostile, n: 3 }, 'json', now),
    );
    expect(json).toEqual({
      at: '2026-12-02T10:00:00.000Z',
      level: 'warn',
      msg: 'caller Dana\\u202e\\u001b[31m',
      event: 'x',
      name: 'Dana\\u202e\\u001b[31m',
      n: 3,
    });
    expect(formatLogLine('info', hostile, undefined, 'text', now)).toBe(
      '2026-12-02T10:00:00.000Z info Dana\\u202e\\u001b[31m',
    );
  });
  it('JSON unless a person watches the terminal; KESHER_LOG decides when set', () => {
    expect(logFormatOf({}, false)).toBe('json');
    expect(logFormatOf({}, true)).toBe('text');
    expect(logFormatOf({ KESHER_LOG: 'json' }, true)).toBe('json');
    expect(logFormatOf({ KESHER_LOG: 'text' }, false)).toBe('text');
  });
  it('secrets compare whole; a bearer header gives its token', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
    expect(bearer('Bearer  tok ')).toBe('tok');
    expect(bearer('Basic tok')).toBe('');
  });
});
