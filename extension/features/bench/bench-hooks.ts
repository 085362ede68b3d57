/**
 * Benchmark builds only (KESHER_BENCH=1; absent from the shipped extension): seeds cards and times the
 * worker's own steps so `npm run bench` measures the real code in the real browser.
 */
import { browser } from 'wxt/browser';
import type { PhoneOptions } from '../../../shared/phone';
import { parsePhone } from '../../../shared/phone';
import { buildCard, findCardsByKeys, resolveCaller, updateCard } from '../../db/cards';
import type { Card, KesherDb } from '../../db/db';

const PREFIXES = ['50', '52', '53', '54', '55', '58'];

/** The mobile number of the i-th seeded card, in national format. */
export function seededNumber(index: number): string {
  return `0${PREFIXES[index % PREFIXES.length]}${String(index).padStart(7, '0')}`;
}

export function installBenchHooks(db: KesherDb, phone: () => PhoneOptions): void {
  const hooks = {
    async seed(count: number): Promise<number> {
      await db.cards.clear();
      const started = performance.now();
      for (let from = 0; from < count; from += 5000) {
        const batch: Card[] = [];
        for (let index = from; index < Math.min(count, from + 5000); index++) {
          batch.push(
            buildCard(
              {
                name: `Customer ${index}`,
                company: `Company ${index % 997}`,
                phones: [{ label: 'mobile', raw: seededNumber(index) }],
                emails: [`c${index}@example.com`],
                stage: 'customer',
              },
              phone(),
            ),
          );
        }
        await db.cards.bulkPut(batch);
      }
      return performance.now() - started;
    },
    async lookups(raws: string[]): Promise<number[]> {
      const times: number[] = [];
      for (const raw of raws) {
        const started = performance.now();
        const caller = await resolveCaller(db, await findCardsByKeys(db, parsePhone(raw, phone()).keys));
        times.push(performance.now() - started);
        if (!caller) throw new Error(`bench: ${raw} matched no card`);
      }
      return times;
    },
    /** An edit made at this desk, through the repositories (in office mode: outbox, then a push); when. */
    async edit(id: string, note: string): Promise<number> {
      await updateCard(db, id, { statusNote: note }, phone());
      return Date.now();
    },
    /** When this desk has that card with that note (the office's edit from another desk arrived). */
    async seen(id: string, note: string, timeoutMs: number): Promise<number> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if ((await db.cards.get(id))?.statusNote === note) return Date.now();
        if (Date.now() > until) throw new Error(`bench: ${id} never showed "${note}"`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    /** Chromium opening a bare popup window until its first frame is painted. */
    async floor(runs: number): Promise<number[]> {
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        const probe = `p${run}-${Date.now()}`;
        const started = performance.now();
        const painted = new Promise<void>((resolve) => {
          const listener = (message: unknown) => {
            if ((message as { kesherProbe?: string })?.kesherProbe !== probe) return;
            browser.runtime.onMessage.removeListener(listener);
            resolve();
          };
          browser.runtime.onMessage.addListener(listener);
        });
        const created = await browser.windows.create({
          // The probe page exists only in this build, so the typed URL list does not know it.
          url: (browser.runtime.getURL as (path: string) => string)(`/probe.html?probe=${probe}`),
          type: 'popup',
          focused: true,
          width: 440,
          height: 680,
        });
        const windowId = created?.id;
        await painted;
        times.push(performance.now() - started);
        if (windowId !== undefined) await browser.windows.remove(windowId);
      }
      return times;
    },
  };
  (globalThis as unknown as { kesherBench: typeof hooks }).kesherBench = hooks;
}
