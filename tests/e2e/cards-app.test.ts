/**
 * The cards app as an office uses it: import a Hebrew CSV, find cards by a Hebrew prefix and by phone
 * digits, the ten-second new customer, delete with undo, a JSON backup restored into a fresh profile, the
 * interface in Hebrew (RTL), and an accessibility check of the app, pop and popup pages.
 */
import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeProcess, postCall, REPO_ROOT, startBridge } from '../helpers/bridge-process';
import { EXTENSION_URL, type ExtensionBrowser, launchWithExtension, pair, popFor } from '../helpers/browser';

const HEBREW_CSV = [
  'שם פרטי,שם משפחה,נייד,דוא"ל,חברה,תגיות',
  'נועה,כהן,054-765-4321,noa@example.co.il,פרדס הדרים,vip',
  'דנה,לוי,052-111-2222,dana@example.co.il,,',
  'Ελένη,Παππά,+30 691 234 5678,eleni@example.gr,Ακρόπολις,',
  ',,,,,',
].join('\r\n');

let browser: ExtensionBrowser;
let app: Page;

async function openApp(hash = '#/cards'): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${EXTENSION_URL}/app.html${hash}`);
  return page;
}

async function rows(page: Page): Promise<string[]> {
  return page.getByTestId('app-card-row').locator('.row-name').allTextContents();
}

/** axe-core's serious and critical violations on a page, one line each. */
async function serious(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
}

beforeAll(async () => {
  browser = await launchWithExtension();
  await browser.worker();
  app = await openApp('#/import');
});

afterAll(async () => {
  await browser?.close();
});

describe('import, search, edit', () => {
  it('imports a CSV with Hebrew headers after a preview', async () => {
    await app
      .getByTestId('app-import-file')
      .setInputFiles({ name: 'לקוחות.csv', mimeType: 'text/csv', buffer: Buffer.from(HEBREW_CSV) });
    await expect
      .poll(() => app.getByTestId('import-preview').textContent())
      .toContain('3 new cards, 0 merged');
    await expect.poll(() => app.getByTestId('import-preview').textContent()).toContain('1 row with errors');
    await app.getByTestId('app-import-confirm').click();
    await expect.poll(() => app.getByTestId('import-message').textContent()).toBe('Imported 3 cards.');
    await app.goto(`${EXTENSION_URL}/app.html#/cards`);
    await expect.poll(() => app.getByTestId('app-card-row').count()).toBe(3);
  });

  it.each([
    ['נוע', ['נועה כהן · פרדס הדרים']],
    ['כהן', ['נועה כהן · פרדס הדרים']],
    ['ελενη', ['Ελένη Παππά · Ακρόπολις']],
    ['05476', ['נועה כהן · פרדס הדרים']],
    ['691 23', ['Ελένη Παππά · Ακρόπολις']],
  ])('search "%s" finds %j', async (query, expected) => {
    await app.getByTestId('app-search').fill(query);
    await expect.poll(() => rows(app)).toEqual(expected);
  });

  it('a new customer is saved in a few keystrokes', async () => {
    await app.getByTestId('app-search').fill('');
    // Keyboard only: leave the search box, then "n" for a new card.
    await app.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await app.keyboard.press('n');
    await expect.poll(() => app.evaluate(() => location.hash)).toBe('#/new');
    // The form opens with the cursor in the name field.
    await expect
      .poll(() => app.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('card-name');
    await app.keyboard.type('יוסי מזרחי');
    await app.getByTestId('card-phone').first().fill('050-123-4567');
    await app.keyboard.press('Control+Enter');
    await expect.poll(() => app.getByTestId('toast').textContent()).toContain('Card created');
    await app.goto(`${EXTENSION_URL}/app.html#/cards`);
    await app.getByTestId('app-search').fill('0501234');
    await expect.poll(() => rows(app)).toEqual(['יוסי מזרחי']);
  });

  it('delete has an undo', async () => {
    await app.getByTestId('app-search').fill('יוסי');
    await app.getByTestId('app-card-row').first().click();
    await app.getByTestId('card-delete').click();
    await expect.poll(() => app.getByTestId('toast').textContent()).toContain('deleted');
    await app.getByTestId('toast-action').click();
    await expect.poll(() => app.getByTestId('card-name').inputValue()).toBe('יוסי מזרחי');
  });
});

describe('backup', () => {
  it('a JSON backup restores into a fresh profile with the same cards', async () => {
    const page = await openApp('#/import');
    const download = page.waitForEvent('download');
    await page.getByTestId('app-export-json').click();
    const file = await (await download).path();
    const backup = JSON.parse(readFileSync(file, 'utf8'));
    expect(backup.cards).toHaveLength(4);
    expect(JSON.stringify(backup)).not.toContain('bridgeToken');

    const fresh = await launchWithExtension();
    try {
      await fresh.worker();
      const restore = await fresh.context.newPage();
      await restore.goto(`${EXTENSION_URL}/app.html#/import`);
      await restore.getByTestId('app-import-file').setInputFiles(file);
      await expect.poll(() => restore.getByTestId('import-preview').textContent()).toContain('4 cards');
      await restore.getByTestId('app-import-confirm').click();
      await expect.poll(() => restore.getByTestId('import-message').textContent()).toBe('Backup restored.');
      const again = restore.waitForEvent('download');
      await restore.getByTestId('app-export-json').click();
      const second = JSON.parse(readFileSync(await (await again).path(), 'utf8'));
      const byId = (cards: Array<{ id: string }>) => [...cards].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(second.cards)).toEqual(byId(backup.cards));
      expect(second.tasks).toEqual(backup.tasks);
    } finally {
      await fresh.close();
    }
  });
});

describe('Hebrew interface', () => {
  it('switches to Hebrew, right to left, and shows a Hebrew card', async () => {
    const page = await openApp('#/settings');
    await page.getByTestId('settings-language').selectOption('he');
    await page.getByTestId('settings-save').click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dir), { timeout: 10_000 })
      .toBe('rtl');
    // The reloaded page is fully up (its settings form rendered) before we move on.
    await page.getByTestId('settings-language').waitFor();
    await page.goto(`${EXTENSION_URL}/app.html#/cards`);
    await page.getByTestId('app-search').fill('נועה');
    await page.getByTestId('app-card-row').first().click();
    await expect.poll(() => page.getByTestId('card-name').inputValue()).toBe('נועה כהן');
    await expect.poll(() => page.getByRole('heading', { name: 'משימות פתוחות' }).count()).toBe(1);
    mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, '.tmp', 'hebrew-card.png'), fullPage: true });
    await page.goto(`${EXTENSION_URL}/app.html#/settings`);
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByTestId('settings-save').click();
    // Saving a new language reloads the page.
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dir), { timeout: 10_000 })
      .toBe('ltr');
    await page.close();
  });
});

describe('Arabic and Russian interfaces', () => {
  const cases = [
    {
      locale: 'ru',
      dir: 'ltr',
      csv: [
        'Имя,Фамилия,Мобильный телефон,Адрес эл. почты,Организация',
        'Алёна,Смирнова,054-333-1111,alena@romashka.ru,ООО Ромашка',
        'Сергей,Йолкин,054-333-2222,,',
        ',,,,',
      ],
      preview: ['2 новые карточки', '0 объединений', '1 строка с ошибками'],
      done: 'Импортированы 2 карточки.',
      search: ['алена', 'Алёна Смирнова · ООО Ромашка'],
      heading: 'Открытые задачи',
      phone: '054-333-1111',
      unknown: 'Неизвестный звонящий',
    },
    {
      locale: 'ar',
      dir: 'rtl',
      csv: [
        'الاسم الأول,اسم العائلة,الهاتف المحمول,البريد الإلكتروني,الشركة',
        'أحمد,خليل,٠٥٤-٣٣٣-٣٣٣٣,ahmad@alnoor.co.il,شركة النور',
        'فاطمة,حسن,054-333-4444,,',
        ',,,,',
      ],
      preview: ['بطاقتان جديدتان', 'لا دمج', 'صف واحد فيه أخطاء'],
      done: 'تم استيراد بطاقتين.',
      search: ['احمد', 'أحمد خليل · شركة النور'],
      heading: 'المهام المفتوحة',
      phone: '٠٥٤-٣٣٣-٣٣٣٣',
      unknown: 'متصل غير معروف',
    },
  ] as const;

  it.each(cases)(
    '$locale: the app, an import with its own plurals, search folding and a pop',
    async (example) => {
      const bridge = await startBridge();
      const page = await openApp('#/settings');
      try {
        await page.getByTestId('settings-language').selectOption(example.locale);
        await page.getByTestId('settings-save').click();
        await expect
          .poll(() => page.evaluate(() => document.documentElement.lang), { timeout: 10_000 })
          .toBe(example.locale);
        await page.getByTestId('settings-language').waitFor();
        expect(await page.evaluate(() => document.documentElement.dir)).toBe(example.dir);

        await page.goto(`${EXTENSION_URL}/app.html#/import`);
        await page.getByTestId('app-import-file').setInputFiles({
          name: `${example.locale}.csv`,
          mimeType: 'text/csv',
          buffer: Buffer.from(example.csv.join('\r\n')),
        });
        for (const part of example.preview)
          await expect.poll(() => page.getByTestId('import-preview').textContent()).toContain(part);
        mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
        await page.screenshot({
          path: join(REPO_ROOT, '.tmp', `${example.locale}-import.png`),
          fullPage: true,
        });
        expect(await serious(page)).toEqual([]);
        await page.getByTestId('app-import-confirm').click();
        await expect.poll(() => page.getByTestId('import-message').textContent()).toBe(example.done);

        // Search folds the language's spellings (ё, hamza on alef).
        await page.goto(`${EXTENSION_URL}/app.html#/cards`);
        await page.getByTestId('app-search').fill(example.search[0]);
        await expect.poll(() => rows(page)).toEqual([example.search[1]]);
        await page.getByTestId('app-card-row').first().click();
        await expect.poll(() => page.getByRole('heading', { name: example.heading }).count()).toBe(1);
        // The imported number is a number (Arabic-Indic digits included): it can be called.
        await expect.poll(() => page.getByTestId('card-phone').first().inputValue()).toBe(example.phone);
        await page.screenshot({
          path: join(REPO_ROOT, '.tmp', `${example.locale}-card.png`),
          fullPage: true,
        });
        expect(await serious(page)).toEqual([]);

        // A pop in the same language.
        const settings = await pair(browser.context, bridge.wsUrl, bridge.token);
        await expect
          .poll(() => settings.getByTestId('settings-link-state').getAttribute('data-state'), {
            timeout: 10_000,
          })
          .toBe('connected');
        await settings.close();
        const callId = `${example.locale}-pop`;
        const opened = popFor(browser.context, callId);
        await postCall(bridge, { callId, state: 'ringing', from: '+972 3 555 0199' });
        const pop = await opened;
        await expect
          .poll(() => pop.getByTestId('pop-unknown-caller').locator('h1').textContent())
          .toBe(example.unknown);
        expect(await pop.evaluate(() => document.documentElement.dir)).toBe(example.dir);
        await pop.screenshot({ path: join(REPO_ROOT, '.tmp', `${example.locale}-pop.png`) });
        expect(await serious(pop)).toEqual([]);
        await pop.close();
      } finally {
        await page.goto(`${EXTENSION_URL}/app.html#/settings`);
        await page.getByTestId('settings-language').selectOption('en');
        await page.getByTestId('settings-save').click();
        await expect
          .poll(() => page.evaluate(() => document.documentElement.lang), { timeout: 10_000 })
          .toBe('en');
        await page.close();
        await bridge.stop();
      }
    },
  );
});

describe('accessibility (axe-core)', () => {
  let bridge: BridgeProcess;
  beforeAll(async () => {
    bridge = await startBridge();
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it.each(['#/cards', '#/today', '#/dashboard', '#/import', '#/calls', '#/settings'])(
    'app %s has no serious violation',
    async (hash) => {
      const page = await openApp(hash);
      await page.waitForLoadState('networkidle');
      expect(await serious(page)).toEqual([]);
      await page.close();
    },
  );

  it('the popup and a pop have no serious violation', async () => {
    const popup = await browser.context.newPage();
    await popup.goto(`${EXTENSION_URL}/popup.html`);
    await popup.getByTestId('popup-search').fill('נו');
    await expect.poll(() => popup.getByTestId('popup-result').count()).toBe(1);
    expect(await serious(popup)).toEqual([]);
    await popup.close();

    const settings = await pair(browser.context, bridge.wsUrl, bridge.token);
    await expect
      .poll(() => settings.getByTestId('settings-link-state').getAttribute('data-state'))
      .toBe('connected');
    const pop = popFor(browser.context, 'axe-1');
    await postCall(bridge, { callId: 'axe-1', state: 'ringing', from: '054-765-4321' });
    const page = await pop;
    await page.getByTestId('pop-card-name').waitFor();
    expect(await serious(page)).toEqual([]);
  });
});

describe('import merges only the same person', () => {
  const csv = (lines: string[]) => ({
    name: 'office.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(lines.join('\r\n')),
  });

  it('lists every merge with its reason, keeps switchboard colleagues apart, and a merge can be turned off', async () => {
    const page = await openApp('#/import');
    await page
      .getByTestId('app-import-file')
      .setInputFiles(csv(['Name,E-mail', 'Shira Paz,shira@office.co.il']));
    await page.getByTestId('app-import-confirm').click();
    await expect.poll(() => page.getByTestId('import-message').textContent()).toBe('Imported 1 card.');

    await page
      .getByTestId('app-import-file')
      .setInputFiles(
        csv([
          'Name,Phone,E-mail',
          'Avi Ben,03-6101800,avi@office.co.il',
          'Rina Gold,03-6101800,rina@office.co.il',
          'Moshe Tal,03-6101800,',
          'Shira P.,050-123-4567,shira@office.co.il',
          'AVI BEN,+972 3-610-1800,',
        ]),
      );
    await expect
      .poll(() => page.getByTestId('import-counts').textContent())
      .toContain('3 new cards, 2 merged');
    const merges = page.getByTestId('import-merge');
    await expect
      .poll(() => merges.allTextContents())
      .toEqual([
        'Row 5 (Shira P.) joins the card Shira Paz: same email shira@office.co.il',
        'Row 6 (AVI BEN) joins row 2 (Avi Ben): same phone +972 3-610-1800 and the same name',
      ]);
    await merges.nth(1).getByRole('checkbox').uncheck();
    await expect
      .poll(() => page.getByTestId('import-counts').textContent())
      .toContain('4 new cards, 1 merged');
    await page.getByTestId('app-import-confirm').click();
    await expect.poll(() => page.getByTestId('import-message').textContent()).toBe('Imported 5 cards.');

    await page.goto(`${EXTENSION_URL}/app.html#/cards`);
    await page.getByTestId('app-search').fill('6101800');
    await expect
      .poll(async () => (await rows(page)).sort())
      .toEqual(['AVI BEN', 'Avi Ben', 'Moshe Tal', 'Rina Gold']);
    await page.getByTestId('app-search').fill('shira');
    await expect.poll(() => rows(page)).toEqual(['Shira Paz']);
    await page.close();
  });
});
