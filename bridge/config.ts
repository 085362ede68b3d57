/**
 * The bridge's config file: the pairing token, where to listen, which extension origins may connect.
 * Created on first run with a fresh token and owner-only permissions.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as v from 'valibot';
import { EXTENSION_ORIGIN } from '../shared/extension-id';
import { isCountryCode } from '../shared/phone';
import { isLoopback } from './http/guard';

export const DEFAULT_PORT = 17480;

const ConfigSchema = v.object({
  token: v.pipe(v.string(), v.minLength(16, 'token must be at least 16 characters')),
  host: v.optional(v.string(), '127.0.0.1'),
  port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)), DEFAULT_PORT),
  allowedOrigins: v.optional(v.array(v.string()), [EXTENSION_ORIGIN]),
  dataDir: v.optional(v.string()),
  /**
   * Desks on the office network: the names they reach the bridge by (the Host check accepts these beside
   * loopback and the listen address), e.g. ["kesher.office.lan", "192.168.1.10"].
   */
  hostNames: v.optional(v.array(v.pipe(v.string(), v.minLength(1, 'hostNames has an empty name')))),
  /** TLS (https/wss) with the office's certificate and key, PEM files (relative to this config file). */
  tls: v.optional(
    v.object({
      cert: v.pipe(v.string(), v.minLength(1, 'tls.cert is empty')),
      key: v.pipe(v.string(), v.minLength(1, 'tls.key is empty')),
    }),
  ),
  /** The call journal: how many call changes it keeps for desks that were away (default 50,000). */
  journal: v.optional(
    v.object({
      keep: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(1, 'journal.keep must be at least 1'),
          v.maxValue(1_000_000),
        ),
      ),
    }),
  ),
  /**
   * The office store (office mode): "embedded" (PGlite in the data folder, the default, opened when the
   * first desk syncs) or a postgres:// URL (several bridges may share one).
   */
  store: v.optional(
    v.union(
      [v.literal('embedded'), v.pipe(v.string(), v.regex(/^postgres(?:ql)?:\/\//i))],
      'store must be "embedded" or a postgres:// URL',
    ),
  ),
  /**
   * How the office writes phone numbers, for the calls the hub logs in the office store (as each desk's
   * Settings → default country and outside-line prefix do for its own lookups). Default: IL, no prefix.
   */
  phone: v.optional(
    v.object({
      defaultCountry: v.optional(
        v.pipe(
          v.string(),
          v.check(isCountryCode, 'phone.defaultCountry must be a country code such as "IL" or "GR"'),
        ),
        'IL',
      ),
      outsideLinePrefix: v.optional(
        v.pipe(v.string(), v.regex(/^\d{0,3}$/, 'phone.outsideLinePrefix is up to three digits')),
      ),
    }),
  ),
  /** Asterisk Manager Interface: ami://user:secret@host:5038 and click-to-call settings. */
  ami: v.optional(
    v.object({
      url: v.pipe(v.string(), v.startsWith('ami://', 'ami.url must look like ami://user:secret@host:5038')),
      originateChannel: v.optional(v.string()),
      originateContext: v.optional(v.string()),
      /** What the customer's phone shows for click-to-call (default: the extension's own caller id). */
      originateCallerId: v.optional(v.string()),
      includeInternal: v.optional(v.boolean()),
    }),
  ),
  /** Cloud PBX webhooks: each provider is enabled by its secret. */
  webhooks: v.optional(
    v.object({
      publicUrl: v.optional(v.string()),
      generic: v.optional(
        v.object({ secret: v.pipe(v.string(), v.minLength(16, 'webhooks.generic.secret is too short')) }),
      ),
      twilio: v.optional(v.object({ authToken: v.string() })),
      aircall: v.optional(v.object({ token: v.string() })),
    }),
  ),
  /** SIP ring-group member: listen address, optional REGISTER with the PBX. */
  sip: v.optional(
    v.object({
      listen: v.string(),
      extension: v.optional(v.string()),
      allowFrom: v.optional(v.array(v.string())),
      auth: v.optional(
        v.object({
          username: v.pipe(v.string(), v.minLength(1, 'sip.auth.username is empty')),
          password: v.pipe(v.string(), v.minLength(12, 'sip.auth.password must be at least 12 characters')),
          realm: v.optional(v.string()),
        }),
      ),
      register: v.optional(
        v.object({
          registrar: v.string(),
          username: v.string(),
          password: v.string(),
          domain: v.optional(v.string()),
          expires: v.optional(v.number()),
        }),
      ),
    }),
  ),
});
export type BridgeConfig = v.InferOutput<typeof ConfigSchema>;

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KESHER_CONFIG) return env.KESHER_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'kesher', 'bridge.json');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export interface LoadedConfig {
  config: BridgeConfig;
  path: string;
  created: boolean;
  /** Something the user should know (a config file others could read, now tightened). */
  warnings?: string[];
}

export function loadConfig(path: string): LoadedConfig {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const config: BridgeConfig = {
      token: newToken(),
      host: '127.0.0.1',
      port: DEFAULT_PORT,
      allowedOrigins: [EXTENSION_ORIGIN],
    };
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
    return { config, path, created: true };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(ConfigSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((item) => String(item.key)).join('.') ?? '';
    throw new Error(`config file ${path}: ${where ? `${where}: ` : ''}${issue.message}`);
  }
  const warnings: string[] = [];
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    // The file holds the pairing token and PBX secrets: owner-only, whatever the editor that wrote it did.
    try {
      chmodSync(path, 0o600);
      warnings.push(
        `config ${path} was readable by others (mode ${mode.toString(8)}); made it owner-only (600)`,
      );
    } catch (error) {
      warnings.push(
        `config ${path} is readable by others (mode ${mode.toString(8)}) and could not be changed: ${(error as Error).message}; run chmod 600 ${path}`,
      );
    }
  }
  return { config: parsed.output, path, created: false, warnings };
}

export function dataDirOf(loaded: LoadedConfig): string {
  return loaded.config.dataDir ?? dirname(loaded.path);
}

/** What the doctor and the start-up log say about a bridge on the office network. */
export function exposureWarnings(config: BridgeConfig): Array<{ event: string; text: string }> {
  if (isLoopback(config.host)) return [];
  const out: Array<{ event: string; text: string }> = [];
  if (!config.tls)
    out.push({
      event: 'lan-without-tls',
      text: `listening on ${config.host} (the office network) without TLS: desks' tokens and caller ids cross the network in clear; set tls.cert and tls.key (README: Desks on the office network)`,
    });
  if (!config.hostNames?.length && (config.host === '0.0.0.0' || config.host === '::'))
    out.push({
      event: 'lan-without-names',
      text: `listening on every address but hostNames is empty: desks on the network are refused (421) until their name for this machine is in hostNames`,
    });
  return out;
}
