/**
 * Users and desks, through the bridge process and its command line: an admin adds a user and gets a
 * one-time pairing code; a desk exchanges it for its own token; the changes it pushes carry the user's name;
 * a code works once; a revoked user's token opens nothing; the office token keeps working.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol';
import type { OrderedChange } from '../../shared/sync';
import { type BridgeProcess, newBridgeDir, REPO_ROOT, startBridge } from '../helpers/bridge-process';
import { isType, TestClient } from '../helpers/ws-client';

const TOKEN = 'office-users-test-token-0123456789';
let bridge: BridgeProcess;
let dir: string;

function cli(...args: string[]) {
  return spawnSync(
    process.execPath,
    // The running bridge's port (a test bridge listens on a free one; a real one on its configured port).
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'bridge', 'main.ts'),
      '--config',
      join(dir, 'bridge.json'),
      '--port',
      String(bridge.port),
      ...args,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
}

async function pairWith(code: string) {
  const response = await fetch(`${bridge.httpUrl}/api/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { token?: string; user?: { name: string }; error?: string },
  };
}

beforeAll(async () => {
  dir = newBridgeDir(TOKEN);
  bridge = await startBridge({ dir });
});
afterAll(() => bridge?.stop());

describe('users and desks', () => {
  it('a user added on the command line pairs a desk once; the desk’s changes carry the user’s name', async () => {
    // The bridge is running: the command goes through its API (the embedded store is the bridge's).
    const added = cli('user', 'add', 'Dana Levi', '--extension', '101');
    expect(added.stderr).toBe('');
    const code = /Pairing code \(once, within 24 hours\): ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(added.stdout)?.[1];
    expect(code, added.stdout).toBeDefined();
    // Typed the way people type it: lower case, no dash.
    const paired = await pairWith(code!.replace('-', '').toLowerCase());
    expect(paired.status).toBe(200);
    expect(paired.body.user?.name).toBe('Dana Levi');
    expect(paired.body.token).toMatch(/^kesher_/);
    // The same code again: refused.
    expect((await pairWith(code!)).status).toBe(401);

    // The desk's probe of its token (what it asks after a link closes) knows the user's token too.
    const session = (token: string) =>
      fetch(`${bridge.httpUrl}/api/v1/session`, { headers: { authorization: `Bearer ${token}` } }).then(
        (response) => response.status,
      );
    expect(await session(paired.body.token!)).toBe(200);
    const desk = await TestClient.connect(bridge.wsUrl, paired.body.token!);
    await desk.hello();
    desk.send({ type: 'sync-pull', requestId: 'p', storeId: null, afterSeq: 0 });
    await desk.next(isType('sync-changes'));
    desk.send({
      type: 'sync-push',
      requestId: 'push',
      storeId: null,
      baseSeq: 0,
      changes: [
        {
          id: randomUUID(),
          table: 'cards',
          rowId: 'c-dana',
          op: 'put',
          fields: { name: 'From Dana' },
          at: 1,
        },
      ],
    });
    await desk.next((frame): frame is ServerFrame => frame.type === 'sync-ack');
    await expect
      .poll(() =>
        desk.frames
          .filter(isType('sync-changes'))
          .flatMap((frame) => frame.changes as OrderedChange[])
          .map((change) => change.author),
      )
      .toEqual(['Dana Levi']);
    const listed = cli('user', 'list');
    expect(listed.stdout, listed.stderr).toMatch(/Dana Levi · ext 101 · last seen/);

    // The doctor's view of each desk: Dana's connected and in step; gone, it says when and how far behind.
    const doctor = () => {
      const config = JSON.parse(readFileSync(join(dir, 'bridge.json'), 'utf8'));
      writeFileSync(join(dir, 'bridge.json'), JSON.stringify({ ...config, port: bridge.port }), {
        mode: 0o600,
      });
      return spawnSync(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'bridge', 'doctor.ts'), '--config', join(dir, 'bridge.json')],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      ).stdout;
    };
    expect(doctor()).toMatch(/Desk of Dana Levi: connected, in step with the office store/);
    await desk.close();
    const other = await TestClient.connect(bridge.wsUrl, TOKEN);
    await other.hello();
    other.send({
      type: 'sync-push',
      requestId: 'more',
      storeId: null,
      baseSeq: 0,
      changes: [
        { id: randomUUID(), table: 'cards', rowId: 'c-2', op: 'put', fields: { name: 'Later' }, at: 2 },
      ],
    });
    await other.next((frame): frame is ServerFrame => frame.type === 'sync-ack');
    await other.close();
    await expect
      .poll(doctor, { timeout: 10_000 })
      .toMatch(/Desk of Dana Levi: away, last seen just now, behind by 1 change\(s\)/);

    // Revoked: the token opens nothing from now on; the office token still does.
    expect(cli('user', 'revoke', 'dana levi').stdout).toMatch(/Revoked Dana Levi/);
    await expect(TestClient.connect(bridge.wsUrl, paired.body.token!)).rejects.toThrow('HTTP 401');
    expect(await session(paired.body.token!)).toBe(401);
    const office = await TestClient.connect(bridge.wsUrl, TOKEN);
    await office.hello();
    await office.close();
  });

  it('wrong codes are refused, and guessing is stopped after ten tries a minute', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) statuses.push((await pairWith('AAAA-BBBB')).status);
    // Ten wrong codes a minute from one address (the reused code above was one of them), then 429.
    const stopped = statuses.indexOf(429);
    expect(stopped).toBeGreaterThanOrEqual(9);
    expect(statuses.slice(0, stopped).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(stopped).every((status) => status === 429)).toBe(true);
    // A token that was never issued does not open a link.
    await expect(TestClient.connect(bridge.wsUrl, 'kesher_made-up')).rejects.toThrow('HTTP 401');
    // The user commands need the office token.
    const response = await fetch(`${bridge.httpUrl}/api/v1/users`);
    expect(response.status).toBe(401);
  });

  it('with the bridge stopped the command goes to the store itself', async () => {
    await bridge.stop();
    const added = cli('user', 'add', 'Noa Cohen');
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/Added Noa Cohen\./);
    expect(cli('user', 'list').stdout).toMatch(
      /Dana Levi · ext 101 · revoked[\s\S]*Noa Cohen · all calls · code not used yet/,
    );
    bridge = await startBridge({ dir, port: bridge.port });
  });
});
