/**
 * `npm run bridge -- install-service`: the unit it writes runs the bridge as `npm run bridge` does. The test
 * writes the unit into a temp folder (KESHER_SYSTEMD_DIR, --no-enable: no systemd here), then runs the unit's
 * own ExecStart line from its WorkingDirectory and waits for the bridge to listen.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newBridgeDir, REPO_ROOT } from '../helpers/bridge-process';

/** systemd's command line: words, and double-quoted words with \\ escapes. */
function splitExec(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g))
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  return words;
}

describe('install-service', () => {
  it('writes a systemd unit whose ExecStart starts this bridge with this config, restarted on failure', async () => {
    const dir = newBridgeDir('service-test-token-0123456789');
    const units = mkdtempSync(join(tmpdir(), 'kesher-units-'));
    const installed = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'bridge', 'main.ts'),
        '--config',
        join(dir, 'bridge.json'),
        'install-service',
        '--no-enable',
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, KESHER_SYSTEMD_DIR: units } },
    );
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toMatch(/Wrote .*kesher-bridge\.service/);
    expect(installed.stdout).toMatch(/enable --now kesher-bridge\.service/);
    const unit = readFileSync(join(units, 'kesher-bridge.service'), 'utf8');
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^WantedBy=(multi-user|default)\.target$/m);
    expect(unit).toMatch(/^Environment=KESHER_LOG=json$/m);
    const exec = splitExec(unit.match(/^ExecStart=(.*)$/m)![1]!);
    const cwd = splitExec(unit.match(/^WorkingDirectory=(.*)$/m)![1]!)[0]!;
    expect(exec.slice(-2)).toEqual(['--config', join(dir, 'bridge.json')]);

    // What systemd would start: the bridge listens (JSON log lines, as the unit asks).
    const child = spawn(exec[0]!, exec.slice(1), { cwd, env: { ...process.env, KESHER_LOG: 'json' } });
    try {
      const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
        let buffer = '';
        child.stderr.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (const line of buffer.split('\n'))
            if (line.includes('"event":"listening"')) resolve(JSON.parse(line) as Record<string, unknown>);
        });
        child.once('exit', (code) => reject(new Error(`the unit's bridge exited with ${code}: ${buffer}`)));
      });
      expect(listening).toMatchObject({ event: 'listening', host: '127.0.0.1' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
