/**
 * kesher-bridge: relays office phone calls to the Kesher extension over a loopback WebSocket.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BridgeConfig, dataDirOf, defaultConfigPath, loadConfig } from './config';
import { type RunningBridge, startBridgeFromConfig, stderrLog } from './build';
import { isLoopback } from './http/guard';
import { redactAmiUrl } from './sources/ami/client';
import { installService } from './service';
import { userCommand } from './store/user-cli';
import { backupStore, openConfiguredStore, restoreStore, storeLabel } from './store/cli';
import { isPostgresUrl } from './store/sql';

const HELP = `Usage: npm run bridge -- [options]
       npm run bridge -- backup <file>     the office store to a file (JSON lines)
       npm run bridge -- restore <file>    replace the office store with a backup (desks download it again)
       npm run bridge -- user add "<name>" [--extension 101]   a user, and their desk's one-time pairing code
       npm run bridge -- user list | user revoke <name or id>

Relays phone calls to the Kesher extension over a WebSocket on this machine.

Options:
  --config <file>        config file (default: $KESHER_CONFIG, else ~/.config/kesher/bridge.json);
                         created on first run with a new pairing token, readable by you only
  --host <address>       address to listen on (default 127.0.0.1; an office-network address lets other desks in:
                         they pair as users, see hostNames and tls in the README)
  --port <number>        port to listen on (default 17480; 0 picks a free one)
  --data-dir <dir>       where the call journal is kept (default: beside the config file)
  --allow-origin <url>   an extension origin allowed to connect (repeatable; default: Kesher's own id)
  --ami <url>            Asterisk Manager Interface, ami://user:secret@host:5038 (or "ami" in the config
                         file, with originateChannel, e.g. "PJSIP/{extension}", and originateContext)
  --sip <host:port>      be a SIP ring-group member listening on UDP host:port (or "sip" in the config file,
                         with extension, allowFrom and register {registrar, username, password})
  --store <embedded|postgres://…>  the office store (default: embedded, in the data folder)
  --print-token          print the pairing token and exit

Commands:
  backup <file> | restore <file>      the office store to or from one file
  user add "<name>" [--extension N] | user list | user revoke <name or id>
  install-service [--run-as <user>] [--after-postgres] [--no-enable]
                         a systemd unit that starts this bridge with the machine (system unit as root,
                         user unit otherwise)
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
  let args: ReturnType<typeof parse>['values'];
  let command: string | undefined;
  let file: string | undefined;
  let positionals: string[] = [];
  try {
    const parsed = parse();
    args = parsed.values;
    positionals = parsed.positionals;
    [command, file] = positionals;
  } catch (error) {
    fail(`${(error as Error).message}\n\n${HELP}`);
  }
  if (args.store !== undefined && args.store !== 'embedded' && !isPostgresUrl(args.store))
    fail('--store must be "embedded" or a postgres:// URL');
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
  if (command === 'backup' || command === 'restore') {
    if (!file) fail(`${command} needs a file: npm run bridge -- ${command} <file>`);
    const storeConfig = {
      ...loaded.config,
      store: (args.store as BridgeConfig['store']) ?? loaded.config.store,
    };
    const dataDir = resolve(args['data-dir'] ?? dataDirOf(loaded));
    try {
      const store = await openConfiguredStore(storeConfig, dataDir);
      try {
        if (command === 'backup') {
          const { lines } = await backupStore(store, resolve(file));
          process.stdout.write(
            `Backed up the office store (${storeLabel(storeConfig, dataDir)}) to ${file}: ${lines} lines\n`,
          );
        } else {
          const { records, changes } = await restoreStore(store, resolve(file));
          process.stdout.write(
            `Restored ${records} records and ${changes} changes from ${file}; store id is now ${store.storeId} (every desk downloads it again)\n`,
          );
        }
      } finally {
        await store.close();
      }
    } catch (error) {
      fail(`${command}: ${(error as Error).message}`);
    }
    return;
  }
  if (command === 'install-service') {
    try {
      const system = process.getuid?.() === 0;
      process.stdout.write(
        `${installService({
          configPath: loaded.path,
          system,
          runAs: args['run-as'],
          enable: !args['no-enable'],
          afterPostgres: args['after-postgres'],
          unitDir: process.env.KESHER_SYSTEMD_DIR,
        })}\n`,
      );
    } catch (error) {
      fail(`install-service: ${(error as Error).message}`);
    }
    return;
  }
  if (command === 'user') {
    try {
      // Where the running bridge listens (its API takes the command), and its store otherwise.
      const storeConfig = {
        ...loaded.config,
        store: (args.store as BridgeConfig['store']) ?? loaded.config.store,
        host: args.host ?? loaded.config.host,
        port: args.port !== undefined ? Number(args.port) : loaded.config.port,
      };
      const dataDir = resolve(args['data-dir'] ?? dataDirOf(loaded));
      const [, ...rest] = positionals;
      process.stdout.write(
        `${await userCommand(storeConfig, dataDir, rest, args.extension ?? [], dirname(loaded.path))}\n`,
      );
    } catch (error) {
      fail(`user: ${(error as Error).message}`);
    }
    return;
  }
  if (command) fail(`unknown command "${command}"\n\n${HELP}`);
  const config: BridgeConfig = {
    ...loaded.config,
    host: args.host ?? loaded.config.host,
    port: args.port !== undefined ? Number(args.port) : loaded.config.port,
    allowedOrigins: args['allow-origin'] ?? loaded.config.allowedOrigins,
    ami: args.ami ? { ...loaded.config.ami, url: args.ami } : loaded.config.ami,
    sip: args.sip ? { ...loaded.config.sip, listen: args.sip } : loaded.config.sip,
    store: (args.store as BridgeConfig['store']) ?? loaded.config.store,
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535)
    fail(`--port ${args.port} is not a port`);
  const dataDir = resolve(args['data-dir'] ?? dataDirOf(loaded));
  let running: RunningBridge;
  try {
    running = await startBridgeFromConfig(config, {
      dataDir,
      log: stderrLog,
      configDir: dirname(loaded.path),
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { port, journal, sip } = running;
  const log = stderrLog;
  for (const warning of loaded.warnings ?? []) log('warn', warning, { event: 'config-warning' });
  log('info', `listening on ${config.host} port ${port}`, { event: 'listening', host: config.host, port });
  const reachedAs = isLoopback(config.host) ? config.host : (config.hostNames?.[0] ?? config.host);
  const shownHost = reachedAs.includes(':') ? `[${reachedAs}]` : reachedAs;
  const scheme = config.tls ? 'https' : 'http';
  const extensionDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.output', 'chrome-mv3');
  const lines = [
    `Kesher bridge listening on ${scheme}://${shownHost}:${port}`,
    `  Bridge URL (for the extension's settings): ${config.tls ? 'wss' : 'ws'}://${shownHost}:${port}/ws`,
    loaded.created
      ? `  Pairing token (shown once; also in ${loaded.path}): ${config.token}`
      : `  Pairing token: in ${loaded.path} (npm run bridge -- --print-token)`,
    `  Call journal: ${join(dataDir, 'journal.jsonl')} (${journal.seq} events)`,
    `  Office store: ${storeLabel(config, dataDir)}`,
    `  Sources: call API${config.webhooks ? `, webhooks (${webhookNames(config).join(', ')})` : ''}${config.ami ? `, Asterisk AMI at ${redactAmiUrl(config.ami.url)}` : ''}${sip ? `, SIP member on udp ${sip.address.host}:${sip.address.port}` : ''}`,
    `  Extension folder: ${extensionDir}`,
    '',
    "Next: open chrome://extensions, turn on Developer mode, 'Load unpacked' the extension folder,",
    "then in Kesher's settings paste the bridge URL and token. Try it: npm run call -- 0541234567",
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = async (signal: string) => {
    log('info', `${signal}: shutting down`);
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function webhookNames(config: BridgeConfig): string[] {
  return (['generic', 'twilio', 'aircall'] as const).filter((name) => config.webhooks?.[name]);
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
      store: { type: 'string' },
      extension: { type: 'string', multiple: true },
      'print-token': { type: 'boolean' },
      'run-as': { type: 'string' },
      'no-enable': { type: 'boolean' },
      'after-postgres': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
}

void main();
