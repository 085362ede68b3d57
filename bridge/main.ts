/**
 * kesher-bridge: relays office phone calls to the Kesher extension over a loopback WebSocket.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BridgeConfig, dataDirOf, defaultConfigPath, loadConfig } from './config';
import { Journal } from './journal';
import { Bridge } from './server';
import { redactAmiUrl } from './sources/ami/client';
import { AmiSource, type AmiSourceHooks } from './sources/ami/source';
import { type SipHooks, SipSource } from './sources/sip/source';

const HELP = `Usage: npm run bridge -- [options]

Relays phone calls to the Kesher extension over a WebSocket on this machine.

Options:
  --config <file>        config file (default: $KESHER_CONFIG, else ~/.config/kesher/bridge.json);
                         created on first run with a new pairing token, readable by you only
  --host <address>       address to listen on (default 127.0.0.1; anything else exposes the bridge)
  --port <number>        port to listen on (default 17480; 0 picks a free one)
  --data-dir <dir>       where the call journal is kept (default: beside the config file)
  --allow-origin <url>   an extension origin allowed to connect (repeatable; default: Kesher's own id)
  --ami <url>            Asterisk Manager Interface, ami://user:secret@host:5038 (or "ami" in the config
                         file, with originateChannel, e.g. "PJSIP/{extension}", and originateContext)
  --sip <host:port>      be a SIP ring-group member listening on UDP host:port (or "sip" in the config file,
                         with extension, allowFrom and register {registrar, username, password})
  --print-token          print the pairing token and exit
  -h, --help             this help

The call API: POST /api/v1/calls with "Authorization: Bearer <token>" and JSON
  { "callId": "...", "state": "ringing" | "answered" | "ended", "from": "...", "fromName"?, "to"?,
    "extension"?, "direction"?: "inbound" | "outbound" | "internal", "at"?: ms since epoch }
Health: GET /health (with the token for details).`;

function fail(message: string): never {
  process.stderr.write(`kesher-bridge: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    fail(`${(error as Error).message}\n\n${HELP}`);
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(resolve(args.config ?? defaultConfigPath()));
  } catch (error) {
    fail((error as Error).message);
  }
  if (args['print-token']) {
    process.stdout.write(`${loaded.config.token}\n`);
    return;
  }
  const config: BridgeConfig = {
    ...loaded.config,
    host: args.host ?? loaded.config.host,
    port: args.port !== undefined ? Number(args.port) : loaded.config.port,
    allowedOrigins: args['allow-origin'] ?? loaded.config.allowedOrigins,
    ami: args.ami ? { ...loaded.config.ami, url: args.ami } : loaded.config.ami,
    sip: args.sip ? { ...loaded.config.sip, listen: args.sip } : loaded.config.sip,
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535)
    fail(`--port ${args.port} is not a port`);
  const dataDir = resolve(args['data-dir'] ?? dataDirOf(loaded));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const log = (level: 'info' | 'warn', message: string) =>
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  let journal: Journal;
  try {
    journal = Journal.open(join(dataDir, 'journal.jsonl'), { onWarning: (message) => log('warn', message) });
  } catch (error) {
    fail((error as Error).message);
  }
  const bridge = new Bridge({
    token: config.token,
    journal,
    allowedOrigins: config.allowedOrigins,
    host: config.host,
    log,
  });
  // What every phone-system source reports into: calls, its state for /health and the doctor, warnings.
  const sourceHooks: AmiSourceHooks & SipHooks = {
    ingest: (event) => bridge.ingest(event),
    status: (status) => {
      bridge.setSource(status);
      log(status.state === 'ready' ? 'info' : 'warn', status.detail ?? status.state);
    },
    warn: (message) => log('warn', message),
  };
  let ami: AmiSource | undefined;
  if (config.ami) {
    try {
      ami = new AmiSource(config.ami, sourceHooks);
    } catch (error) {
      fail((error as Error).message);
    }
    bridge.setDialer((number, extension) => ami!.dial(number, extension));
  }
  let port: number;
  try {
    port = await bridge.listen(config.port, config.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is in use (another bridge running?); pick one with --port`
        : (error as Error).message,
    );
  }
  ami?.start();
  let sip: SipSource | undefined;
  if (config.sip) {
    sip = new SipSource(config.sip, sourceHooks);
    try {
      await sip.start();
    } catch (error) {
      fail(`SIP: cannot listen on ${config.sip.listen}: ${(error as Error).message}`);
    }
  }
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const extensionDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.output', 'chrome-mv3');
  const lines = [
    `Kesher bridge listening on http://${shownHost}:${port}`,
    `  Bridge URL (for the extension's settings): ws://${shownHost}:${port}/ws`,
    loaded.created
      ? `  Pairing token (shown once; also in ${loaded.path}): ${config.token}`
      : `  Pairing token: in ${loaded.path} (npm run bridge -- --print-token)`,
    `  Call journal: ${join(dataDir, 'journal.jsonl')} (${journal.seq} events)`,
    `  Sources: call API${config.ami ? `, Asterisk AMI at ${redactAmiUrl(config.ami.url)}` : ''}${sip ? `, SIP member on udp ${sip.address.host}:${sip.address.port}` : ''}`,
    `  Extension folder: ${extensionDir}`,
    '',
    "Next: open chrome://extensions, turn on Developer mode, 'Load unpacked' the extension folder,",
    "then in Kesher's settings paste the bridge URL and token. Try it: npm run call -- 0541234567",
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = async (signal: string) => {
    log('info', `${signal}: shutting down`);
    ami?.stop();
    sip?.stop();
    await bridge.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function parse() {
  return parseArgs({
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      ami: { type: 'string' },
      sip: { type: 'string' },
      'print-token': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

void main();
