/**
 * The bridge built from its config: journal, server (call API, extension link, webhooks), and every
 * phone-system source the config names. This is the one function `bridge/main.ts` calls and the one the
 * tests reach through the real process: a config section that is not wired here does not exist.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { type BridgeConfig, exposureWarnings } from './config';
import { Journal } from './journal';
import { type Log, stderrLogger } from './log';
import { Bridge } from './server';
import { embeddedStoreExists, openConfiguredStore } from './store/cli';
import { AmiSource, type AmiSourceHooks } from './sources/ami/source';
import { type SipHooks, SipSource } from './sources/sip/source';

export type { Log, LogLevel } from './log';

function readTls(files: { cert: string; key: string }, dir: string): { cert: Buffer; key: Buffer } {
  const read = (name: 'cert' | 'key') => {
    const path = resolve(dir, files[name]);
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(
        `tls.${name}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
  const pair = { cert: read('cert'), key: read('key') };
  try {
    createSecureContext(pair);
  } catch (error) {
    throw new Error(`tls: the certificate and key do not make a TLS identity: ${(error as Error).message}`);
  }
  return pair;
}

export interface RunningBridge {
  bridge: Bridge;
  journal: Journal;
  port: number;
  ami?: AmiSource;
  sip?: SipSource;
  stop(): Promise<void>;
}

/** Log lines on stderr: JSON lines, or text on a terminal (bridge/log.ts). */
export const stderrLog: Log = stderrLogger();

/**
 * Start everything the config describes. Throws an Error whose message is what the user reads (a port in
 * use, a SIP address that cannot be bound, a journal that is not one).
 */
export async function startBridgeFromConfig(
  config: BridgeConfig,
  options: {
    dataDir: string;
    log?: Log /** TLS files are relative to it (the config file's folder). */;
    configDir?: string;
  },
): Promise<RunningBridge> {
  const log = options.log ?? stderrLog;
  const tls = config.tls ? readTls(config.tls, options.configDir ?? process.cwd()) : undefined;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const journal = Journal.open(join(options.dataDir, 'journal.jsonl'), {
    retain: config.journal?.keep,
    onWarning: (message) => log('warn', message),
  });
  const bridge = new Bridge({
    token: config.token,
    journal,
    allowedOrigins: config.allowedOrigins,
    host: config.host,
    hostNames: config.hostNames,
    tls,
    webhooks: config.webhooks,
    log,
    openStore: () => openConfiguredStore(config, options.dataDir),
  });
  // What every phone-system source reports into: calls, its state for /health and the doctor, warnings.
  const sourceHooks: AmiSourceHooks & SipHooks = {
    ingest: (event) => {
      bridge.ingest(event);
    },
    status: (status) => {
      bridge.setSource(status);
      log(status.state === 'ready' ? 'info' : 'warn', status.detail ?? status.state);
    },
    warn: (message) => log('warn', message),
  };
  const ami = config.ami ? new AmiSource(config.ami, sourceHooks) : undefined;
  if (ami) bridge.setDialer((number, extension) => ami.dial(number, extension));
  let port: number;
  try {
    port = await bridge.listen(config.port, config.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is in use (another bridge running?); pick one with --port`
        : (error as Error).message,
    );
  }
  for (const warning of exposureWarnings(config)) log('warn', warning.text, { event: warning.event });
  ami?.start();
  // A store that is not embedded is shared (other bridges, other branches): open it now, so that a wrong URL
  // is said at start-up and this bridge hears the others' changes from the start.
  if (config.store && config.store !== 'embedded') await bridge.sync.ready().catch(() => {});
  // An office store that exists is opened now too: the hub logs every call, with or without a browser open.
  else if (embeddedStoreExists(config, options.dataDir)) void bridge.sync.ready().catch(() => {});
  let sip: SipSource | undefined;
  if (config.sip) {
    sip = new SipSource(config.sip, sourceHooks);
    try {
      await sip.start();
      log('info', `SIP member listening on udp ${sip.address.host}:${sip.address.port}`, {
        event: 'sip-listening',
        host: sip.address.host,
        port: sip.address.port,
      });
    } catch (error) {
      ami?.stop();
      await bridge.close();
      throw new Error(`SIP: cannot listen on ${config.sip.listen}: ${(error as Error).message}`);
    }
  }
  return {
    bridge,
    journal,
    port,
    ami,
    sip,
    stop: async () => {
      ami?.stop();
      sip?.stop();
      await bridge.close();
    },
  };
}
