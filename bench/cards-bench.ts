/**
 * The cards app at 100,000 cards, through its real UI in Chromium: CSV import (time, progress shown, peak
 * page heap), search-as-you-type per keystroke, opening a card with 200 interactions, database size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from '../bridge/latency';
import { REPO_ROOT } from '../tests/helpers/bridge-process';
import { EXTENSION_URL, launchWithExtension } from '../tests/helpers/browser';
import type { Row } from './rows';

const COUNT = Number(process.env.BENCH_IMPORT_CARDS ?? 100_000);
const FIRST = ['נועה', 'דנה', 'יוסי', 'Ελένη', 'Γιώργος', 'Maria', 'David', 'Sarah', 'אבי', 'Νίκος'];
const LAST = ['כהן', 'לוי', 'מזרחי', 'Παππά', 'Οικονόμου', 'Smith', 'Garcia', 'Müller', 'פרץ', 'Δημητρίου'];
const COMPANIES = ['פרדס הדרים', 'Ακρόπολις ΑΕ', 'Acme Ltd', 'Orange Grove', 'Ελαιώνας', 'בית קפה'];

function csv(count: number): string {
  const lines = ['שם פרטי,שם משפחה,נייד,דוא"ל,חברה,תגיות'];
  for (let index = 0; index < count; index++) {
    const first = FIRST[index % FIRST.length]!;
    const last = LAST[Math.floor(index / FIRST.length) % LAST.length]!;
    const prefix = ['50', '52', '54', '58'][index % 4];
    lines.push(
      `${first},${last} ${index},0${prefix}${String(index).padStart(7, '0')},c${index}@example.com,${COMPANIES[index % COMPANIES.length]},${index % 10 === 0 ? 'vip' : ''}`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

declare const kesherBench: {
  db: {
    interactions: { bulkAdd(items: unknown[]): Promise<unknown> };
    cards: {
      limit(n: number): { toArray(): Promise<Array<{ id: string }>> };
      offset(n: number): { limit(n: number): { toArray(): Promise<Array<{ id: string; name: string }>> } };
      update(id: string, changes: Record<string, unknown>): Promise<number>;
    };
  };
  warm(): Promise<void>;
  /** What the page does when it hears that cards changed. */
  invalidate(): void;
  /** Write the search list's snapshot now (the page does it once idle). */
  keep(): Promise<void>;
  search(query: string): Promise<unknown[]>;
};

export async function benchCards(extensionDir: string): Promise<Row[]> {
  const dir = join(REPO_ROOT, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${COUNT}.csv`);
  writeFileSync(file, csv(COUNT));
  const browser = await launchWithExtension(undefined, extensionDir);
  try {
    await browser.worker();
    const page = await browser.context.newPage();

    await page.goto(`${EXTENSION_URL}/app.html#/import`);
    await page.waitForFunction(() => 'kesherBench' in window);
    const cdp = await browser.context.newCDPSession(page);
    let peakHeap = 0;
    let sawProgress = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        peakHeap = Math.max(peakHeap, usedSize);
        if (!sawProgress) sawProgress = (await page.getByTestId('import-progress').count()) > 0;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const started = performance.now();
    await page.getByTestId('app-import-file').setInputFiles(file);
    await page.getByTestId('app-import-confirm').waitFor({ timeout: 300_000 });
    const previewed = performance.now();
    await page.getByTestId('app-import-confirm').click();
    // The count as the interface writes it (English, with grouping: "Imported 100,000 cards.").
    await page
      .getByText(`Imported ${new Intl.NumberFormat('en').format(COUNT)} cards.`)
      .waitFor({ timeout: 300_000 });
    const imported = performance.now();
    sampling = false;
    await sampler;
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

    // Search as a person types, in the app as it opens with these cards (not in the page that just did
    // the import, whose heap is full of its garbage): every prefix of a few names and numbers.
    await page.goto(`${EXTENSION_URL}/app.html#/cards`);
    await page.waitForFunction(() => 'kesherBench' in window);
    const warmStarted = performance.now();
    await page.evaluate(() => kesherBench.warm());
    const warmMs = performance.now() - warmStarted;
    const words = ['נועה כה', 'Ελένη Πα', 'maria gar', 'פרדס', '054000', 'c123@ex', 'οικον'];
    const keystrokes = words.flatMap((word) =>
      Array.from({ length: word.length }, (_, index) => word.slice(0, index + 1)),
    );
    const times = await page.evaluate(async (queries) => {
      const result: number[] = [];
      for (const query of queries) {
        const started = performance.now();
        await kesherBench.search(query);
        result.push(performance.now() - started);
      }
      return result;
    }, keystrokes);
    // An edit made elsewhere (another page, the worker, a desk), until this page's search finds the new
    // name: five edits, each a different card.
    const editMs = await page.evaluate(async () => {
      const result: number[] = [];
      for (let round = 0; round < 5; round++) {
        const [card] = await kesherBench.db.cards
          .offset(1000 * round)
          .limit(1)
          .toArray();
        const name = `Zephyrine Qoltrup ${round}`;
        const started = performance.now();
        await kesherBench.db.cards.update(card!.id, { name });
        kesherBench.invalidate();
        const found = (await kesherBench.search(name)) as Array<{ name: string }>;
        if (found[0]?.name !== name) throw new Error(`search did not find the edit (${found[0]?.name})`);
        result.push(performance.now() - started);
      }
      return result.sort((a, b) => a - b)[2]!;
    });
    // The next time the app opens: the list from its snapshot (with the edits above caught up from the
    // log), a search typed the moment the page can take it, answered after this long from navigation.
    await page.evaluate(() => kesherBench.keep());
    const reopened: Array<{ results: number; loaded: number }> = [];
    for (let round = 0; round < 3; round++) {
      // A new document each time (the same URL would be a hash change in the page already open).
      await page.goto('about:blank');
      await page.goto(`${EXTENSION_URL}/app.html#/cards`);
      await page.waitForFunction(() => 'kesherBench' in window, undefined, { polling: 5 });
      reopened.push(
        await page.evaluate(async () => {
          const found = (await kesherBench.search('נועה כה')) as unknown[];
          if (found.length === 0) throw new Error('no result');
          const results = performance.now();
          // The page itself (its scripts run, before any search): the floor under this figure.
          const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
          return { results, loaded: navigation!.domContentLoadedEventStart };
        }),
      );
    }
    const reopen = reopened.sort((a, b) => a.results - b.results)[1]!;
    const reopenAfterLoad = reopen.results - reopen.loaded;
    if (process.env.BENCH_VERBOSE)
      console.log(keystrokes.map((query, index) => `${query}:${times[index]!.toFixed(1)}`).join(' '));
    const sorted = [...times].sort((a, b) => a - b);

    // A card with 200 interactions, opened from the list.
    const openMs = await page.evaluate(async () => {
      const [card] = await kesherBench.db.cards.limit(1).toArray();
      const now = Date.now();
      await kesherBench.db.interactions.bulkAdd(
        Array.from({ length: 200 }, (_, index) => ({
          id: `bench-note-${index}`,
          cardId: card!.id,
          kind: 'note',
          at: now - index * 60_000,
          numberKeys: [],
          summary: `Note ${index}`,
        })),
      );
      location.hash = '#/cards';
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = performance.now();
      location.hash = `#/cards/${card!.id}`;
      // (No named functions in here: the bench runner's compiler would wrap them in a helper the page lacks.)
      while (document.querySelectorAll('[data-testid="card-timeline"] li').length < 200) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      // Until the frame that shows it.
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - started;
    });

    const round = (value: number | null) => Math.round((value ?? Number.NaN) * 10) / 10;
    const importSeconds = (imported - started) / 1000;
    return [
      {
        metric: `CSV import, ${COUNT.toLocaleString('en')} rows (Hebrew headers), through the import page: read + preview, then write`,
        value: `${importSeconds.toFixed(1)} s (${((previewed - started) / 1000).toFixed(1)} s to the preview); progress bar shown: ${sawProgress ? 'yes' : 'no'}`,
        goal: '< 20 s, progress visible',
        met: importSeconds < 20 && sawProgress,
      },
      {
        metric: 'Peak JS heap of the import page during the import',
        value: `${Math.round(peakHeap / 1e6)} MB`,
        goal: '< 500 MB',
        met: peakHeap < 500e6,
      },
      {
        metric: `Search-as-you-type at ${COUNT.toLocaleString('en')} cards, ${keystrokes.length} keystrokes (names in 3 scripts, digits, email)`,
        value: `p50 ${round(percentile(sorted, 0.5))} ms · p95 ${round(percentile(sorted, 0.95))} ms · max ${round(sorted.at(-1) ?? null)} ms`,
        goal: 'p95 < 16 ms',
        met: (percentile(sorted, 0.95) ?? Number.POSITIVE_INFINITY) < 16,
      },
      {
        metric: `Search list built from the cards (${COUNT.toLocaleString('en')} cards; the app's first opening after an import)`,
        value: `${round(warmMs)} ms`,
        goal: '',
      },
      {
        metric: `Search usable when the app opens again (${COUNT.toLocaleString('en')} cards, from its snapshot), median of 3: after the page loaded (navigation → results; the page's own load)`,
        value: `${round(reopenAfterLoad)} ms (${round(reopen.results)} ms; ${round(reopen.loaded)} ms)`,
        goal: '≤ 300 ms',
        met: reopenAfterLoad <= 300,
      },
      {
        metric: `After an edit elsewhere, search finds it (${COUNT.toLocaleString('en')} cards, median of 5) vs building the list`,
        value: `${round(editMs)} ms vs ${round(warmMs)} ms (×${(editMs / warmMs).toFixed(3)})`,
        goal: '< 50 ms, incremental',
        met: editMs < 50,
      },
      {
        metric: 'Open a card with 200 interactions (hash change → painted)',
        value: `${round(openMs)} ms`,
        goal: '',
      },
      {
        metric: `Database on disk with ${COUNT.toLocaleString('en')} cards (navigator.storage.estimate)`,
        value: `${Math.round(usage / 1e6)} MB`,
        goal: '',
      },
    ];
  } finally {
    await browser.close();
  }
}
