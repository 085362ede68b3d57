/**
 * Gmail, known contacts on web pages and quick capture, in Chromium with the e2e build (which also reads
 * the saved Gmail pages served on 127.0.0.1/gmail/, and has 127.0.0.1 and localhost granted so "allow
 * this site" needs no prompt). The side panel never shows to Playwright: its page is opened as a tab with
 * the same `?tab=` address a chip or the context menu gives it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bridge-process';
import {
  E2E_EXTENSION_DIR,
  EXTENSION_URL,
  type ExtensionBrowser,
  launchWithExtension,
} from '../helpers/browser';
import { type StaticServer, startStaticServer } from '../helpers/static-server';

// Globals of the extension's pages and worker, where the evaluated functions run.
declare const chrome: {
  runtime: {
    sendMessage(message: unknown): Promise<unknown>;
    getURL(path: string): string;
    getContexts(filter: { contextTypes: string[] }): Promise<Array<{ documentUrl?: string }>>;
  };
  tabs: { query(query: object): Promise<Array<{ id?: number; url?: string }>> };
  windows: { create(options: object): Promise<unknown> };
  scripting: { getRegisteredContentScripts(): Promise<Array<{ matches?: string[] }>> };
};

let browser: ExtensionBrowser;
let worker: Worker;
let server: StaticServer;
let app: Page;
let base: string;

/** Ask the worker something, as an extension page does. */
async function ask<T>(name: string, arg?: unknown): Promise<T> {
  const reply = (await app.evaluate(
    ([name, arg]) => chrome.runtime.sendMessage({ kesher: 'request', name, arg }),
    [name, arg] as const,
  )) as { ok: boolean; value: T; error?: string };
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

async function tabIdOf(page: Page): Promise<number> {
  const url = page.url();
  return worker.evaluate(async (url) => {
    const tabs = await chrome.tabs.query({});
    const tab = tabs.find((item) => item.url === url);
    if (!tab?.id) throw new Error(`no tab for ${url}`);
    return tab.id;
  }, url);
}

async function openPanel(page: Page): Promise<Page> {
  const panel = await browser.context.newPage();
  await panel.goto(`${EXTENSION_URL}/sidepanel.html?tab=${await tabIdOf(page)}`);
  return panel;
}

interface Chip {
  label: string;
  /** The text right before the chip (the number or address it belongs to ends it). */
  before: string;
}

type DomNode = {
  nodeType: number;
  nodeName: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
};

/** Chips as the user sees them, read through their closed shadow roots (CDP pierces them; pages can't). */
async function chips(page: Page): Promise<Chip[]> {
  const cdp: CDPSession = await browser.context.newCDPSession(page);
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
  await cdp.detach();
  const found: Chip[] = [];
  const textOf = (node: DomNode | undefined): string =>
    !node ? '' : node.nodeType === 3 ? (node.nodeValue ?? '') : (node.children ?? []).map(textOf).join('');
  const label = (node: DomNode): string | null => {
    const attributes = node.attributes ?? [];
    const index = attributes.indexOf('aria-label');
    if (node.nodeName === 'BUTTON' && index >= 0) return attributes[index + 1] ?? null;
    for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) {
      const inner = label(child);
      if (inner) return inner;
    }
    return null;
  };
  const walk = (node: DomNode) => {
    const children = node.children ?? [];
    children.forEach((child, index) => {
      if (child.nodeName === 'KESHER-CHIP' && child.shadowRoots?.length) {
        found.push({ label: label(child.shadowRoots[0]!) ?? '', before: textOf(children[index - 1]).trim() });
      }
      walk(child);
    });
    for (const shadow of node.shadowRoots ?? []) walk(shadow);
  };
  walk(root);
  return found;
}

/**
 * The tabs Chrome's own side panel is open for now (a side panel is a context of its own that Playwright
 * never sees; Chrome reports its tab as -1, the panel's address names the tab).
 */
async function sidePanelTabs(): Promise<number[]> {
  const urls = await worker.evaluate(async () =>
    (await chrome.runtime.getContexts({ contextTypes: ['SIDE_PANEL'] })).map(
      (context) => context.documentUrl ?? '',
    ),
  );
  return urls.map((url) => Number(new URL(url).searchParams.get('tab')));
}

async function popupFor(page: Page): Promise<Page> {
  await page.bringToFront();
  const opened = browser.context.waitForEvent('page', (candidate) => candidate.url().includes('/popup.html'));
  await worker.evaluate(() =>
    chrome.windows.create({ type: 'popup', url: chrome.runtime.getURL('popup.html'), focused: false }),
  );
  return opened;
}

beforeAll(async () => {
  server = await startStaticServer();
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchWithExtension(undefined, E2E_EXTENSION_DIR);
  worker = await browser.worker();
  app = await browser.context.newPage();
  await app.goto(`${EXTENSION_URL}/app.html#/cards`);
  const dana = await ask<{ id: string }>('createLead', {
    name: 'Dana Levi',
    phone: '03-555-1234',
    email: 'dana@acme.co.il',
    company: 'Acme Ltd',
  });
  await ask('setStatus', { cardId: dana.id, status: 'yellow', note: 'Waiting for a quote' });
  await ask('addTask', { cardId: dana.id, title: 'Send the chairs quote' });
  await ask('saveDeal', {
    cardId: dana.id,
    title: 'Chairs for the new floor',
    value: 12_000,
    currency: 'ILS',
    stage: 'proposal',
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Gmail', () => {
  it("shows the open thread's sender card in the side panel, with a chip beside the sender", async () => {
    const gmail = await browser.context.newPage();
    await gmail.goto(`${base}/gmail/thread-known.html#inbox/FMfcgzQXJ`);
    await expect
      .poll(async () => (await chips(gmail)).map((chip) => chip.label))
      .toEqual(['Open Dana Levi in Kesher']);
    // The Gmail chip opens Chrome's side panel too.
    await gmail.locator('kesher-chip').first().click();
    await expect.poll(sidePanelTabs).toContain(await tabIdOf(gmail));
    const panel = await openPanel(gmail);
    await expect.poll(() => panel.getByTestId('panel-card-name').textContent()).toBe('Dana Levi');
    expect(await panel.getByTestId('panel-status-light').getAttribute('data-status')).toBe('yellow');
    expect(await panel.getByTestId('panel-open-tasks').textContent()).toContain('Send the chairs quote');
    // The rep answering Dana sees she is mid-quote.
    expect(await panel.getByTestId('panel-open-deals').locator('li').allTextContents()).toEqual([
      expect.stringMatching(/Chairs for the new floor.*₪12,000.*Proposal/),
    ]);
    // The other people of the thread, not the hidden older conversation Gmail keeps in the page.
    const people = await panel.getByTestId('panel-person').allTextContents();
    expect(people.join('|')).toContain('Ron Bar');
    expect(people.join('|')).not.toContain('Old Sender');

    // "Log this email": subject and a link back, once.
    await panel.getByTestId('panel-log-email').click();
    await expect.poll(() => panel.getByTestId('panel-email-logged').count()).toBe(1);
    const timeline = await panel.getByTestId('panel-recent-interactions').textContent();
    expect(timeline).toContain('Quote for 40 chairs');
    expect(timeline).not.toContain('Could you send');

    // A participant on a free-mail address: the capture form, with no company guessed from gmail.com.
    await panel.getByTestId('panel-person').filter({ hasText: 'Ron Bar' }).click();
    await expect.poll(() => panel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await panel.getByTestId('panel-capture-name').inputValue()).toBe('Ron Bar');
    expect(await panel.getByTestId('panel-capture-emails').inputValue()).toBe('ron.bar@gmail.com');
    expect(await panel.getByTestId('panel-capture-company').inputValue()).toBe('');
    await panel.close();

    // Gmail re-renders the conversation: the chip comes back once, beside the new sender element.
    await gmail.evaluate(() => {
      const conversation = document.getElementById('conversation')!;
      conversation.replaceWith(conversation.cloneNode(true));
    });
    await expect.poll(async () => (await chips(gmail)).length).toBe(1);
    await gmail.close();
  });

  it('prefills the capture form for an unknown sender from the message and its Hebrew signature', async () => {
    const gmail = await browser.context.newPage();
    await gmail.goto(`${base}/gmail/thread-unknown.html#inbox/FMfcgzHEB`);
    await expect
      .poll(async () => (await chips(gmail)).map((chip) => chip.label))
      .toEqual(['Capture yossi@cohen-sons.co.il as a lead']);
    const panel = await openPanel(gmail);
    await expect.poll(() => panel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await panel.getByTestId('panel-capture-name').inputValue()).toBe('יוסי כהן');
    expect(await panel.getByTestId('panel-capture-emails').inputValue()).toBe('yossi@cohen-sons.co.il');
    expect(await panel.getByTestId('panel-capture-company').inputValue()).toBe('כהן ובניו בע״מ');
    expect(await panel.getByTestId('panel-capture-title').inputValue()).toBe('מנכ״ל');
    expect(await panel.getByTestId('panel-capture-phones').inputValue()).toBe('052-765-4321');
    await panel.getByTestId('panel-capture-save').click();
    await expect.poll(() => panel.getByTestId('panel-card-name').textContent()).toBe('יוסי כהן');
    // The chip in Gmail turns into the known card's.
    await expect
      .poll(async () => (await chips(gmail)).map((chip) => chip.label))
      .toEqual(['Open יוסי כהן in Kesher']);
    await panel.close();
    await gmail.close();
  });

  it('in Hebrew Gmail: the signature company, Cc labelled Cc, the email logged at its own date, no errors', async () => {
    const gmail = await browser.context.newPage();
    const errors: string[] = [];
    gmail.on('console', (message) => {
      // The fixture server has no favicon; anything else logged as an error is a defect.
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
        errors.push(message.text());
    });
    gmail.on('pageerror', (error) => errors.push(error.message));
    await gmail.goto(`${base}/gmail/thread-hebrew-cc.html#inbox/FMfcgzHEC`);
    await expect.poll(async () => (await chips(gmail)).length).toBe(1);
    const panel = await openPanel(gmail);
    await expect.poll(() => panel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await panel.getByTestId('panel-capture-name').inputValue()).toBe('אבי לוי');
    expect(await panel.getByTestId('panel-capture-company').inputValue()).toBe('לוי דפוס בע״מ');
    expect(await panel.getByTestId('panel-capture-title').inputValue()).toBe('מנכ״ל');
    const people = await panel.getByTestId('panel-person').allTextContents();
    expect(people).toContainEqual(expect.stringMatching(/נועה שמש.*Cc/));
    expect(people).toContainEqual(expect.stringMatching(/אני.*To/));
    await panel.getByTestId('panel-capture-save').click();
    await expect.poll(() => panel.getByTestId('panel-card-name').textContent()).toBe('אבי לוי');
    await panel.getByTestId('panel-log-email').click();
    await expect.poll(() => panel.getByTestId('panel-email-logged').count()).toBe(1);
    // Logged at the message's own time (Gmail shows it in Hebrew), not at the moment of logging.
    const sent = new Date(2026, 10, 17, 14, 40).toISOString();
    await expect
      .poll(() => panel.getByTestId('panel-recent-interactions').locator(`time[datetime="${sent}"]`).count())
      .toBe(1);
    await panel.close();
    await gmail.close();
    expect(errors).toEqual([]);
  });

  it('content scripts define no setting but the language: never the bridge token, never a session item', () => {
    const dir = join(E2E_EXTENSION_DIR, 'content-scripts');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(join(dir, file), 'utf8');
      // Item keys as the bundle writes them ("session:linkState"), not WXT's own driver table.
      expect(/[`'"](?:local:bridgeToken|session:[a-zA-Z]+)/.exec(code)?.[0], file).toBeUndefined();
    }
  });

  it("reads a compose window's recipients", async () => {
    const gmail = await browser.context.newPage();
    await gmail.goto(`${base}/gmail/compose.html`);
    // The saved dialog lays out without Gmail's styles (its field has no size): type as Gmail's own
    // script would, by value and input event.
    await gmail.evaluate(() => {
      const to = document.querySelector<HTMLTextAreaElement>('textarea[name="to"]')!;
      to.value = 'Dana Levi <dana@acme.co.il>';
      to.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const panel = await openPanel(gmail);
    await expect
      .poll(() => panel.getByTestId('panel-card-name').textContent(), { timeout: 10_000 })
      .toBe('Dana Levi');
    await panel.close();
    await gmail.close();
  });
});

describe('known contacts on web pages', () => {
  it('shows chips only on a site the user allowed, on the right numbers only', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/staff.html`);
    expect(await chips(page)).toEqual([]);
    const popup = await popupFor(page);
    await expect
      .poll(() => popup.getByTestId('site-state').textContent())
      .toBe('Kesher does not read http://127.0.0.1.');
    await popup.getByTestId('site-allow').click();
    await expect.poll(async () => (await chips(page)).length).toBe(7);
    const found = await chips(page);
    expect(found.map((chip) => [chip.before, chip.label])).toEqual([
      ['03-555-1234', 'Open Dana Levi in Kesher'],
      ['dana@acme.co.il', 'Open Dana Levi in Kesher'],
      ['054-765-4321', 'Capture 054-765-4321 as a lead'],
      ['noa@acme.co.il', 'Capture noa@acme.co.il as a lead'],
      ['+30 691 234 5678', 'Capture +30 691 234 5678 as a lead'],
      ['Mobile: +30 697 111 2233', 'Capture +30 697 111 2233 as a lead'],
      ['nikos@aegean-tech.gr', 'Capture nikos@aegean-tech.gr as a lead'],
    ]);
    // A number the page adds later is followed.
    await page.evaluate(() => {
      document.getElementById('late')!.textContent = 'Call Dana on 03-555-1234';
    });
    await expect.poll(async () => (await chips(page)).length).toBe(8);

    // Another site (localhost) stays untouched, and the registered script covers only the allowed one.
    const registered = await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
    expect(registered.flatMap((script) => script.matches ?? [])).toEqual(['http://127.0.0.1/*']);
    const other = await browser.context.newPage();
    await other.goto(`http://localhost:${server.port}/staff.html`);
    await page.reload();
    await expect.poll(async () => (await chips(page)).length).toBe(7);
    expect(await chips(other)).toEqual([]);
    await other.close();
    await popup.close();
    await page.close();
  });

  it('a page that says it is American gets chips on its local numbers, and a copyright line gets none', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/us-venue.html`);
    await expect
      .poll(async () => (await chips(page)).map((chip) => chip.before))
      .toEqual(['Box office: (718) 774-0042']);
    await page.close();
  });

  it('captures an unknown number from its chip, prefilled from the row it is in', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/staff.html`);
    await expect.poll(async () => (await chips(page)).length).toBe(7);
    const chip = page.locator('tr[data-person="noa"] kesher-chip').first();
    await chip.click();
    // The click opened Chrome's side panel on this tab (within the click's gesture).
    const tabId = await tabIdOf(page);
    await expect.poll(sidePanelTabs).toContain(tabId);
    const panel = await openPanel(page);
    await expect.poll(() => panel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await panel.getByTestId('panel-capture-name').inputValue()).toBe('נועה כהן');
    expect(await panel.getByTestId('panel-capture-phones').inputValue()).toBe('054-765-4321');
    await panel.close();
    await page.close();
  });

  it('keeps a hostile page out: its styles, its fake chip and its scripts change nothing', async () => {
    // On a site that is not allowed (localhost), scanned once from the toolbar.
    const page = await browser.context.newPage();
    await page.goto(`http://localhost:${server.port}/hostile.html`);
    const popup = await popupFor(page);
    await popup.getByTestId('site-scan-once').click();
    await expect.poll(async () => (await chips(page)).length).toBe(2);
    expect((await chips(page)).map((chip) => [chip.before, chip.label])).toEqual([
      ['and a known number: 03-555-1234', 'Open Dana Levi in Kesher'],
      [
        'Name: <script>window.__pwned = 3</script>Mallory, phone 03-555-9876',
        'Capture 03-555-9876 as a lead',
      ],
    ]);
    // The page's own CSS cannot hide the chips.
    const box = await page.locator('kesher-chip:not([data-card])').first().boundingBox();
    expect(box?.width).toBeGreaterThan(8);
    // What the page could read of them: no shadow root, no text, no data.
    const leaked = await page.evaluate(() => (window as unknown as { __leaked: unknown[] }).__leaked);
    expect(JSON.stringify(leaked)).not.toContain('Dana');
    expect(leaked.every((entry) => JSON.stringify(entry) === JSON.stringify([null, '', '', '{}']))).toBe(
      true,
    );
    await page.close();
  });
});

describe('quick capture', () => {
  it("fills the form from a business page's JSON-LD and keeps the source on the saved card", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/business.html`);
    const popup = await popupFor(page);
    await popup.getByTestId('site-capture').click();
    const panel = await openPanel(page);
    await expect.poll(() => panel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await panel.getByTestId('panel-capture-name').inputValue()).toBe('Olive Tree Catering');
    expect(await panel.getByTestId('panel-capture-kind').inputValue()).toBe('company');
    expect(await panel.getByTestId('panel-capture-phones').inputValue()).toBe('+972-4-855-1234');
    expect(await panel.getByTestId('panel-capture-emails').inputValue()).toBe('events@olivetree.co.il');
    await panel.getByTestId('panel-capture-save').click();
    await expect.poll(() => panel.getByTestId('panel-card-name').textContent()).toBe('Olive Tree Catering');
    const href = (await panel.getByRole('link', { name: 'Open card' }).getAttribute('href')) ?? '';
    const view = await ask<{
      card: { kind: string; source?: { url: string } };
      interactions: Array<{ kind: string }>;
    }>('getCardView', href.split('/').pop());
    expect(view.card.kind).toBe('company');
    expect(view.card.source?.url).toBe(`${base}/business.html`);
    expect(view.interactions.map((item) => item.kind)).toEqual(['capture']);
    await panel.close();
    await popup.close();
    await page.close();
  });

  it('captures real pages as a person would (tests/fixtures/web/wild, expectations written from each page)', async () => {
    const { pages } = JSON.parse(
      readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'web', 'wild', 'expected.json'), 'utf8'),
    ) as { pages: Record<string, Record<string, string>> };
    const wrong: string[] = [];
    for (const [file, expected] of Object.entries(pages)) {
      const page = await browser.context.newPage();
      // The saved pages link to their sites: nothing leaves this machine.
      await page.route(
        (url) => !url.href.startsWith(base),
        (route) => route.abort(),
      );
      await page.goto(`${base}/wild/${file}`, { waitUntil: 'domcontentloaded' });
      const popup = await popupFor(page);
      await popup.getByTestId('site-capture').click();
      const panel = await openPanel(page);
      await panel.getByTestId('panel-capture-form').waitFor();
      const got: Record<string, string> = {
        name: await panel.getByTestId('panel-capture-name').inputValue(),
        kind: await panel.getByTestId('panel-capture-kind').inputValue(),
        company: await panel.getByTestId('panel-capture-company').inputValue(),
        title: await panel.getByTestId('panel-capture-title').inputValue(),
        emails: await panel.getByTestId('panel-capture-emails').inputValue(),
        phones: await panel.getByTestId('panel-capture-phones').inputValue(),
      };
      for (const key of ['name', 'kind', 'company', 'title', 'emails', 'phones']) {
        const want = expected[key] ?? '';
        if (key === 'title' && !(key in expected)) continue;
        if (got[key] !== want)
          wrong.push(`${file}: ${key} ${JSON.stringify(got[key])}, expected ${JSON.stringify(want)}`);
      }
      await panel.close();
      await popup.close();
      await page.close();
    }
    const files = Object.keys(pages).length;
    const wrongPages = new Set(wrong.map((line) => line.split(':')[0])).size;
    console.log(`capture corpus: ${files - wrongPages} of ${files} pages right`);
    expect(wrong).toEqual([]);
  });

  it('reads an h-card page: the person and the organisation', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/hcard.html`);
    const popup = await popupFor(page);
    await popup.getByTestId('site-capture').click();
    const panel = await openPanel(page);
    await expect.poll(() => panel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await panel.getByTestId('panel-capture-name').inputValue()).toBe('Mitchell Baker');
    expect(await panel.getByTestId('panel-capture-company').inputValue()).toBe('Mozilla Foundation');
    await panel.close();
    await popup.close();
    await page.close();
  });

  it('reads a selection, and offers the existing card when the address is known', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/staff.html`);
    await page.evaluate(() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('#selectable p')!);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    const popup = await popupFor(page);
    await popup.getByTestId('site-capture').click();
    const panel = await openPanel(page);
    await expect.poll(() => panel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await panel.getByTestId('panel-capture-name').inputValue()).toBe('Nikos Georgiou');
    expect(await panel.getByTestId('panel-capture-title').inputValue()).toBe('Sales Director');
    expect(await panel.getByTestId('panel-capture-company').inputValue()).toBe('Aegean Tech');
    expect(await panel.getByTestId('panel-capture-phones').inputValue()).toBe('+30 697 111 2233');
    await panel.close();

    // The hostile page's JSON-LD carries HTML in its fields: it arrives as text, and nothing runs.
    await page.goto(`${base}/hostile.html`);
    await popup.close();
    const again = await popupFor(page);
    await again.getByTestId('site-capture').click();
    const hostilePanel = await openPanel(page);
    await expect.poll(() => hostilePanel.getByTestId('panel-capture-form').count()).toBe(1);
    expect(await hostilePanel.getByTestId('panel-capture-name').inputValue()).toBe(
      '<script>window.__pwned = 1</script>Mallory',
    );
    expect(
      await hostilePanel.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await hostilePanel.close();
    await again.close();

    // A capture whose address is already on a card: "add to the existing card".
    await page.goto(`${base}/staff.html`);
    await page.evaluate(() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('tr[data-person="dana"]')!);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    const third = await popupFor(page);
    await third.getByTestId('site-capture').click();
    const dupPanel = await openPanel(page);
    await expect.poll(() => dupPanel.getByTestId('panel-add-to-existing').count()).toBe(1);
    await dupPanel.getByTestId('panel-add-to-existing').click();
    await expect.poll(() => dupPanel.getByTestId('panel-card-name').textContent()).toBe('Dana Levi');
    await dupPanel.close();
    await third.close();
    await page.close();
  });
});
