/**
 * Office mode end to end: two Chromium profiles as two desks of one bridge process (embedded store). An edit
 * at desk A appears at desk B; both edit one card while the bridge is down and end identical once it is
 * back; a call that rings both desks is one entry on the card, at both desks and in the office store.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { OrderedChange } from '../../shared/sync';
import { type BridgeProcess, postCall, startBridge } from '../helpers/bridge-process';
import { EXTENSION_URL, type ExtensionBrowser, launchWithExtension, pair, popFor } from '../helpers/browser';
import { isType, TestClient } from '../helpers/ws-client';
import { buildCard } from '../../extension/db/cards';

const IL = { defaultCountry: 'IL' };

/** What the tests read of the worker's Chrome APIs. */
declare const chrome: { notifications: { getAll(): Promise<Record<string, boolean>> } };

/** Records written straight into a desk's database (what the desk had before office mode). */
function putRecords(page: Page, store: string, records: unknown[]): Promise<void> {
  return page.evaluate(
    ({ name, items }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('kesher');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(name, 'readwrite');
          for (const item of items) tx.objectStore(name).put(item);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { name: store, items: records },
  );
}

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

/** Bytes received on the bridge's port that it has not read yet, from the kernel's table (Linux). */
function unreadAt(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local)
    .reduce((most, fields) => Math.max(most, Number.parseInt(fields[4]!.split(':')[1]!, 16)), 0);
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
    // The office store holds the call once, logged by the hub itself: no desk pushed it.
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
            .map((change) => `${change.rowId} by ${change.author}`),
        );
      })
      .toEqual(new Set([`call:${callId} by phone system`]));
    await hub.close();
  });

  it('a desk with cards of its own joins: the preview says what merges and what stays, and the join does just that', async () => {
    const [a] = desks as [(typeof desks)[0]];
    // The office has Dana (by email) and Yossi (by phone), made at desk A.
    const create = async (
      name: string,
      field: 'card-email' | 'card-phone',
      value: string,
      stage?: string,
    ) => {
      await a.app.goto(`${EXTENSION_URL}/app.html#/new`);
      await a.app.getByTestId('card-name').fill(name);
      await a.app.getByTestId(field).first().fill(value);
      if (stage) await a.app.getByTestId('card-stage').selectOption(stage);
      await a.app.keyboard.press('Control+Enter');
      await expect.poll(() => a.app.getByTestId('toast').textContent()).toContain('Card created');
    };
    await create('Dana Levi', 'card-email', 'dana@acme.co.il', 'customer');
    await create('Yossi Mizrahi', 'card-phone', '052-111-2233');
    const byName = async (name: string) =>
      (await readStore<CardRecord>(a.app, 'cards')).find((card) => card.name === name)!;
    const office = [await byName('Dana Levi'), await byName('Yossi Mizrahi')];
    // Desk C kept its own cards before office mode: the same Dana (another case, a title), the same Yossi
    // written the international way, and Miriam, whom the office does not know; a task on its Dana.
    const browser = await launchWithExtension();
    await browser.worker();
    const settings = await pair(browser.context, bridge.wsUrl, bridge.token);
    const app = await browser.context.newPage();
    await app.goto(`${EXTENSION_URL}/app.html#/cards`);
    desks.push({ name: 'C', browser, settings, app });
    const own = [
      buildCard({ name: 'Dana L.', emails: ['DANA@acme.co.il'], title: 'Buyer' }, IL),
      buildCard({ name: 'Yossi Mizrahi', phones: [{ label: 'work', raw: '+972 52-111-2233' }] }, IL),
      buildCard({ name: 'Miriam', phones: [{ label: 'mobile', raw: '03-000-0001' }] }, IL),
    ];
    await putRecords(app, 'cards', own);
    await putRecords(app, 'tasks', [
      {
        id: 'task-c-1',
        cardId: own[0]!.id,
        title: 'Send the contract',
        done: 0,
        priority: 'normal',
        createdAt: 1,
      },
    ]);
    await expect.poll(() => syncState(a.settings), { timeout: 15_000 }).toBe('synced');

    await settings.reload();
    await settings.getByTestId('settings-office-mode').check();
    const preview = settings.getByTestId('join-preview');
    await expect.poll(() => preview.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await settings.getByTestId('join-upload').textContent()).toBe(
      'This desk uploads 3 cards, 1 tasks and 0 timeline entries.',
    );
    expect(await settings.getByTestId('join-matches').locator('li').allTextContents()).toEqual([
      'Dana L. → Dana Levi (same email dana@acme.co.il)',
      'Yossi Mizrahi → Yossi Mizrahi (same phone 052-111-2233 and name)',
    ]);
    expect(await settings.getByTestId('join-separate').textContent()).toBe(
      'One card stays a card of its own.',
    );
    // Nothing has gone up yet.
    expect(await syncState(settings)).toBe('off');
    await settings.getByTestId('join-confirm').click();
    await expect.poll(() => syncState(settings), { timeout: 30_000 }).toBe('synced');

    // Both desks: one Dana (the office's, with C's title and task), one Yossi (both ways of writing the
    // number), and Miriam.
    const cardsAt = async (page: Page) =>
      (await readStore<CardRecord & { title?: string; stage: string }>(page, 'cards'))
        .filter((card) => ['Dana Levi', 'Dana L.', 'Yossi Mizrahi', 'Miriam'].includes(card.name))
        .map((card) => ({
          id: card.id,
          name: card.name,
          title: card.title,
          stage: card.stage,
          phones: card.phones.map((p) => p.raw),
        }))
        .sort((x, y) => x.name.localeCompare(y.name));
    const expected = [
      { id: office[0]!.id, name: 'Dana Levi', title: 'Buyer', stage: 'customer', phones: [] },
      { id: own[2]!.id, name: 'Miriam', title: undefined, stage: 'lead', phones: ['03-000-0001'] },
      {
        id: office[1]!.id,
        name: 'Yossi Mizrahi',
        title: undefined,
        stage: 'lead',
        // Kept as each desk wrote it: a set of numbers merges by digits, and the hub knows no country.
        phones: ['052-111-2233', '+972 52-111-2233'],
      },
    ];
    await expect.poll(() => cardsAt(app), { timeout: 20_000 }).toEqual(expected);
    await expect.poll(() => cardsAt(a.app), { timeout: 20_000 }).toEqual(expected);
    for (const page of [app, a.app])
      await expect
        .poll(async () =>
          (await readStore<{ id: string; cardId: string }>(page, 'tasks')).filter(
            (task) => task.id === 'task-c-1',
          ),
        )
        .toEqual([expect.objectContaining({ cardId: office[0]!.id })]);
  });

  it('a desk whose worker Chrome stops in the middle of pushing an import loses nothing and sends nothing twice', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    const rows = 3_000;
    const csv = ['Name,Phone'];
    for (let i = 0; i < rows; i++) csv.push(`Batch ${i},050-7${String(i).padStart(6, '0')}`);
    // Someone watching the office store: every change the hub takes, as it takes it.
    const watcher = await TestClient.connect(bridge.wsUrl, bridge.token);
    await watcher.hello();
    watcher.send({ type: 'sync-pull', requestId: 'watch', storeId: null, afterSeq: 0 });
    await watcher.next(isType('sync-changes'));
    const batch = () =>
      watcher.frames
        .filter(isType('sync-changes'))
        .flatMap((frame) => frame.changes as OrderedChange[])
        .filter((change) => change.table === 'cards' && String(change.fields?.name).startsWith('Batch '));
    const cdp = await a.browser.context.newCDPSession(a.app);
    await cdp.send('ServiceWorker.enable');

    await a.app.goto(`${EXTENSION_URL}/app.html#/import`);
    await a.app
      .getByTestId('app-import-file')
      .setInputFiles({ name: 'batch.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.join('\n')) });
    await expect
      .poll(() => a.app.getByTestId('import-preview').textContent(), { timeout: 20_000 })
      .toMatch(/3,?000 new cards/);
    // The hub is busy for a moment (the bridge process is paused) while the desk imports and sends its
    // first push; with the push waiting unread in the bridge's socket, Chrome stops desk A's worker (as on
    // an update or under memory pressure). The hub then takes the push, but its acknowledgement never
    // reaches the desk.
    bridge.child.kill('SIGSTOP');
    try {
      await a.app.getByTestId('app-import-confirm').click();
      await expect.poll(() => unreadAt(bridge.port), { timeout: 30_000 }).toBeGreaterThan(10_000);
      await cdp.send('ServiceWorker.stopAllWorkers');
    } finally {
      bridge.child.kill('SIGCONT');
    }
    await expect
      .poll(() => a.app.getByTestId('import-message').textContent(), { timeout: 30_000 })
      .toMatch(/^Imported 3,?000 cards\.$/);

    // The worker comes back (the settings page asks it for the sync state) and pushes what is left.
    await a.settings.reload();
    await expect.poll(() => syncState(a.settings), { timeout: 60_000 }).toBe('synced');
    await expect.poll(() => batch().length, { timeout: 30_000 }).toBe(rows);
    // The desk sent the unacknowledged changes again; the hub knew them and took each once.
    expect(
      bridge.logs().filter((record) => record.event === 'sync-push' && Number(record.duplicates) > 0),
    ).not.toEqual([]);
    const changes = batch();
    expect(new Set(changes.map((change) => change.id)).size).toBe(rows);
    expect(new Set(changes.map((change) => change.rowId)).size).toBe(rows);
    await watcher.close();
    await expect
      .poll(
        async () =>
          (await readStore<CardRecord>(b.app, 'cards')).filter((card) => card.name.startsWith('Batch '))
            .length,
        { timeout: 60_000 },
      )
      .toBe(rows);
    expect(
      (await readStore<CardRecord>(a.app, 'cards')).filter((card) => card.name.startsWith('Batch ')).length,
    ).toBe(rows);
  }, 180_000);

  it('a missed call is one entry in every desk’s queue; claimed at one desk it shows taken at the others, and a call back from any desk clears it', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    // An unknown caller rings twice, written two ways by the phone system, and nobody answers.
    for (const [index, from] of ['+97237771234', '037771234'].entries()) {
      const callId = `queue-${index}-${Date.now()}`;
      await postCall(bridge, { callId, state: 'ringing', from, direction: 'inbound' });
      await postCall(bridge, { callId, state: 'ended', from, direction: 'inbound' });
    }
    const queue = (page: Page) => page.getByTestId('app-missed-queue').locator('li');
    const entry = (page: Page) => queue(page).filter({ hasText: /3-?777-?1234/ });
    for (const desk of [a, b]) {
      await desk.app.goto(`${EXTENSION_URL}/app.html#/today`);
      await expect.poll(() => entry(desk.app).count(), { timeout: 20_000 }).toBe(1);
      await expect.poll(() => entry(desk.app).textContent(), { timeout: 20_000 }).toContain('2 calls');
    }
    // Noa, at desk B, takes it; desk A (the office token) sees it is hers.
    await entry(b.app).getByTestId('missed-claim').click();
    await expect
      .poll(() => entry(b.app).getByTestId('missed-claimed').textContent())
      .toBe('You will call back');
    await expect
      .poll(() => entry(a.app).getByTestId('missed-claimed').textContent(), { timeout: 20_000 })
      .toBe('Noa Cohen will call back');
    expect(await entry(a.app).getByTestId('missed-claim').count()).toBe(0);
    // Desk C works in Hebrew: the same entry, in its words.
    const c = desks.find((desk) => desk.name === 'C')!;
    await c.settings.getByTestId('settings-language').selectOption('he');
    await c.settings.getByTestId('settings-save').click();
    await c.app.goto(`${EXTENSION_URL}/app.html#/today`);
    await c.app.reload();
    await expect.poll(() => c.app.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await expect.poll(() => entry(c.app).textContent(), { timeout: 20_000 }).toContain('שתי שיחות');
    expect(await entry(c.app).getByTestId('missed-claimed').textContent()).toBe('בטיפול של Noa Cohen');
    // Someone calls the number back and it is answered: the entry leaves every desk's queue.
    const back = `queue-back-${Date.now()}`;
    await postCall(bridge, {
      callId: back,
      state: 'ringing',
      direction: 'outbound',
      from: '101',
      to: '03-777-1234',
    });
    await postCall(bridge, {
      callId: back,
      state: 'answered',
      direction: 'outbound',
      from: '101',
      to: '03-777-1234',
      answeredBy: '101',
    });
    await postCall(bridge, {
      callId: back,
      state: 'ended',
      direction: 'outbound',
      from: '101',
      to: '03-777-1234',
    });
    for (const desk of [a, b, c])
      await expect.poll(() => entry(desk.app).count(), { timeout: 20_000 }).toBe(0);
    // Who dealt with it stays on Today, at every desk (in Hebrew at C).
    const closed = (page: Page) =>
      page
        .getByTestId('app-missed-closed')
        .locator('li')
        .filter({ hasText: /3-?777-?1234/ });
    await expect.poll(() => closed(a.app).textContent(), { timeout: 10_000 }).toContain('Called back by 101');
    await expect.poll(() => closed(c.app).textContent(), { timeout: 10_000 }).toContain('חזרה: 101');
    await c.settings.getByTestId('settings-language').selectOption('en');
    await c.settings.getByTestId('settings-save').click();
  });

  it('a call a colleague answers says who by name at the other desks, and while it lasts the customer’s card says she is on a call with them', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    const added = await fetch(`${bridge.httpUrl}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dana Levi', extensions: ['102'] }),
    });
    expect(added.status).toBe(201);
    // Desk B has the customer's card open.
    const noa = (await readStore<CardRecord>(b.app, 'cards')).find((card) => card.name === 'נועה כהן')!;
    await b.app.goto(`${EXTENSION_URL}/app.html#/cards/${noa.id}`);
    await expect.poll(() => b.app.getByTestId('card-name').inputValue()).toBe('נועה כהן');
    expect(await b.app.getByTestId('card-presence').count()).toBe(0);

    const callId = `named-${Date.now()}`;
    const opened = popFor(a.browser.context, callId);
    const from = '+972547654321';
    await postCall(bridge, { callId, state: 'ringing', from, direction: 'inbound' });
    const pop = await opened;
    await postCall(bridge, { callId, state: 'answered', from, direction: 'inbound', answeredBy: '102' });
    await expect
      .poll(() => pop.getByTestId('pop-answered-elsewhere').textContent())
      .toBe('Answered by Dana Levi (102)');
    expect(await pop.getByTestId('pop-presence').textContent()).toMatch(
      /^Dana Levi \(102\) is on a call with this customer now \(0:\d\d\)$/,
    );
    await expect
      .poll(() => b.app.getByTestId('card-presence').textContent(), { timeout: 10_000 })
      .toMatch(/^Dana Levi \(102\) is on a call with this customer now \(0:\d\d\)$/);
    // The call ends: the card no longer says so.
    await postCall(bridge, { callId, state: 'ended', from, direction: 'inbound' });
    await expect.poll(() => b.app.getByTestId('card-presence').count(), { timeout: 10_000 }).toBe(0);
  });
  it('wrap-up at a user’s desk, with a follow-up task for a colleague: on the card everywhere (in Hebrew too), the colleague notified and it is first on their Today; a private note never leaves its author', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    const c = desks.find((desk) => desk.name === 'C')!;
    // Desk A pairs as its own user now: Yael Bar, who answers extension 103.
    const added = await fetch(`${bridge.httpUrl}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Yael Bar', extensions: ['103'] }),
    });
    const { code } = (await added.json()) as { code: string };
    await a.settings.reload();
    await a.settings.getByTestId('settings-token').fill(code);
    await a.settings.getByTestId('settings-save').click();
    await expect
      .poll(() => a.settings.getByTestId('settings-paired-as').textContent())
      .toBe('Paired as Yael Bar');
    expect(await a.settings.getByTestId('settings-extensions').inputValue()).toBe('103');
    await expect
      .poll(() => a.settings.getByTestId('settings-link-state').getAttribute('data-state'))
      .toBe('connected');
    await expect.poll(() => syncState(a.settings), { timeout: 20_000 }).toBe('synced');

    // Noa's Today at desk B lists her colleagues: Yael is here.
    await b.app.goto(`${EXTENSION_URL}/app.html#/today`);
    await expect
      .poll(
        () =>
          b.app
            .getByTestId('app-colleagues')
            .locator('li', { hasText: 'Yael Bar' })
            .getAttribute('data-state'),
        {
          timeout: 10_000,
        },
      )
      .toBe('free');

    // A known customer calls Yael; she answers, and hangs up: the pop turns into the wrap-up.
    const noa = (await readStore<CardRecord>(a.app, 'cards')).find((card) => card.name === 'נועה כהן')!;
    // Desk C works in Hebrew and has the customer's card open.
    await c.settings.getByTestId('settings-language').selectOption('he');
    await c.settings.getByTestId('settings-save').click();
    await c.app.goto(`${EXTENSION_URL}/app.html#/cards/${noa.id}`);
    await c.app.reload();
    await expect.poll(() => c.app.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const callId = `wrap-${Date.now()}`;
    const from = '+972547654321';
    const opened = popFor(a.browser.context, callId);
    await postCall(bridge, { callId, state: 'ringing', from, direction: 'inbound', extension: '103' });
    const pop = await opened;
    await postCall(bridge, { callId, state: 'answered', from, direction: 'inbound', answeredBy: '103' });
    // While she talks, the card open at desk C says so in Hebrew, and Noa's list says so.
    await expect
      .poll(() => c.app.getByTestId('card-presence').textContent(), { timeout: 10_000 })
      .toMatch(/^Yael Bar \(103\) בשיחה עם הלקוח עכשיו \(0:\d\d\)$/);
    await expect
      .poll(
        () =>
          b.app
            .getByTestId('app-colleagues')
            .locator('li', { hasText: 'Yael Bar' })
            .getAttribute('data-state'),
        {
          timeout: 10_000,
        },
      )
      .toBe('on-call');
    expect(await pop.getByTestId('pop-wrapup').count()).toBe(0);
    await postCall(bridge, { callId, state: 'ended', from, direction: 'inbound' });
    await expect.poll(() => pop.getByTestId('pop-wrapup').count(), { timeout: 10_000 }).toBe(1);
    await pop.getByTestId('pop-wrapup-outcome').selectOption('quote-sent');
    await pop.getByTestId('pop-wrapup-note').fill('Sent the quote for 12 desks');
    await pop.getByTestId('pop-wrapup-task').fill('Call back about the quote');
    await pop.getByTestId('pop-wrapup').getByTestId('task-assignee').selectOption('Noa Cohen');
    // Ctrl+Enter saves, from wherever the cursor is.
    await pop.getByTestId('pop-wrapup-note').press('Control+Enter');
    await expect.poll(() => pop.getByTestId('pop-wrapup-saved').count()).toBe(1);

    // At desk B, Noa's: the wrap-up on the customer's card, her new task first on Today, and a notification.
    const wrapAt = (page: Page) =>
      page.getByTestId('card-timeline').locator('li', { has: page.getByTestId('timeline-wrapup') });
    await b.app.goto(`${EXTENSION_URL}/app.html#/cards/${noa.id}`);
    await expect
      .poll(() => wrapAt(b.app).first().textContent(), { timeout: 20_000 })
      .toContain('Quote sent · Sent the quote for 12 desks · Yael Bar');
    await expect
      .poll(
        async () =>
          (
            await readStore<{ id: string; title: string; assignee?: string; assignedBy?: string }>(
              b.app,
              'tasks',
            )
          ).find((item) => item.title === 'Call back about the quote'),
        { timeout: 20_000 },
      )
      .toMatchObject({ assignee: 'Noa Cohen', assignedBy: 'Yael Bar' });
    const taskId = (await readStore<{ id: string; title: string }>(b.app, 'tasks')).find(
      (item) => item.title === 'Call back about the quote',
    )!.id;
    const notifications = async (desk: (typeof desks)[0]) =>
      Object.keys(await (await desk.browser.worker()).evaluate(() => chrome.notifications.getAll()));
    await expect.poll(() => notifications(b), { timeout: 10_000 }).toContain(`task:${taskId}`);
    expect(await notifications(a)).not.toContain(`task:${taskId}`);
    await b.app.goto(`${EXTENSION_URL}/app.html#/today`);
    await expect
      .poll(() => b.app.getByTestId('app-my-tasks').locator('li').allTextContents(), { timeout: 10_000 })
      .toContainEqual(expect.stringContaining('Call back about the quote'));
    // Desk C reads Hebrew: the same wrap-up, in its words.
    await expect
      .poll(() => wrapAt(c.app).first().textContent(), { timeout: 20_000 })
      .toContain('נשלחה הצעת מחיר · Sent the quote for 12 desks');

    // Noa writes a private note on the card, then a shared one: the shared one reaches A and C, the private
    // one never does (and it is still hers at B).
    await b.app.goto(`${EXTENSION_URL}/app.html#/cards/${noa.id}`);
    const form = b.app.getByTestId('card-add-interaction');
    await form.getByRole('textbox').fill('Owes us 4,000; do not mention the lawsuit');
    await form.getByTestId('note-private').check();
    await form.getByRole('button').click();
    await expect.poll(() => b.app.getByTestId('timeline-private').count()).toBe(1);
    await form.getByRole('textbox').fill('Prefers mornings');
    await form.getByRole('button').click();
    const notes = async (desk: (typeof desks)[0]) =>
      (await readStore<{ summary: string; cardId: string }>(desk.app, 'interactions'))
        .filter((item) => item.cardId === noa.id)
        .map((item) => item.summary);
    for (const desk of [a, c])
      await expect.poll(() => notes(desk), { timeout: 20_000 }).toContain('Prefers mornings');
    for (const desk of [a, c]) expect((await notes(desk)).join('\n')).not.toContain('lawsuit');
    expect(await notes(b)).toContain('Owes us 4,000; do not mention the lawsuit');
    await c.settings.getByTestId('settings-language').selectOption('en');
    await c.settings.getByTestId('settings-save').click();
  });
  it('a card deleted at one desk is listed at another and restored there for everyone, with its tasks; its history says who did what', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    const c = desks.find((desk) => desk.name === 'C')!;
    const noa = (await readStore<CardRecord>(b.app, 'cards')).find((card) => card.name === 'נועה כהן')!;
    const tasksOf = async (desk: (typeof desks)[0]) =>
      (await readStore<{ cardId: string; title: string }>(desk.app, 'tasks'))
        .filter((task) => task.cardId === noa.id)
        .map((task) => task.title);
    // Noa (desk B) deletes the card.
    await b.app.goto(`${EXTENSION_URL}/app.html#/cards/${noa.id}`);
    await b.app.getByTestId('card-delete').click();
    for (const desk of [a, b, c])
      await expect
        .poll(
          async () => (await readStore<CardRecord>(desk.app, 'cards')).some((card) => card.id === noa.id),
          {
            timeout: 20_000,
          },
        )
        .toBe(false);
    // Yael, at desk A, finds it among the deleted cards and brings it back.
    await a.app.goto(`${EXTENSION_URL}/app.html#/cards`);
    await a.app.getByTestId('deleted-cards').locator('summary').click();
    const row = a.app.getByTestId('deleted-cards').locator('li', { hasText: 'נועה כהן' });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('deleted by Noa Cohen');
    await row.getByTestId('deleted-restore').click();
    for (const desk of [a, b, c]) {
      await expect
        .poll(
          async () =>
            (await readStore<CardRecord>(desk.app, 'cards')).find((card) => card.id === noa.id)?.name,
          {
            timeout: 20_000,
          },
        )
        .toBe('נועה כהן');
      await expect.poll(() => tasksOf(desk), { timeout: 20_000 }).toContain('Call back about the quote');
    }
    // Found by its number again at desk C, and its history (newest first) at desk B.
    await b.app.goto(`${EXTENSION_URL}/app.html#/cards/${noa.id}`);
    await b.app.getByTestId('card-history-load').click();
    const history = b.app.getByTestId('card-history').locator('li');
    await expect
      .poll(() => history.first().textContent(), { timeout: 10_000 })
      .toMatch(/^Restored the cardYael Bar/);
    expect(await history.nth(1).textContent()).toMatch(/^Deleted the cardNoa Cohen/);
    expect(await history.last().textContent()).toMatch(/^Created the card/);
  });
  it('a deal created from a pop shows in another desk’s pop, moves on the board by keyboard, and winning it makes the card a customer', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    // A new lead, made at desk A (Yael).
    await a.app.goto(`${EXTENSION_URL}/app.html#/new`);
    await a.app.getByTestId('card-name').fill('Globex');
    await a.app.getByTestId('card-phone').first().fill('03-555-0199');
    await a.app.keyboard.press('Control+Enter');
    await expect.poll(() => a.app.getByTestId('toast').textContent()).toContain('Card created');
    const globex = async (desk: (typeof desks)[0]) =>
      (await readStore<CardRecord & { stage: string }>(desk.app, 'cards')).find(
        (card) => card.name === 'Globex',
      );
    await expect.poll(async () => (await globex(b))?.stage, { timeout: 20_000 }).toBe('lead');
    const id = (await globex(a))!.id;

    // Globex calls Yael: she opens a deal from the pop.
    const ring = async (desk: (typeof desks)[0], extension: string) => {
      const callId = `deal-${extension}-${Date.now()}`;
      const opened = popFor(desk.browser.context, callId);
      await postCall(bridge, {
        callId,
        state: 'ringing',
        from: '+97235550199',
        direction: 'inbound',
        extension,
      });
      return { callId, pop: await opened };
    };
    const first = await ring(a, '103');
    await first.pop.getByTestId('pop-new-deal').locator('summary').click();
    const form = first.pop.getByTestId('pop-new-deal').getByTestId('deal-form');
    await form.getByTestId('deal-title').fill('Quote for 12 desks');
    await form.getByTestId('deal-value').fill('48,000');
    const inFive = new Date(Date.now() + 5 * 86_400_000);
    const pad = (value: number) => String(value).padStart(2, '0');
    await form
      .getByTestId('deal-close')
      .fill(`${inFive.getFullYear()}-${pad(inFive.getMonth() + 1)}-${pad(inFive.getDate())}`);
    await form.getByTestId('deal-save').click();
    await expect
      .poll(() => first.pop.getByTestId('pop-open-deals').locator('li').allTextContents(), {
        timeout: 10_000,
      })
      .toEqual([expect.stringMatching(/Quote for 12 desks.*₪48,000.*New.*closes in 5 days/)]);
    // The lead became a prospect, everywhere.
    await expect.poll(async () => (await globex(b))?.stage, { timeout: 20_000 }).toBe('prospect');
    await postCall(bridge, {
      callId: first.callId,
      state: 'ended',
      from: '+97235550199',
      direction: 'inbound',
    });

    // Noa, at desk B, moves it on the board from the keyboard: New → Qualified → Proposal.
    await b.app.goto(`${EXTENSION_URL}/app.html#/pipeline`);
    const column = (stage: string) => b.app.locator(`[data-testid="pipeline-column"][data-stage="${stage}"]`);
    await expect
      .poll(() => column('new').getByTestId('pipeline-deal').allTextContents(), { timeout: 20_000 })
      .toEqual([expect.stringContaining('Quote for 12 desks')]);
    expect(await column('new').getByTestId('pipeline-total').textContent()).toBe('1 deal · ₪48,000');
    await column('new').getByTestId('pipeline-deal').focus();
    await b.app.keyboard.press('Control+ArrowRight');
    await expect.poll(() => column('qualified').getByTestId('pipeline-deal').count()).toBe(1);
    // The moved deal keeps the focus: a second press moves it on again.
    await b.app.keyboard.press('Control+ArrowRight');
    await expect.poll(() => column('proposal').getByTestId('pipeline-deal').count()).toBe(1);
    expect(await column('new').getByTestId('pipeline-deal').count()).toBe(0);
    expect(await b.app.getByTestId('pipeline-status').textContent()).toBe(
      'Quote for 12 desks is now in Proposal.',
    );

    // Globex calls again, at desk C this time (the office token takes every call): the pop shows the deal
    // where Noa put it.
    const c = desks.find((desk) => desk.name === 'C')!;
    const second = await ring(c, '199');
    await expect
      .poll(() => second.pop.getByTestId('pop-open-deals').locator('li').first().textContent(), {
        timeout: 20_000,
      })
      .toMatch(/Quote for 12 desks.*Proposal/);
    await postCall(bridge, {
      callId: second.callId,
      state: 'ended',
      from: '+97235550199',
      direction: 'inbound',
    });

    // Won, at desk A on the card: Globex is a customer at every desk, and the card's timeline says how it went.
    await a.app.goto(`${EXTENSION_URL}/app.html#/cards/${id}`);
    const deals = a.app.getByTestId('card-deals').locator('li');
    await expect.poll(() => deals.first().textContent(), { timeout: 20_000 }).toContain('Proposal');
    await deals.first().getByRole('button', { name: 'Edit' }).click();
    await deals.first().getByTestId('deal-stage').selectOption('won');
    await deals.first().getByTestId('deal-save').click();
    for (const desk of [a, b, c])
      await expect.poll(async () => (await globex(desk))?.stage, { timeout: 20_000 }).toBe('customer');
    await expect
      .poll(() => a.app.getByTestId('card-timeline').textContent(), { timeout: 10_000 })
      .toContain('Deal · Proposal → Won');

    // A second deal, still open, closing this month: the dashboard's figures are the data's.
    await a.app.getByTestId('card-new-deal').locator('summary').click();
    const fresh = a.app.getByTestId('card-new-deal').getByTestId('deal-form');
    await fresh.getByTestId('deal-title').fill('Support contract');
    await fresh.getByTestId('deal-value').fill('10000');
    await fresh.getByTestId('deal-stage').selectOption('negotiation');
    const now = new Date();
    const closing = new Date(now.getFullYear(), now.getMonth(), Math.max(now.getDate(), 28));
    await fresh
      .getByTestId('deal-close')
      .fill(`${closing.getFullYear()}-${pad(closing.getMonth() + 1)}-${pad(closing.getDate())}`);
    await fresh.getByTestId('deal-save').click();
    await expect.poll(() => deals.count()).toBe(2);
    await a.app.goto(`${EXTENSION_URL}/app.html#/dashboard`);
    await expect
      .poll(() => a.app.getByTestId('dashboard-forecast').locator('dd[data-month="this"]').textContent())
      .toBe('₪7,500');
    expect(await a.app.getByTestId('dashboard-forecast').locator('dd[data-month="next"]').textContent()).toBe(
      '₪0',
    );
    expect(await a.app.getByTestId('dashboard-pipeline').locator('.chart-value').allTextContents()).toEqual([
      '₪0',
      '₪0',
      '₪0',
      '₪10,000',
    ]);
    expect(
      await a.app.getByTestId('dashboard-owners').locator('tr[data-owner="Yael Bar"] td').allTextContents(),
    ).toEqual(['Yael Bar', '1', '0', '₪48,000']);
    expect(await a.app.getByTestId('dashboard-lead-to-won').textContent()).toBe(
      'On average 0 days from a new card to its first won deal.',
    );
  });
  it('the office renames stages and picks the currency at one desk: every desk, in every language, names the stages so and starts new deals in it', async () => {
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    const c = desks.find((desk) => desk.name === 'C')!;
    // Noa, at desk B: Settings → Deals.
    await b.settings.reload();
    const stageName = (stage: string) =>
      b.settings.locator(`[data-testid="settings-stage-name"][data-stage="${stage}"]`);
    await expect.poll(() => stageName('proposal').getAttribute('placeholder')).toBe('Proposal');
    await stageName('proposal').fill('Quote sent');
    await stageName('proposal').press('Tab');
    await stageName('negotiation').fill('Price talks');
    await stageName('negotiation').press('Tab');
    await b.settings.getByTestId('settings-deal-currency').selectOption('EUR');

    // Desk A's board calls the columns so (its page open already: it follows without a reload).
    await a.app.goto(`${EXTENSION_URL}/app.html#/pipeline`);
    const heading = (stage: string) =>
      a.app.locator(`[data-testid="pipeline-column"][data-stage="${stage}"] h2`);
    await expect.poll(() => heading('negotiation').textContent(), { timeout: 20_000 }).toBe('Price talks');
    expect(await heading('proposal').textContent()).toBe('Quote sent');
    expect(await heading('qualified').textContent()).toBe('Qualified');

    // Desk C works in Hebrew: Globex calls, and the pop names the open deal's stage the office's way; a new
    // deal there starts in euros. The card's timeline and the dashboard (right to left) say the same.
    await c.settings.getByTestId('settings-language').selectOption('he');
    await c.settings.getByTestId('settings-save').click();
    const callId = `stages-${Date.now()}`;
    const opened = popFor(c.browser.context, callId);
    await postCall(bridge, {
      callId,
      state: 'ringing',
      from: '+97235550199',
      direction: 'inbound',
      extension: '199',
    });
    const pop = await opened;
    await expect
      .poll(() => pop.getByTestId('pop-open-deals').locator('li').allTextContents(), { timeout: 20_000 })
      .toEqual([expect.stringMatching(/Support contract.*Price talks/)]);
    expect(await pop.locator('html').getAttribute('dir')).toBe('rtl');
    await pop.getByTestId('pop-new-deal').locator('summary').click();
    await expect.poll(() => pop.getByTestId('deal-currency').inputValue()).toBe('EUR');
    await postCall(bridge, { callId, state: 'ended', from: '+97235550199', direction: 'inbound' });
    const globex = (await readStore<CardRecord>(c.app, 'cards')).find((card) => card.name === 'Globex')!;
    await c.app.goto(`${EXTENSION_URL}/app.html#/cards/${globex.id}`);
    await c.app.reload();
    await expect
      .poll(() => c.app.getByTestId('card-timeline').textContent(), { timeout: 10_000 })
      .toMatch(/Quote sent ← \S/);
    await c.app.goto(`${EXTENSION_URL}/app.html#/dashboard`);
    await expect
      .poll(() => c.app.getByTestId('dashboard-pipeline').locator('.chart-label').allTextContents())
      .toEqual([expect.any(String), expect.any(String), 'Quote sent', 'Price talks']);
    expect(await c.app.locator('html').getAttribute('dir')).toBe('rtl');
    await c.settings.getByTestId('settings-language').selectOption('en');
    await c.settings.getByTestId('settings-save').click();

    // A name emptied gives the stage its usual name back, at every desk.
    await stageName('negotiation').fill('');
    await stageName('negotiation').press('Tab');
    await a.app.reload();
    await expect.poll(() => heading('negotiation').textContent(), { timeout: 20_000 }).toBe('Negotiation');
  });
});
