/**
 * `npm run bridge -- user add "Dana Levi" --extension 101`, `user list`, `user revoke <name or id>`. Through
 * the running bridge's API when it answers (an embedded store belongs to the running bridge), else straight
 * to the store.
 */
import type { BridgeConfig } from '../config';
import { type LocalInit, localFetch } from '../local-api';
import { openConfiguredStore } from './cli';
import type { User } from './users';

type Command =
  | { kind: 'add'; name: string; extensions: string[] }
  | { kind: 'list' }
  | { kind: 'revoke'; who: string };

async function viaBridge(
  config: BridgeConfig,
  configDir: string,
  command: Command,
): Promise<unknown | undefined> {
  const base = '/api/v1/users';
  const headers = { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' };
  const call = (path: string, init: LocalInit = {}) =>
    localFetch(config, configDir, path, { ...init, headers });
  let response: Response;
  try {
    response =
      command.kind === 'add'
        ? await call(base, {
            method: 'POST',
            body: JSON.stringify({ name: command.name, extensions: command.extensions }),
          })
        : command.kind === 'list'
          ? await call(base)
          : await call(`${base}/${encodeURIComponent(command.who)}`, { method: 'DELETE' });
  } catch (error) {
    if (process.env.KESHER_DEBUG) console.error(base, error);
    return undefined; // no bridge running here: the store itself
  }
  const body = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(body.error ?? `the bridge answered ${response.status}`);
  return body;
}

async function direct(config: BridgeConfig, dataDir: string, command: Command): Promise<unknown> {
  const store = await openConfiguredStore(config, dataDir);
  try {
    if (command.kind === 'add') return await store.users.add(command.name, command.extensions);
    if (command.kind === 'list') return { users: await store.users.list() };
    return { user: await store.users.revoke(command.who) };
  } finally {
    await store.close();
  }
}

export async function userCommand(
  config: BridgeConfig,
  dataDir: string,
  args: string[],
  extensions: string[],
  /** The config file's folder (TLS files are relative to it). */
  configDir = process.cwd(),
): Promise<string> {
  const [verb, ...rest] = args;
  const command: Command | null =
    verb === 'add' && rest[0]
      ? { kind: 'add', name: rest.join(' '), extensions }
      : verb === 'list'
        ? { kind: 'list' }
        : verb === 'revoke' && rest[0]
          ? { kind: 'revoke', who: rest.join(' ') }
          : null;
  if (!command)
    throw new Error('use: user add "<name>" [--extension 101], user list, user revoke <name or id>');
  const answer = (await viaBridge(config, configDir, command)) ?? (await direct(config, dataDir, command));
  if (command.kind === 'add') {
    const { user, code } = answer as { user: User; code: string };
    return [
      `Added ${user.name}${user.extensions.length ? ` (extension ${user.extensions.join(', ')})` : ''}.`,
      `Pairing code (once, within 24 hours): ${code}`,
      "At the desk: Kesher's settings → bridge URL, and this code in the token field.",
    ].join('\n');
  }
  if (command.kind === 'list') {
    const { users } = answer as { users: User[] };
    if (users.length === 0) return 'No users yet: npm run bridge -- user add "<name>" --extension 101';
    return users
      .map((user) =>
        [
          user.name,
          user.extensions.length ? `ext ${user.extensions.join(', ')}` : 'all calls',
          user.revokedAt
            ? 'revoked'
            : user.pending
              ? 'code not used yet'
              : user.lastSeen
                ? `last seen ${new Date(user.lastSeen).toISOString()}`
                : 'paired',
          user.id,
        ].join(' · '),
      )
      .join('\n');
  }
  const { user } = answer as { user: User };
  return `Revoked ${user.name}: that desk's token opens nothing now.`;
}
