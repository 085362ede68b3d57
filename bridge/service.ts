/**
 * `npm run bridge -- install-service`: the office bridge as a systemd service, so it starts with the machine
 * and comes back after a crash. A system unit when run as root (`/etc/systemd/system`), else a user unit
 * (`~/.config/systemd/user`, with lingering so it starts at boot without a login). The unit runs exactly
 * what `npm run bridge` runs, with this config file, from this checkout. Windows: see the README's recipe.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICE_NAME = 'kesher-bridge.service';

export interface ServiceOptions {
  configPath: string;
  /** A system unit (root) or the user's own. */
  system: boolean;
  /** System units only: the account the bridge runs as (never root by choice). */
  runAs?: string;
  /** Where the unit goes (tests; default: systemd's folder for the mode). */
  unitDir?: string;
  /** Write the unit only (no systemctl). */
  enable: boolean;
  /** A PostgreSQL store on this machine: start after it. */
  afterPostgres?: boolean;
}

/** systemd's quoting: an argument with spaces, quotes or backslashes is double-quoted and escaped. */
function quote(arg: string): string {
  return /[\s"'\\]/.test(arg) ? `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : arg;
}

export function unitText(
  options: Pick<ServiceOptions, 'configPath' | 'system' | 'runAs' | 'afterPostgres'>,
): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const exec = [
    process.execPath,
    '--import',
    'tsx',
    join(repo, 'bridge', 'main.ts'),
    '--config',
    options.configPath,
  ]
    .map(quote)
    .join(' ');
  const after = ['network-online.target', ...(options.afterPostgres ? ['postgresql.service'] : [])].join(' ');
  return [
    '# Written by `npm run bridge -- install-service`; run it again after moving the checkout or the config.',
    '[Unit]',
    'Description=Kesher bridge (office phone calls to customer cards)',
    `After=${after}`,
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${quote(repo)}`,
    `ExecStart=${exec}`,
    // JSON log lines for the journal (journalctl -u kesher-bridge).
    'Environment=KESHER_LOG=json',
    'Restart=on-failure',
    'RestartSec=2',
    ...(options.system && options.runAs ? [`User=${options.runAs}`] : []),
    'NoNewPrivileges=true',
    'PrivateTmp=true',
    '',
    '[Install]',
    `WantedBy=${options.system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

function systemctl(system: boolean, ...args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('systemctl', [...(system ? [] : ['--user']), ...args], { encoding: 'utf8' });
  if (result.error) return { ok: false, output: result.error.message };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** Write the unit and (unless told not to) enable and start it. Returns what to tell the admin. */
export function installService(options: ServiceOptions): string {
  if (process.platform !== 'linux')
    throw new Error(
      'install-service writes a systemd unit (Linux). On Windows, see "Runs as a service" in the README',
    );
  const dir =
    options.unitDir ??
    (options.system ? '/etc/systemd/system' : join(homedir(), '.config', 'systemd', 'user'));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, SERVICE_NAME);
  const existed = existsSync(path);
  writeFileSync(path, unitText(options), { mode: 0o644 });
  const lines = [`${existed ? 'Rewrote' : 'Wrote'} ${path}`];
  if (options.system && !options.runAs)
    lines.push(
      'Note: the bridge will run as root. Better: a user of its own (useradd --system kesher) and --run-as kesher',
    );
  if (!options.enable) {
    lines.push(
      `Enable it with: systemctl ${options.system ? '' : '--user '}daemon-reload && systemctl ${options.system ? '' : '--user '}enable --now ${SERVICE_NAME}`,
    );
    return lines.join('\n');
  }
  for (const step of [['daemon-reload'], ['enable', '--now', SERVICE_NAME]]) {
    const result = systemctl(options.system, ...step);
    if (!result.ok)
      throw new Error(
        `systemctl ${options.system ? '' : '--user '}${step.join(' ')} failed: ${result.output || 'no output'}. The unit is written; fix that and run it again`,
      );
  }
  lines.push(
    `Enabled and started ${SERVICE_NAME}. Its log: journalctl ${options.system ? '' : '--user '}-u kesher-bridge`,
  );
  if (!options.system) {
    // A user's services stop at logout and start at login, unless the user lingers.
    const linger = spawnSync('loginctl', ['enable-linger', userInfo().username], { encoding: 'utf8' });
    lines.push(
      linger.status === 0
        ? 'Lingering is on for this user: the bridge starts at boot, before anyone logs in'
        : `To start it at boot without a login: sudo loginctl enable-linger ${userInfo().username}`,
    );
  }
  return lines.join('\n');
}
