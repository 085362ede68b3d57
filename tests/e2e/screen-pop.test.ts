/**
 * The core journey, end to end: the real bridge process, Debian's Chromium with the built extension,
 * pairing through the settings page, and calls rung through the bridge's call API.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeProcess, health, postCall, startBridge } from '../helpers/bridge-process';
import {
  EXTENSION_URL,
  type ExtensionBrowser,
  launchWithExtension,
  openSettings,
  pair,
  popFor,
  popPages,
} from '../helpers/browser';

let bridge: BridgeProcess;
let browser: ExtensionBrowser;
let callCount = 0;
const nextCallId = () => `e2e-${++callCount}-${Date.now()}`;

async function ring(from: string, extra: Record<string, unknown> = {}) {
  const callId = nextCallId();
  const pop = popFor(browser.context, callId);
  const response = await postCall(bridge, { callId, state: 'ringing', from, ...extra });
  expect(response.status).toBe(202);
  return { callId, pop: await pop };
}

beforeAll(async () => {
  bridge = await startBridge();
  browser = await launchWithExtension();
  await browser.worker();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

describe('pairing', () => {
  it('a wrong token is named as such on the settings page', async () => {
    const page = await pair(browser.context, bridge.wsUrl, 'not-the-token-at-all-0000');
    await expect
      .poll(() => page.getByTestId('settings-link-state').getAttribute('data-state'))
      .toBe('wrong-token');
    await expect.poll(() => page.getByTestId('settings-link-state').textContent()).toContain('Wrong token');
    await page.close();
  });

  it('the right token connects', async () => {
    const page = await pair(browser.context, bridge.wsUrl, bridge.token);
    await expect
      .poll(() => page.getByTestId('settings-link-state').getAttribute('data-state'))
      .toBe('connected');
    await expect.poll(async () => (await health(bridge)).clients).toBe(1);
    await page.close();
  });

  it('"Test call" rings through the bridge and pops', async () => {
    const page = await openSettings(browser.context);
    const pop = browser.context.waitForEvent('page', {
      predicate: (candidate) => candidate.url().includes('pop.html?callId=test-'),
    });
    await page.getByTestId('settings-test-call').click();
    const testPop = await pop;
    await testPop.getByTestId('pop-unknown-caller').waitFor();
    await expect.poll(() => testPop.getByLabel('Name').inputValue()).toBe('Kesher test call');
    await testPop.close();
    await page.close();
  });
});

describe('screen-pop', () => {
  it('an unknown caller pops with a one-step lead form that turns the pop into the card', async () => {
    const { pop } = await ring('054-765-4321');
    await pop.getByTestId('pop-unknown-caller').waitFor();
    await expect.poll(() => pop.locator('.call-bar .number').textContent()).toBe('054-765-4321');
    const form = pop.getByTestId('pop-create-lead');
    await form.getByLabel('Name').fill('נועה כהן');
    await form.getByLabel('Company').fill('Orange Grove Ltd');
    await form.getByRole('button', { name: 'Create lead' }).click();
    await expect.poll(() => pop.getByTestId('pop-card-name').textContent()).toBe('נועה כהן');
    // The call that prompted the lead is already on the new card.
    await expect.poll(() => pop.getByTestId('pop-recent-interactions').locator('li').count()).toBe(1);
    await expect.poll(async () => (await health(bridge)).popLatencyMs.count).toBeGreaterThanOrEqual(1);
  });

  it('the same number in another format pops the new card, with the first call in its history', async () => {
    const { pop } = await ring('+972547654321');
    await expect.poll(() => pop.getByTestId('pop-card-name').textContent()).toBe('נועה כהן');
    await expect
      .poll(() => pop.getByTestId('pop-recent-interactions').locator('li').count())
      .toBeGreaterThanOrEqual(1);
    await expect.poll(() => pop.getByTestId('pop-status-light').getAttribute('data-status')).toBe('none');

    // A task and a status from the pop...
    await pop.getByLabel('New task').fill('Send the price list');
    await pop.getByLabel('Due date').fill('2020-01-15');
    await pop.getByRole('button', { name: 'Add task' }).click();
    await expect.poll(() => pop.getByTestId('pop-open-tasks').locator('li').count()).toBe(1);
    await pop.getByLabel('Status note').fill('Waiting for a quote');
    await pop.getByLabel('Set status At risk').click();
    await expect.poll(() => pop.getByTestId('pop-status-light').getAttribute('data-status')).toBe('red');
    await pop.getByLabel('Note', { exact: true }).fill('Asked about delivery times');
    await pop.getByRole('button', { name: 'Add note' }).click();
    await expect
      .poll(() => pop.getByTestId('pop-recent-interactions').textContent())
      .toContain('Asked about delivery');
  });

  it("...show in the next call's pop: overdue task, status, history", async () => {
    const { pop } = await ring('00972547654321');
    await expect.poll(() => pop.getByTestId('pop-card-name').textContent()).toBe('נועה כהן');
    const task = pop.getByTestId('pop-open-tasks').locator('li');
    await expect.poll(() => task.textContent()).toContain('Send the price list');
    await expect.poll(() => task.getAttribute('class')).toBe('overdue');
    await expect.poll(() => pop.getByTestId('pop-status-light').getAttribute('data-status')).toBe('red');
    await expect
      .poll(() => pop.getByTestId('pop-status-light').textContent())
      .toContain('Waiting for a quote');
    await expect.poll(() => pop.locator('.last-spoke').textContent()).toBe('Last spoke today');
  });

  it('a withheld number says so and matches nobody', async () => {
    const { pop } = await ring('anonymous');
    await pop.getByTestId('pop-withheld').waitFor();
    expect(await pop.getByTestId('pop-card-name').count()).toBe(0);
  });

  it('the same ringing event twice gives one pop window, updated by the later events', async () => {
    const callId = nextCallId();
    const pop = popFor(browser.context, callId);
    await postCall(bridge, { callId, state: 'ringing', from: '0541112233' });
    await postCall(bridge, { callId, state: 'ringing', from: '0541112233' });
    const page = await pop;
    await page.getByTestId('pop-unknown-caller').waitFor();
    await postCall(bridge, { callId, state: 'answered', from: '0541112233' });
    await expect.poll(() => page.locator('.call-state').textContent()).toBe('On the call');
    await postCall(bridge, { callId, state: 'ended', from: '0541112233' });
    await expect.poll(() => page.locator('.call-state').textContent()).toMatch(/^Call ended/);
    // A later call's window has opened, so any second window for the first call would have too.
    const { pop: later } = await ring('0541112244');
    await later.getByTestId('pop-unknown-caller').waitFor();
    expect(popPages(browser.context, callId)).toHaveLength(1);
  });

  it('unknown calls are listed until a card claims them', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${EXTENSION_URL}/app.html#/calls`);
    const list = page.getByTestId('calls-unknown');
    await expect.poll(() => list.textContent()).toContain('054-111-2233');
    await page.close();
  });
});

describe('link resilience', () => {
  it('reconnects by itself after the bridge restarts, and the next call pops', async () => {
    const { dataDir, port } = bridge;
    await bridge.stop();
    const settings = await openSettings(browser.context);
    await expect
      .poll(() => settings.getByTestId('settings-link-state').getAttribute('data-state'))
      .toBe('unreachable');
    bridge = await startBridge({ dir: dataDir, port });
    await expect
      .poll(() => settings.getByTestId('settings-link-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('connected');
    await settings.close();
    const { pop } = await ring('+972547654321');
    await expect.poll(() => pop.getByTestId('pop-card-name').textContent()).toBe('נועה כהן');
  });

  it('a call that rang and ended while the browser was closed is logged as missed, without a late pop', async () => {
    const profileDir = browser.profileDir;
    await browser.close();
    const callId = nextCallId();
    await postCall(bridge, { callId, state: 'ringing', from: '+972547654321' });
    await postCall(bridge, { callId, state: 'ended', from: '+972547654321' });
    browser = await launchWithExtension(profileDir);
    await browser.worker();
    // The extension reconnects on its own and logs the missed call on the card.
    const page = await browser.context.newPage();
    await page.goto(`${EXTENSION_URL}/app.html#/settings`);
    await expect
      .poll(() => page.getByTestId('settings-link-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('connected');
    const { pop } = await ring('0547654321');
    await expect
      .poll(() => pop.getByTestId('pop-recent-interactions').locator('li[data-outcome="missed"]').count())
      .toBeGreaterThanOrEqual(1);
    expect(popPages(browser.context, callId)).toHaveLength(0);
  });

  it('a browser away longer than the journal keeps is told on the Calls page that calls may be missing', async () => {
    const profileDir = browser.profileDir;
    await browser.close();
    // The office keeps a short journal: the calls rung meanwhile push out what this browser had not seen.
    const { dataDir, port } = bridge;
    await bridge.stop();
    const config = JSON.parse(readFileSync(join(dataDir, 'bridge.json'), 'utf8'));
    writeFileSync(join(dataDir, 'bridge.json'), JSON.stringify({ ...config, journal: { keep: 2 } }), {
      mode: 0o600,
    });
    bridge = await startBridge({ dir: dataDir, port });
    for (let index = 0; index < 4; index++) {
      const callId = nextCallId();
      await postCall(bridge, { callId, state: 'ringing', from: '+972541110000' });
      await postCall(bridge, { callId, state: 'ended', from: '+972541110000' });
    }
    browser = await launchWithExtension(profileDir);
    await browser.worker();
    const page = await browser.context.newPage();
    await page.goto(`${EXTENSION_URL}/app.html#/calls`);
    const gap = page.getByTestId('calls-gap');
    await expect.poll(() => gap.count(), { timeout: 30_000 }).toBe(1);
    expect(await gap.getAttribute('data-reason')).toBe('expired');
    expect(await gap.textContent()).toMatch(/may be missing/);
    // Dismissed, it stays dismissed.
    await gap.getByRole('button').click();
    await expect.poll(() => gap.count()).toBe(0);
    await page.reload();
    await page.getByTestId('calls-unknown').waitFor({ state: 'attached' });
    expect(await gap.count()).toBe(0);
    await page.close();
  });
});
