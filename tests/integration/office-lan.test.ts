/**
 * Desks on the office network: the bridge process started from a config with `tls` (the admin's
 * certificate and key) and `hostNames`, on 127.0.0.1 (tests never listen beyond loopback; the rule for the
 * office token from another machine is proved on the guard itself in tests/unit/bridge/link.test.ts).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket } from 'ws';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../shared/protocol';
import { type BridgeProcess, newBridgeDir, REPO_ROOT, startBridge } from '../helpers/bridge-process';

const TOKEN = 'office-lan-test-token-0123456789';
const TLS_DIR = join(REPO_ROOT, 'tests', 'fixtures', 'tls');
const ca = readFileSync(join(TLS_DIR, 'office.crt'));

function tlsBridgeDir(cert = 'office'): string {
  const dir = newBridgeDir(TOKEN, {
    hostNames: ['kesher.test'],
    // Relative to the config file, as an admin writes them.
    tls: { cert: 'certs/bridge.crt', key: 'certs/bridge.key' },
  });
  const certs = join(dir, 'certs');
  mkdirSync(certs);
  copyFileSync(join(TLS_DIR, `${cert}.crt`), join(certs, 'bridge.crt'));
  copyFileSync(join(TLS_DIR, `${cert}.key`), join(certs, 'bridge.key'));
  return dir;
}

/** wss to the bridge as a desk that trusts the office's certificate, reaching it by `host`. */
function connect(port: number, host: string): Promise<{ status: number } | { socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(
      `wss://127.0.0.1:${port}/ws`,
      [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${TOKEN}`],
      // servername reaches tls.connect (ws passes its options on; its types omit it).
      {
        origin: EXTENSION_ORIGIN,
        ca,
        servername: 'kesher.test',
        headers: { host: `${host}:${port}` },
      } as ClientOptions,
    );
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once('error', () => resolve({ status: -1 }));
  });
}

function httpsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca,
        servername: 'kesher.test',
        headers: { host: `kesher.test:${port}`, authorization: `Bearer ${TOKEN}` },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function cli(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bridge', script), ...args], {
      cwd: REPO_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a bridge with TLS and the office’s host names', () => {
  let bridge: BridgeProcess;
  beforeAll(async () => {
    bridge = await startBridge({ dir: tlsBridgeDir() });
  });
  afterAll(() => bridge?.stop());

  it('serves wss and https with the configured certificate, under its configured name', async () => {
    expect(bridge.stdout).toMatch(
      /Bridge URL \(for the extension's settings\): wss:\/\/127\.0\.0\.1:\d+\/ws/,
    );
    const desk = await connect(bridge.port, 'kesher.test');
    expect('socket' in desk).toBe(true);
    if ('socket' in desk) {
      const welcome = new Promise<string>((resolve) =>
        desk.socket.once('message', (data) => resolve(String(data))),
      );
      desk.socket.send(JSON.stringify({ type: 'hello', protocol: 1, lastSeq: null, journalId: null }));
      expect(JSON.parse(await welcome)).toMatchObject({ type: 'welcome' });
      desk.socket.close();
    }
    const health = await httpsGet(bridge.port, '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', journal: {} });
  });

  it('refuses a name it was not given (no DNS rebinding), and plain ws on the TLS port', async () => {
    expect(await connect(bridge.port, 'evil.example')).toEqual({ status: 421 });
    const plain = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws`, [SUBPROTOCOL], {
        origin: EXTENSION_ORIGIN,
      });
      socket.once('open', () => resolve('open'));
      socket.once('error', () => resolve('error'));
      socket.once('unexpected-response', () => resolve('refused'));
    });
    expect(plain).not.toBe('open');
  });

  it('the admin’s commands reach it over https, pinned to the configured certificate', async () => {
    // The admin's config names the port the bridge took.
    const config = JSON.parse(readFileSync(bridge.configPath, 'utf8'));
    writeFileSync(bridge.configPath, JSON.stringify({ ...config, port: bridge.port }), { mode: 0o600 });
    const rung = await cli('call-cli.ts', ['--config', bridge.configPath, '0541234567']);
    expect(rung.stderr).toBe('');
    expect(rung.stdout).toMatch(/: (ringing|ok|accepted)/);
    // A config naming another certificate than the one the bridge presents: the command says so.
    const other = tlsBridgeDir('other');
    const otherConfig = JSON.parse(readFileSync(join(other, 'bridge.json'), 'utf8'));
    writeFileSync(join(other, 'bridge.json'), JSON.stringify({ ...otherConfig, port: bridge.port }), {
      mode: 0o600,
    });
    const pinned = await cli('call-cli.ts', ['--config', join(other, 'bridge.json'), '0541234567']);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toMatch(/presents another certificate than tls\.cert/);
  });
});

describe('TLS files that are not there', () => {
  it('the bridge says which file and does not start', async () => {
    const dir = newBridgeDir(TOKEN, { tls: { cert: 'missing.crt', key: 'missing.key' } });
    const started = await cli('main.ts', ['--config', join(dir, 'bridge.json'), '--port', '0']);
    expect(started.code).not.toBe(0);
    expect(started.stderr).toMatch(/tls\.cert: cannot read .*missing\.crt: ENOENT/);
  });
});
