/**
 * Office mode end to end: two Chromium profiles as two desks of one bridge process (embedded store). An edit
 * at desk A appears at desk B; both edit one card while the bridge is down and end identical once it is
 * back; a call that rings both desks is one entry on the card, at both desks and in the office store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { OrderedChange } from '../../shared/sync';
import { type BridgeProcess, postCall, startBridge } from '../helpers/bridge-process';
import { EXTENSION_URL, type ExtensionBrowser, launchWithExtension, pair } from '../helpers/browser';
import { isType, TestClient } from '../helpers/ws-client';

let bridge: BridgeProcess;
const desks: Array<{ name: string; browser: ExtensionBrowser; settings: Page; app: Page }> = [];

/** One of a desk's IndexedDB stores, read the plain way from one of its extension pages. */
function readStore<T>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('kesher');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const request = db.transaction(name, 'readonly').objectStore(name).getAll();
          request.onsuccess = () => {
            resolve(request.result as T[]);
            db.close();
          };
          request.onerror = () => reject(request.error);
        };
      }),
    store,
  );
}

const syncState = (page: Page) => page.getByTestId('settings-sync-status').getAttribute('data-state');

interface CardRecord {
  id: string;
  name: string;
  company?: string;
  status: string;
  phones: Array<{ raw: string }>;
}

beforeAll(async () => {
  bridge = await startBridge();
});

afterAll(async () => {
  for (const desk of desks) await desk.browser.close();
  await bridge?.stop();
});

describe('office mode, two desks', () => {
  it('each desk pairs, turns office mode on in its settings and says Synced', async () => {
    for (const name of ['A', 'B']) {
      const browser = await launchWithExtension();
      await browser.worker();
      // Desk A uses the office's token; desk B the one-time code an admin made for its user.
      let secret = bridge.token;
      if (name === 'B') {
        const response = await fetch(`${bridge.httpUrl}/api/v1/users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Noa Cohen', extensions: [] }),
        });
        secret = ((await response.json()) as { code: string }).code.replace('-', ' ').toLowerCase();
      }
      const settings = await pair(browser.context, bridge.wsUrl, secret);
      if (name === 'B')
        await expect
          .poll(() => settings.getByTestId('settings-paired-as').textContent())
          .toBe('Paired as Noa Cohen');
      await expect
        .poll(() => settings.getByTestId('settings-link-state').getAttribute('data-state'))
        .toBe('connected');
      expect(await syncState(settings)).toBe('off');
      await settings.getByTestId('settings-office-mode').check();
      await expect.poll(() => syncState(settings), { timeout: 20_000 }).toBe('synced');
      expect(await settings.getByTestId('settings-sync-status').textContent()).toBe('Synced');
      const app = await browser.context.newPage();
      await app.goto(`${EXTENSION_URL}/app.html#/cards`);
      desks.push({ name, browser, settings, app });
    }
  });

  it('a card created at desk A appears at desk B, found by its number', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    await a.app.goto(`${EXTENSION_URL}/app.html#/new`);
    await a.app.getByTestId('card-name').fill('נועה כהן');
    await a.app.getByTestId('card-phone').first().fill('054-765-4321');
    await a.app.keyboard.press('Control+Enter');
    await expect.poll(() => a.app.getByTestId('toast').textContent()).toContain('Card created');
    await expect
      .poll(async () => (await readStore<CardRecord>(b.app, 'cards')).map((card) => card.name), {
        timeout: 15_000,
      })
      .toEqual(['נועה כהן']);
    await b.app.goto(`${EXTENSION_URL}/app.html#/cards`);
    await b.app.getByTestId('app-search').fill('0547654321');
    await expect
      .poll(() => b.app.getByTestId('app-card-row').allTextContents())
      .toEqual([expect.stringContaining('נועה כהן')]);
    await expect.poll(() => syncState(a.settings)).toBe('synced');
  });

  it('both desks edit the card while the bridge is down; once it is back both have both edits, identically', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    const { dataDir, port } = bridge;
    await bridge.stop();
    for (const desk of desks)
      await expect.poll(() => syncState(desk.settings), { timeout: 20_000 }).toBe('offline');
    const [card] = await readStore<CardRecord>(a.app, 'cards');
    // A gives the company; B turns the light red and adds a second number.
    await a.app.goto(`${EXTENSION_URL}/app.html#/cards/${card!.id}`);
    await a.app.getByLabel('Company', { exact: true }).fill('Acme בע״מ');
    await a.app.getByTestId('card-save').click();
    await expect.poll(() => a.app.getByTestId('toast').textContent()).toMatch(/saved/i);
    await b.app.goto(`${EXTENSION_URL}/app.html#/cards/${card!.id}`);
    await b.app.locator('label', { hasText: 'Status light' }).locator('select').selectOption('red');
    await b.app.getByRole('button', { name: 'Add phone' }).click();
    await b.app.getByTestId('card-phone').nth(1).fill('03-555-0100');
    await b.app.getByTestId('card-save').click();
    await expect.poll(() => b.app.getByTestId('toast').textContent()).toMatch(/saved/i);
    for (const desk of desks)
      await expect
        .poll(() => desk.settings.getByTestId('settings-sync-status').getAttribute('data-waiting'))
        .toBe('1');

    bridge = await startBridge({ dir: dataDir, port });
    for (const desk of desks)
      await expect.poll(() => syncState(desk.settings), { timeout: 30_000 }).toBe('synced');
    const view = async (page: Page) => {
      const [record] = await readStore<CardRecord & { updatedAt: number }>(page, 'cards');
      return { ...record, phones: record!.phones.map((phone) => phone.raw) };
    };
    await expect
      .poll(() => view(b.app), { timeout: 15_000 })
      .toMatchObject({ company: 'Acme בע״מ', status: 'red' });
    await expect.poll(() => view(a.app), { timeout: 15_000 }).toEqual(await view(b.app));
    // Who made each change, as the hub recorded it: A with the office token, B as its user.
    const hub = await TestClient.connect(bridge.wsUrl, bridge.token);
    await hub.hello();
    hub.send({ type: 'sync-pull', requestId: 'who', storeId: null, afterSeq: 0 });
    await hub.next(isType('sync-changes'));
    const authors = hub.frames
      .filter(isType('sync-changes'))
      .flatMap((frame) => frame.changes as OrderedChange[])
      .filter((change) => change.rowId === card!.id)
      .map((change) => change.author);
    expect(new Set(authors)).toEqual(new Set(['office', 'Noa Cohen']));
    await hub.close();
    expect((await view(a.app)).phones).toEqual(['054-765-4321', '03-555-0100']);
  });

  it('a call that rings both desks is one entry on the card, at both desks and in the office store', async () => {
    const callId = `office-${Date.now()}`;
    await postCall(bridge, { callId, state: 'ringing', from: '+972547654321' });
    await postCall(bridge, { callId, state: 'ended', from: '+972547654321' });
    for (const desk of desks) {
      await expect
        .poll(
          async () =>
            (await readStore<{ callId?: string; outcome?: string }>(desk.app, 'interactions'))
              .filter((item) => item.callId === callId)
              .map((item) => item.outcome),
          { timeout: 15_000 },
        )
        .toEqual(['missed']);
      await expect.poll(() => syncState(desk.settings), { timeout: 15_000 }).toBe('synced');
    }
    // The office store holds the call once, whichever desk logged it first.
    const hub = await TestClient.connect(bridge.wsUrl, bridge.token);
    await hub.hello();
    hub.send({ type: 'sync-pull', requestId: 'check', storeId: null, afterSeq: 0 });
    await hub.next(isType('sync-changes'));
    await expect
      .poll(() => {
        const changes = hub.frames
          .filter(isType('sync-changes'))
          .flatMap((frame) => frame.changes as OrderedChange[]);
        return new Set(
          changes
            .filter((change) => change.table === 'interactions' && change.fields?.callId === callId)
            .map((change) => change.rowId),
        ).size;
      })
      .toBe(1);
    await hub.close();
  });
});
