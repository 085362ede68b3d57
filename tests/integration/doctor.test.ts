/** npm run doctor against the real bridge process: what it says when things are wrong, in plain words. */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedAmiServer } from '../helpers/ami-server';
import { type BridgeProcess, newBridgeDir, REPO_ROOT, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/ws-client';

function doctor(configPath: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bridge', 'doctor.ts'), '--config', configPath],
      {
        cwd: REPO_ROOT,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code: code ?? -1, output }));
  });
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('doctor', () => {
  it('names a refused AMI login and a missing extension, then all good once they are fixed', async () => {
    const ami = new ScriptedAmiServer({ script: 'answered', secret: 'right' });
    const amiPort = await ami.listen();
    cleanups.push(() => ami.close());
    const bridge: BridgeProcess = await startBridge({
      extraArgs: ['--ami', `ami://bridge:wrong@127.0.0.1:${amiPort}`],
    });
    cleanups.push(() => bridge.stop());
    // The doctor finds the bridge through the config file, as a user's would.
    const config = JSON.parse(readFileSync(bridge.configPath, 'utf8'));
    writeFileSync(bridge.configPath, JSON.stringify({ ...config, port: bridge.port }), { mode: 0o600 });

    await expect
      .poll(async () => (await doctor(bridge.configPath)).output, { timeout: 15_000 })
      .toMatch(/✗ AMI login refused: check the secret in manager.conf \[bridge\]/);
    const first = await doctor(bridge.configPath);
    expect(first.code).toBe(1);
    expect(first.output).toMatch(/✗ No extension is connected/);
    expect(first.output).toMatch(/✓ Bridge running at http:\/\/127\.0\.0\.1:\d+/);
    expect(first.output).not.toContain('wrong');

    const client = await TestClient.connect(bridge.wsUrl, bridge.token);
    await client.hello();
    const second = await doctor(bridge.configPath);
    expect(second.output).toMatch(/✓ 1 extension\(s\) connected \(all calls\)/);
    await client.close();
  });

  it('says how to start a bridge that is not running, and tests the AMI settings itself', async () => {
    const dir = newBridgeDir('doctor-token-0123456789abcdef');
    const configPath = join(dir, 'bridge.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(
      configPath,
      JSON.stringify({ ...config, port: 1, ami: { url: 'ami://bridge:pw@127.0.0.1:1' } }),
      { mode: 0o600 },
    );
    const { code, output } = await doctor(configPath);
    expect(code).toBe(1);
    expect(output).toMatch(/✗ The bridge is not running at http:\/\/127\.0\.0\.1:1: start it with npm start/);
    expect(output).toMatch(/✗ AMI: .*ECONNREFUSED.*is Asterisk running/);
  });
});

describe('doctor and webhooks', () => {
  it('proves each configured webhook route answers on the running bridge', async () => {
    const dir = newBridgeDir('doctor-hooks-token-0123456789', {
      webhooks: {
        publicUrl: 'https://hooks.example.com',
        generic: { secret: 'generic-secret-0123456789' },
        twilio: { authToken: 'twilio-auth' },
      },
    });
    const bridge = await startBridge({ dir });
    cleanups.push(() => bridge.stop());
    const config = JSON.parse(readFileSync(bridge.configPath, 'utf8'));
    writeFileSync(bridge.configPath, JSON.stringify({ ...config, port: bridge.port }), { mode: 0o600 });
    const { output } = await doctor(bridge.configPath);
    expect(output).toMatch(
      /✓ Webhook generic: answering at https:\/\/hooks\.example\.com\/webhooks\/generic/,
    );
    expect(output).toMatch(/✓ Webhook twilio: answering at/);
    expect(output).not.toMatch(/Webhook aircall/);
  });
});
