/**
 * How soon a desk's link comes back after the bridge was away: the bridge process stopped for an outage, then
 * started again on the same port; measured from the moment it listens again to the extension's link on its
 * /health. Chromium runs on a paired profile with no debugging protocol attached (Playwright's attachment
 * would keep the worker alive and hide what Chrome does to an idle one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { health, startBridge } from '../tests/helpers/bridge-process';
import { CHROME_PATH, chromiumArgs, launchWithExtension, pair } from '../tests/helpers/browser';
import type { Row } from './rows';

const OUTAGES = Number(process.env.BENCH_OUTAGES ?? 4);
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_MS ?? 30_000);

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function benchReconnect(extensionDir: string): Promise<Row[]> {
  let bridge = await startBridge();
  let chromium: ChildProcess | undefined;
  const samples: number[] = [];
  try {
    const paired = await launchWithExtension(undefined, extensionDir);
    const settings = await pair(paired.context, bridge.wsUrl, bridge.token);
    await settings.locator('[data-testid="settings-link-state"][data-state="connected"]').waitFor();
    await paired.close();
    chromium = spawn(
      CHROME_PATH,
      ['--headless', `--user-data-dir=${paired.profileDir}`, ...chromiumArgs(extensionDir), 'about:blank'],
      { stdio: 'ignore' },
    );
    await until(async () => (await health(bridge)).clients === 1, 60_000);
    for (let outage = 0; outage < OUTAGES; outage++) {
      const { dataDir, port } = bridge;
      await bridge.stop();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      bridge = await startBridge({ dir: dataDir, port });
      const listening = performance.now();
      await until(async () => (await health(bridge)).clients === 1, 60_000);
      samples.push(performance.now() - listening);
      console.log(`outage ${outage + 1}: link back ${(samples.at(-1)! / 1000).toFixed(2)} s after listening`);
    }
  } finally {
    chromium?.kill('SIGKILL');
    await bridge.stop();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const max = sorted.at(-1)!;
  return [
    {
      metric: `Link back after the bridge returns (${OUTAGES} outages of ${OUTAGE_MS / 1000} s, no CDP attached)`,
      value: `p50 ${(p50 / 1000).toFixed(2)} s · max ${(max / 1000).toFixed(2)} s`,
      goal: '≤ 2 s',
      met: max <= 2_000,
    },
  ];
}
