/**
 * A private PostgreSQL cluster for one test file: initdb in a temp folder, started on a free port on
 * 127.0.0.1 with its socket in that folder, stopped and removed after. PostgreSQL refuses to run as root,
 * so as root the cluster belongs to `nobody`. Never the machine's default cluster.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  url: string;
  port: number;
  /** A fresh database on this cluster (each test its own). */
  database(name: string): Promise<string>;
  /** The server goes away (a fast shutdown: connections are cut), keeping its data... */
  pause(): Promise<void>;
  /** ...and comes back on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function pgBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error(
      'PostgreSQL is not installed: apt-get install postgresql (or set PG_BIN); npm test does it as root',
    );
  return join(root, versions[0]!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PgCluster> {
  const bin = pgBin();
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'kesher-pg-'));
  const data = join(dir, 'data');
  const user = root ? 'nobody' : undefined;
  if (root) {
    chmodSync(dir, 0o755);
    chownSync(dir, 65534, 65534);
  }
  const run = (command: string, args: string[]) => {
    const [file, argv] = user
      ? ['runuser', ['-u', user, '--', join(bin, command), ...args]]
      : [join(bin, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0)
      throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
    return result.stdout;
  };
  run('initdb', ['-D', data, '-U', 'kesher', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`,
      'start',
    ]);
  start();
  const url = `postgres://kesher@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async database(name) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`CREATE DATABASE "${name.replace(/[^a-z0-9_]/gi, '_')}"`);
      await client.end();
      return `postgres://kesher@127.0.0.1:${port}/${name.replace(/[^a-z0-9_]/gi, '_')}`;
    },
    async pause() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async resume() {
      start();
    },
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Not running (a test paused it and failed before resuming): nothing to stop.
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
