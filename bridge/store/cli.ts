/**
 * `npm run bridge -- backup <file>` and `restore <file>`: the office store to and from one JSON-lines file
 * (records and the whole change history). A restore replaces everything in one transaction — a bad line
 * leaves the store as it was — and gives the store a new id, so every desk downloads it again.
 */
import { createReadStream, createWriteStream, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { BridgeConfig } from '../config';
import { openPglite, openPostgres, redactPostgresUrl, type Sql } from './sql';
import { OfficeStore } from './store';

export function storeLabel(config: BridgeConfig, dataDir: string): string {
  return config.store && config.store !== 'embedded'
    ? redactPostgresUrl(config.store)
    : `embedded (${join(dataDir, 'store')})`;
}

export async function openConfiguredStore(config: BridgeConfig, dataDir: string): Promise<OfficeStore> {
  const sql: Sql =
    config.store && config.store !== 'embedded'
      ? await openPostgres(config.store)
      : await openPglite(join(dataDir, 'store'));
  const phone = config.phone
    ? {
        defaultCountry: config.phone.defaultCountry,
        ...(config.phone.outsideLinePrefix ? { outsideLinePrefix: config.phone.outsideLinePrefix } : {}),
      }
    : undefined;
  try {
    return await OfficeStore.open(sql, { phone });
  } catch (error) {
    await sql.close();
    throw error;
  }
}

/** An embedded store that exists already (a desk synced once): the bridge opens it at start. */
export function embeddedStoreExists(config: BridgeConfig, dataDir: string): boolean {
  return (!config.store || config.store === 'embedded') && existsSync(join(dataDir, 'store'));
}

export async function backupStore(store: OfficeStore, file: string): Promise<{ lines: number }> {
  // Written beside, then renamed: a backup cut short never replaces a good one.
  const partial = `${file}.partial`;
  const out = createWriteStream(partial, { mode: 0o600 });
  let lines = 0;
  for await (const line of store.dump()) {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
    lines++;
  }
  out.end();
  await once(out, 'finish');
  renameSync(partial, file);
  return { lines };
}

async function* readLines(file: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  for await (const text of lines) {
    number++;
    if (!text.trim()) continue;
    try {
      yield JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`${file} line ${number} is not JSON: nothing was restored`);
    }
  }
}

export function restoreStore(store: OfficeStore, file: string) {
  return store.restore(readLines(file));
}
