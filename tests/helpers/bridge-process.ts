/**
 * Starts the real bridge process (bridge/main.ts through tsx) on port 0 with its own config and data
 * folder, and reads the URL it prints. Used by the integration and end-to-end tests and the benchmarks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** One line of the bridge's log (bridge/log.ts): when, how bad, the text, and the event's figures. */
export interface LogRecord {
  at: string;
  level: 'info' | 'warn';
  msg: string;
  event?: string;
  [field: string]: unknown;
}

export interface BridgeProcess {
  child: ChildProcess;
  httpUrl: string;
  wsUrl: string;
  port: number;
  token: string;
  configPath: string;
  dataDir: string;
  stdout: string;
  stderr: () => string;
  /** The bridge's log records so far (JSON lines on stderr). */
  logs: () => LogRecord[];
  onLog: (listener: (record: LogRecord) => void) => () => void;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a folder (config + journal) from an earlier run: a restart. */
  dir?: string;
  /** Listen on this port (a restart must keep the URL the extension knows). */
  port?: number;
  token?: string;
  extraArgs?: string[];
  /** Options for node itself (the benchmarks use --expose-gc). */
  nodeArgs?: string[];
}

/** A folder for a bridge; with a token, its config file too (`extra`: more config sections, as a user writes them). */
export function newBridgeDir(token?: string, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'kesher-bridge-'));
  if (token) {
    writeFileSync(
      join(dir, 'bridge.json'),
      JSON.stringify({ token, host: '127.0.0.1', port: 0, allowedOrigins: [EXTENSION_ORIGIN], ...extra }),
      { mode: 0o600 },
    );
  }
  return dir;
}

export async function startBridge(options: StartOptions = {}): Promise<BridgeProcess> {
  const dir = options.dir ?? newBridgeDir(options.token);
  const configPath = join(dir, 'bridge.json');
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      join(REPO_ROOT, 'bridge', 'main.ts'),
      '--config',
      configPath,
      '--port',
      String(options.port ?? 0),
      ...(options.extraArgs ?? []),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  // The bridge logs JSON lines when not on a terminal: tools read its records, never its prose.
  const records: LogRecord[] = [];
  const logListeners = new Set<(record: LogRecord) => void>();
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr += text;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const record = JSON.parse(line) as LogRecord;
      records.push(record);
      for (const listener of logListeners) listener(record);
    }
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    logListeners.add((record) => {
      if (record.event === 'listening') resolvePort(Number(record.port));
    });
    child.once('exit', (code) =>
      reject(new Error(`bridge exited with ${code} before listening:\n${stderr}`)),
    );
  });
  // The banner for the person who started it arrives on stdout, on its own pipe: wait for it too.
  const bannerBy = Date.now() + 10_000;
  while (!stdout.includes('Next:') && Date.now() < bannerBy && child.exitCode === null)
    await new Promise((resolveWait) => setTimeout(resolveWait, 10));
  const token = JSON.parse(readFileSync(configPath, 'utf8')).token as string;
  return {
    child,
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    token,
    configPath,
    dataDir: dir,
    get stdout() {
      return stdout;
    },
    stderr: () => stderr,
    logs: () => records,
    onLog: (listener: (record: LogRecord) => void) => {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}

export async function postCall(
  bridge: Pick<BridgeProcess, 'httpUrl' | 'token'>,
  body: unknown,
): Promise<Response> {
  const send = () =>
    fetch(`${bridge.httpUrl}/api/v1/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  try {
    return await send();
  } catch (error) {
    // A kept-alive connection the bridge closed as idle (5 s) just as this request went out: the request
    // never reached it. Once more on a new connection (a call event sent twice is one event anyway).
    if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
    return send();
  }
}

export async function health(bridge: Pick<BridgeProcess, 'httpUrl' | 'token'>) {
  const response = await fetch(`${bridge.httpUrl}/health`, {
    headers: { authorization: `Bearer ${bridge.token}` },
  });
  return (await response.json()) as {
    clients: number;
    connectionsTotal: number;
    journal: { seq: number; id: string };
    store?: {
      state: string;
      kind?: string;
      headSeq?: number;
      desks?: number;
      schema?: { current: number; latest: number };
    };
    popLatencyMs: { count: number; p50: number | null; p95: number | null };
  };
}

/** The UDP port a bridge started with a `sip` section listens on, from its `sip-listening` log record. */
export function sipPortOf(bridge: Pick<BridgeProcess, 'logs' | 'stderr'>): number {
  const port = Number(bridge.logs().find((record) => record.event === 'sip-listening')?.port);
  if (!(port > 0)) throw new Error(`the bridge did not say where SIP listens:\n${bridge.stderr()}`);
  return port;
}
