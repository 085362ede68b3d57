/**
 * The two ways the office store reaches PostgreSQL, behind one small interface: PGlite (PostgreSQL compiled
 * to WASM, data in the bridge's data folder: the default, no server to run) and a PostgreSQL server through
 * `pg` (an office that outgrows one machine, or several bridges sharing one store).
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Sql extends SqlRunner {
  readonly kind: 'pglite' | 'postgres';
  /** One transaction: committed when `work` resolves, rolled back (and rethrown) when it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Hear of commits made through other connections (other bridges on the same PostgreSQL). */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** `store` in bridge.json: "embedded" (PGlite in the data folder) or a postgres:// URL. */
export type StoreSetting = 'embedded' | `postgres://${string}` | `postgresql://${string}`;

export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

/** A postgres:// URL without its password, for logs and the doctor. */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unreadable URL)';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An embedded store belongs to one process at a time (PGlite is one PostgreSQL in this process's memory):
 * a second opener — a backup while the bridge runs — is refused with the first one's pid.
 */
function lockStore(dir: string): () => void {
  const lock = `${dir}.lock`;
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid))
      throw new Error(
        `the embedded store ${dir} is in use by process ${pid} (a running bridge): stop it first`,
      );
  }
  writeFileSync(lock, `${process.pid}\n`, { mode: 0o600 });
  return () => rmSync(lock, { force: true });
}

/**
 * A new embedded store is made in a process of its own (pglite-create.mjs), in a folder beside the real one
 * that takes its name only when it is complete: a creation that fails (a full disk) leaves no half store.
 */
async function createPglite(dir: string): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new Error(
      `${dir} holds files but no embedded store (no PG_VERSION): move them away, or restore a backup there`,
    );
  const building = `${dir}.creating`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true, mode: 0o700 });
  const script = fileURLToPath(new URL('./pglite-create.mjs', import.meta.url));
  try {
    await promisify(execFile)(process.execPath, [script, building], { timeout: 300_000 });
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    const reason = String((error as { stderr?: string }).stderr ?? '').trim() || (error as Error).message;
    throw new Error(`the embedded store could not be created in ${dir}: ${reason}`);
  }
  if (existsSync(dir)) rmdirSync(dir);
  renameSync(building, dir);
}

export async function openPglite(dir: string): Promise<Sql> {
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  const unlock = lockStore(dir);
  try {
    await createPglite(dir);
  } catch (error) {
    unlock();
    throw error;
  }
  // PGlite holds its thread while it works: it gets one of its own (pglite-thread.mjs).
  const thread = new Worker(new URL('./pglite-thread.mjs', import.meta.url), { workerData: { dir } });
  thread.unref();
  let nextId = 1;
  const waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  let ready!: (value: { ready: boolean; error?: string }) => void;
  const started = new Promise<{ ready: boolean; error?: string }>((resolve) => (ready = resolve));
  thread.on(
    'message',
    (message: {
      id?: number;
      ready?: boolean;
      error?: { message: string; code?: string } | string;
      rows?: unknown[];
    }) => {
      if (message.id === undefined) return ready(message as { ready: boolean; error?: string });
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (!pending) return;
      if (message.error && typeof message.error === 'object')
        pending.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
      else pending.resolve(message.rows ?? []);
    },
  );
  thread.on('error', (error) => {
    ready({ ready: false, error: error.message });
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  });
  const { ready: isReady, error } = await started;
  if (!isReady) {
    unlock();
    await thread.terminate();
    throw new Error(`the embedded store could not start: ${error}`);
  }
  const call = <T>(request: Record<string, unknown>) =>
    new Promise<T[]>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
      thread.postMessage({ id, ...request });
    });
  const direct: SqlRunner = {
    query: <T>(text: string, params?: unknown[]) => call<T>({ kind: 'query', text, params }),
  };
  // One connection: a transaction has it to itself; every other statement waits its turn.
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work, work);
    turn = run.catch(() => {});
    return run;
  };
  return {
    kind: 'pglite',
    query: (text, params) => exclusive(() => direct.query(text, params)),
    transaction: (work) =>
      exclusive(async () => {
        await direct.query('BEGIN');
        try {
          const result = await work(direct);
          await direct.query('COMMIT');
          return result;
        } catch (failure) {
          await direct.query('ROLLBACK').catch(() => {});
          throw failure;
        }
      }),
    // One process owns an embedded store: there is nobody else to hear from.
    listen: async () => async () => {},
    close: () =>
      exclusive(async () => {
        await call({ kind: 'close' }).catch(() => {});
        await thread.terminate();
        unlock();
      }),
  };
}

export async function openPostgres(url: string): Promise<Sql> {
  const { default: pg } = await import('pg');
  // bigint (seq) as a JS number: sequences stay far below 2^53.
  pg.types.setTypeParser(20, (value: string) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
  // An idle connection the server closed must not crash the bridge: the pool makes a new one.
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  const listening = new Set<() => Promise<void>>();
  return {
    kind: 'postgres',
    query: async <T>(text: string, params?: unknown[]) =>
      (await pool.query(text, params as unknown[])).rows as T[],
    async transaction(work) {
      const client = await pool.connect();
      // The server going away while this client is checked out is an 'error' event on it: unheard, it
      // would end the bridge. A connection that failed so (or cannot even roll back) is dropped, not handed
      // to the next caller; one that only saw a statement fail goes back to the pool.
      let broken: Error | undefined;
      const lost = (error: Error) => {
        broken ??= error;
      };
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <T>(text: string, params?: unknown[]) =>
            (await client.query(text, params as unknown[])).rows as T[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => {
          broken ??= rollback;
        });
        throw error;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
    /**
     * LISTEN on a connection of its own, kept: when the server goes away it reconnects (1 s, doubling up to
     * 30 s) and then calls `onNotify('')` — commits made meanwhile were never announced to it.
     */
    async listen(channel, onNotify) {
      let current: import('pg').Client | undefined;
      let closed = false;
      let timer: NodeJS.Timeout | undefined;
      let delay = 1_000;
      const schedule = () => {
        if (closed || timer) return;
        timer = setTimeout(() => {
          timer = undefined;
          void connect(true);
        }, delay);
        timer.unref();
        delay = Math.min(delay * 2, 30_000);
      };
      const connect = async (again: boolean) => {
        const client = new pg.Client({ connectionString: url });
        const lost = () => {
          if (current !== client) return;
          current = undefined;
          void client.end().catch(() => {});
          schedule();
        };
        client.on('error', lost);
        client.on('end', lost);
        client.on('notification', (message) => {
          if (message.channel === channel) onNotify(message.payload ?? '');
        });
        try {
          current = client;
          await client.connect();
          await client.query(`LISTEN ${channel}`);
        } catch (error) {
          if (current === client) current = undefined;
          await client.end().catch(() => {});
          if (!again) throw error;
          schedule();
          return;
        }
        if (closed) return void (await client.end().catch(() => {}));
        delay = 1_000;
        if (again) onNotify('');
      };
      await connect(false);
      const stop = async () => {
        closed = true;
        clearTimeout(timer);
        listening.delete(stop);
        const client = current;
        current = undefined;
        await client?.end().catch(() => {});
      };
      listening.add(stop);
      return stop;
    },
    async close() {
      await Promise.all([...listening].map((stop) => stop()));
      await pool.end();
    },
  };
}
