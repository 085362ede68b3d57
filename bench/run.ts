/**
 * npm run bench: figures, not pass/fail. Real bridge process, Debian's Chromium, the benchmark build of the
 * extension (the shipped code plus a probe page and a measuring hook). Prints a table and saves it to
 * bench/results/latest.json and latest.md.
 */
import { benchDeals } from './deals-bench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'playwright-core';
import { percentile } from '../bridge/latency';
import { seededNumber } from '../extension/features/bench/bench-hooks';
import { postCall, REPO_ROOT, startBridge } from '../tests/helpers/bridge-process';
import { EXTENSION_URL, launchWithExtension } from '../tests/helpers/browser';
import { benchAmi, benchFanout } from './bridge-bench';
import { benchCards } from './cards-bench';
import { benchPages } from './pages-bench';
import { benchReconnect } from './reconnect-bench';
import { benchSync } from './sync-bench';
import { type Row, table } from './rows';

const BENCH_EXTENSION = join(REPO_ROOT, '.output-bench', 'chrome-mv3');
const POP_CARDS = Number(process.env.BENCH_POP_CARDS ?? 10_000);
const POP_CALLS = Number(process.env.BENCH_POP_CALLS ?? 200);
const LOOKUP_CARDS = Number(process.env.BENCH_LOOKUP_CARDS ?? 100_000);
const LOOKUPS = 1000;

// Globals of the extension's worker, where the evaluated functions run.
declare const chrome: { storage: { local: { set(items: Record<string, string>): Promise<void> } } };
declare const kesherBench: {
  seed(count: number): Promise<number>;
  lookups(raws: string[]): Promise<number[]>;
  floor(runs: number): Promise<number[]>;
};

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number | null) => (value === null ? Number.NaN : Math.round(value * 100) / 100);
  return {
    n: samples.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted.at(-1) ?? null),
  };
}

/** The same subscriber in the formats PBXs send. */
function formats(index: number): string[] {
  const national = seededNumber(index);
  const international = `972${national.slice(1)}`;
  return [national, `+${international}`, international, `00${international}`, national.slice(1)];
}

async function benchBrowser(): Promise<Row[]> {
  const rows: Row[] = [];
  const bridge = await startBridge();
  const acks = new Map<string, (ms: number) => void>();
  bridge.onLog((record) => {
    if (record.event === 'pop-shown') acks.get(String(record.callId))?.(Number(record.ms));
  });
  const browser = await launchWithExtension(undefined, BENCH_EXTENSION);
  try {
    const worker: Worker = await browser.worker();
    await worker.evaluate(
      ([url, token]) => chrome.storage.local.set({ bridgeUrl: url, bridgeToken: token }),
      [bridge.wsUrl, bridge.token] as const,
    );
    const page = await browser.context.newPage();
    await page.goto(`${EXTENSION_URL}/app.html#/settings`);
    await page
      .locator('[data-testid="settings-link-state"][data-state="connected"]')
      .waitFor({ timeout: 30_000 });
    await page.close();

    // ---- pop latency, interleaved with the floor so both see the same machine state ----
    const seedMs = await worker.evaluate((count) => kesherBench.seed(count), POP_CARDS);
    console.log(`seeded ${POP_CARDS} cards in ${(seedMs / 1000).toFixed(1)} s`);
    const pops: number[] = [];
    const floors: number[] = [];
    const ringOnce = async (index: number) => {
      const callId = `bench-${index}-${Date.now()}`;
      const popUrl = `${EXTENSION_URL}/pop.html?callId=${callId}`;
      const opened = browser.context.waitForEvent('page', {
        predicate: (candidate) => candidate.url() === popUrl,
      });
      const acked = new Promise<number>((resolve) => acks.set(callId, resolve));
      const raw = formats(index * 37)[index % 5]!;
      await postCall(bridge, { callId, state: 'ringing', from: raw });
      const [ms, pop] = await Promise.all([acked, opened]);
      acks.delete(callId);
      await pop.close();
      await postCall(bridge, { callId, state: 'ended', from: raw });
      return ms;
    };
    for (let warm = 0; warm < 10; warm++) await ringOnce(POP_CALLS + warm);
    await worker.evaluate(() => kesherBench.floor(5));
    const block = 20;
    for (let done = 0; done < POP_CALLS; done += block) {
      floors.push(...(await worker.evaluate((runs) => kesherBench.floor(runs), block)));
      for (let index = done; index < Math.min(POP_CALLS, done + block); index++)
        pops.push(await ringOnce(index));
    }
    const pop = stats(pops);
    const floor = stats(floors);
    const ratio = pop.p95 / floor.p95;
    rows.push(
      {
        metric: `Pop latency (bridge receipt → card on screen), ${POP_CALLS} calls, ${POP_CARDS} cards`,
        value: `p50 ${pop.p50} ms · p95 ${pop.p95} ms · max ${pop.max} ms`,
        goal: '',
      },
      {
        metric: 'Floor: Chromium opening an empty popup window until painted',
        value: `p50 ${floor.p50} ms · p95 ${floor.p95} ms · max ${floor.max} ms`,
        goal: '',
      },
      { metric: 'Pop p95 / floor p95', value: ratio.toFixed(2), goal: '≤ 1.25', met: ratio <= 1.25 },
    );

    // ---- lookup by number ----
    const lookupSeedMs = await worker.evaluate((count) => kesherBench.seed(count), LOOKUP_CARDS);
    console.log(`seeded ${LOOKUP_CARDS} cards in ${(lookupSeedMs / 1000).toFixed(1)} s`);
    const raws = Array.from({ length: LOOKUPS }, (_, run) => formats((run * 7919) % LOOKUP_CARDS)[run % 5]!);
    await worker.evaluate((warm) => kesherBench.lookups(warm), raws.slice(0, 50));
    const lookup = stats(await worker.evaluate((list) => kesherBench.lookups(list), raws));
    rows.push({
      metric: `Lookup by number (parse + indexed match + resolve), ${LOOKUP_CARDS.toLocaleString('en')} cards, ${LOOKUPS} lookups`,
      value: `p50 ${lookup.p50} ms · p95 ${lookup.p95} ms · max ${lookup.max} ms`,
      goal: 'p95 < 2 ms',
      met: lookup.p95 < 2,
    });

    return rows;
  } finally {
    await browser.close();
    await bridge.stop();
  }
}

const SECTIONS: Record<string, () => Promise<Row[]>> = {
  ami: benchAmi,
  fanout: benchFanout,
  browser: benchBrowser,
  cards: () => benchCards(BENCH_EXTENSION),
  pages: () => benchPages(BENCH_EXTENSION),
  reconnect: () => benchReconnect(BENCH_EXTENSION),
  sync: benchSync,
  deals: () => benchDeals(BENCH_EXTENSION),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((name) => name in SECTIONS);
  const names = wanted.length > 0 ? wanted : Object.keys(SECTIONS);
  const rows: Row[] = [];
  for (const name of names) {
    console.log(`bench: ${name}…`);
    const section = await SECTIONS[name]!();
    console.log(table(section));
    rows.push(...section);
  }
  const when = new Date().toISOString();
  const text = table(rows);
  console.log(`\n${text}\n`);
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const suffix = wanted.length > 0 ? `-${names.join('-')}` : '';
  writeFileSync(join(dir, `latest${suffix}.json`), `${JSON.stringify({ when, rows }, null, 2)}\n`);
  writeFileSync(
    join(dir, `latest${suffix}.md`),
    `Measured ${when} on this project's 2-core machine (headless Chromium).\n\n${text}\n`,
  );
}

await main();
