/**
 * npm run doctor: checks the bridge's config, the running bridge, each phone-system source and the
 * extension link, and says in plain words what is wrong and what to do. Exit code 0 when all is well.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BridgeConfig,
  defaultConfigPath,
  exposureWarnings,
  type LoadedConfig,
  loadConfig,
} from './config';
import { localBase, localFetch } from './local-api';
import { AmiClient, parseAmiUrl, redactAmiUrl } from './sources/ami/client';

interface Check {
  ok: boolean;
  text: string;
}

interface Health {
  sources: Array<{ name: string; state: string; detail?: string }>;
  clients: number;
  clientExtensions?: string[][];
  journal: { seq: number; writable?: boolean; problem?: { error: string; unwritten: number } };
  store?: {
    state: 'not-opened' | 'open' | 'failed';
    kind?: string;
    schema?: { current: number; latest: number };
    headSeq?: number;
    desks?: number;
    error?: string;
  };
  popLatencyMs: { count: number; p50: number | null; p95: number | null };
}

async function tryAmiLogin(url: string): Promise<Check> {
  return new Promise((done) => {
    const client = new AmiClient(parseAmiUrl(url), {
      onEvent: () => {},
      onStatus: (status) => {
        if (status.state === 'ready') finish({ ok: true, text: `${status.detail} (tested by the doctor)` });
        if (status.state === 'login-refused') finish({ ok: false, text: status.detail });
        if (status.state === 'reconnecting')
          finish({
            ok: false,
            text: `${status.detail.replace(/reconnecting in \d+ s, /, '')}: is Asterisk running, and is the AMI enabled in manager.conf?`,
          });
      },
    });
    const timer = setTimeout(
      () => finish({ ok: false, text: `AMI at ${redactAmiUrl(url)} did not answer within 5 s` }),
      5_000,
    );
    function finish(check: Check) {
      clearTimeout(timer);
      client.stop();
      done(check);
    }
    client.start();
  });
}

/**
 * Prove a webhook route is served: an unsigned POST must reach the route's own signature check (401),
 * not the bridge's "not found" (404) or its Host check (421).
 */
async function probeWebhook(
  config: BridgeConfig,
  configDir: string,
  name: string,
  publicAddress: string,
): Promise<Check> {
  try {
    const response = await localFetch(config, configDir, `/webhooks/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'kesher-doctor.invalid' },
      body: '{}',
    });
    if (response.status === 401 || response.status === 400)
      return { ok: true, text: `Webhook ${name}: answering at ${publicAddress} (signature checked)` };
    return {
      ok: false,
      text: `Webhook ${name} is configured but the running bridge answers ${response.status}: restart it (npm start) so it reads the webhooks section`,
    };
  } catch (error) {
    return { ok: false, text: `Webhook ${name}: ${(error as Error).message}` };
  }
}

interface DeskView {
  headSeq: number;
  desks: Array<{
    name: string;
    connected: boolean;
    cursor?: number;
    behind?: number;
    lastSeen?: number;
    pending?: boolean;
  }>;
}

/** Changes a desk may lag while connected (a download under way) before the doctor calls it behind. */
const BEHIND_WARNING = 1000;

/** One line per desk: connected and in step, behind by N, away since, a code not used yet. */
export function deskChecks(view: DeskView, now = Date.now()): Check[] {
  const when = (at: number) => {
    const minutes = Math.round((now - at) / 60_000);
    if (minutes < 1) return 'just now';
    if (minutes < 120) return `${minutes} min ago`;
    return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
  };
  return view.desks.map((desk) => {
    const label = `Desk of ${desk.name}`;
    if (desk.pending) return { ok: true, text: `${label}: pairing code issued, not used yet` };
    if (desk.connected) {
      const behind = desk.behind ?? 0;
      return behind === 0
        ? { ok: true, text: `${label}: connected, in step with the office store` }
        : {
            ok: behind < BEHIND_WARNING,
            text: `${label}: connected, behind by ${behind} change(s) (catching up)`,
          };
    }
    if (desk.lastSeen === undefined) return { ok: true, text: `${label}: paired, never synced` };
    const behind = desk.behind ?? view.headSeq;
    return {
      ok: true,
      text: `${label}: away, last seen ${when(desk.lastSeen)}, ${behind === 0 ? 'was in step' : `behind by ${behind} change(s)`} (it catches up when it opens)`,
    };
  });
}

export async function diagnose(loaded: LoadedConfig): Promise<Check[]> {
  const { config, path } = loaded;
  const checks: Check[] = [{ ok: true, text: `Config: ${path}` }];
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    checks.push({
      ok: false,
      text: `Config ${path} is readable by others (mode ${mode.toString(8)}): chmod 600 ${path}`,
    });
  }
  const base = localBase(config);
  const host = new URL(base).hostname;
  const configDir = dirname(path);
  let health: Health | undefined;
  for (const warning of exposureWarnings(config)) checks.push({ ok: false, text: warning.text });
  try {
    const response = await localFetch(config, configDir, '/health', {
      headers: { authorization: `Bearer ${config.token}` },
    });
    const body = (await response.json()) as Health & { status: string };
    if (!('sources' in body)) {
      checks.push({
        ok: false,
        text: `Something answers at ${base}, but not with this config's token: is another bridge running there?`,
      });
    } else {
      health = body;
      checks.push({ ok: true, text: `Bridge running at ${base} (journal at event ${body.journal.seq})` });
      if (body.journal.problem) {
        checks.push({
          ok: false,
          text: `Journal cannot be written: ${body.journal.problem.error} (${body.journal.problem.unwritten} call change(s) wait in memory; calls are still relayed): free space in the bridge's data folder`,
        });
      }
    }
  } catch {
    checks.push({
      ok: false,
      text: `The bridge is not running at ${base}: start it with npm start (or npm run bridge)`,
    });
  }

  if (health?.store) {
    const store = health.store;
    const where = config.store && config.store !== 'embedded' ? 'PostgreSQL' : 'embedded (PGlite)';
    if (store.state === 'failed')
      checks.push({
        ok: false,
        text: `Office store (${where}) cannot be opened: ${store.error}. For PostgreSQL, check the URL in "store" and that the server accepts this bridge`,
      });
    else if (store.state === 'open')
      checks.push({
        ok: store.schema?.current === store.schema?.latest,
        text:
          store.schema?.current === store.schema?.latest
            ? `Office store (${where}) open: ${store.headSeq ?? 0} changes, migrations current (v${store.schema?.current}), ${store.desks ?? 0} desk(s) in sync`
            : `Office store (${where}) is at schema v${store.schema?.current}, this bridge expects v${store.schema?.latest}: restart the bridge to migrate`,
      });
    else checks.push({ ok: true, text: `Office store (${where}): opened when the first desk syncs` });
    if (store.state === 'open') {
      try {
        const response = await localFetch(config, configDir, '/api/v1/desks', {
          headers: { authorization: `Bearer ${config.token}` },
        });
        if (response.ok) checks.push(...deskChecks((await response.json()) as DeskView));
      } catch {
        // The store's own line above says what is wrong.
      }
    }
  }

  if (health) {
    for (const source of health.sources) {
      checks.push({ ok: source.state === 'ready', text: source.detail ?? `${source.name}: ${source.state}` });
    }
    if (health.clients === 0) {
      checks.push({
        ok: false,
        text: `No extension is connected: in Kesher's settings, paste ws://${host}:${config.port}/ws and the token (npm run bridge -- --print-token)`,
      });
    } else {
      const who = (health.clientExtensions ?? []).map((list) => list.join(', ')).join('; ');
      checks.push({ ok: true, text: `${health.clients} extension(s) connected${who ? ` (${who})` : ''}` });
    }
    if (health.popLatencyMs.count > 0) {
      checks.push({
        ok: true,
        text: `Pops so far: ${health.popLatencyMs.count}, p50 ${health.popLatencyMs.p50} ms, p95 ${health.popLatencyMs.p95} ms`,
      });
    }
  } else if (config.ami) {
    // The bridge is down: the doctor can still tell whether the AMI settings would work.
    checks.push(await tryAmiLogin(config.ami.url));
  }
  if (config.webhooks) {
    const publicUrl =
      config.webhooks.publicUrl ?? '(set webhooks.publicUrl to the address your provider calls)';
    for (const name of ['generic', 'twilio', 'aircall'] as const) {
      if (!config.webhooks[name]) continue;
      if (!health) {
        checks.push({ ok: false, text: `Webhook ${name}: not tested, the bridge is not running` });
        continue;
      }
      checks.push(await probeWebhook(config, configDir, name, `${publicUrl}/webhooks/${name}`));
    }
  }
  return checks;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(resolve(values.config ?? defaultConfigPath()));
  } catch (error) {
    process.stdout.write(`✗ ${(error as Error).message}\n`);
    process.exit(1);
  }
  const checks = await diagnose(loaded);
  for (const check of checks) process.stdout.write(`${check.ok ? '✓' : '✗'} ${check.text}\n`);
  const failed = checks.filter((check) => !check.ok).length;
  process.stdout.write(failed === 0 ? '\nAll good.\n' : `\n${failed} thing(s) to fix.\n`);
  process.exit(failed === 0 ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) void main();
