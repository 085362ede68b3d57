/**
 * Debian's Chromium with the built extension loaded (never a downloaded browser). Each launch gets its
 * own profile folder; pass the same folder again to "restart the browser".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { EXTENSION_ID } from '../../shared/extension-id';
import { REPO_ROOT } from './bridge-process';

export const EXTENSION_DIR = join(REPO_ROOT, '.output', 'chrome-mv3');
/** The e2e build (KESHER_E2E=1): also reads the saved Gmail pages on 127.0.0.1/gmail/; 127.0.0.1 granted. */
export const E2E_EXTENSION_DIR = join(REPO_ROOT, '.output-e2e', 'chrome-mv3');
export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
export const EXTENSION_URL = `chrome-extension://${EXTENSION_ID}`;

export function chromiumArgs(extensionDir = EXTENSION_DIR): string[] {
  return [
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-sandbox',
  ];
}

export interface ExtensionBrowser {
  context: BrowserContext;
  profileDir: string;
  worker(): Promise<Worker>;
  close(): Promise<void>;
}

export async function launchWithExtension(
  profileDir = mkdtempSync(join(tmpdir(), 'kesher-profile-')),
  extensionDir = EXTENSION_DIR,
): Promise<ExtensionBrowser> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROME_PATH,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    viewport: null,
    args: chromiumArgs(extensionDir),
  });
  return {
    context,
    profileDir,
    async worker() {
      const existing = context.serviceWorkers().find((worker) => worker.url().startsWith(EXTENSION_URL));
      return (
        existing ?? context.waitForEvent('serviceworker', (worker) => worker.url().startsWith(EXTENSION_URL))
      );
    },
    close: () => context.close(),
  };
}

export async function openSettings(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${EXTENSION_URL}/app.html#/settings`);
  return page;
}

/** Pair through the settings page, as a user would. */
export async function pair(context: BrowserContext, url: string, token: string): Promise<Page> {
  const page = await openSettings(context);
  await page.getByTestId('settings-bridge-url').fill(url);
  await page.getByTestId('settings-token').fill(token);
  await page.getByTestId('settings-save').click();
  return page;
}

/** The pop window Chromium opens for a call. */
export function popFor(context: BrowserContext, callId: string): Promise<Page> {
  const url = `${EXTENSION_URL}/pop.html?callId=${encodeURIComponent(callId)}`;
  const open = context.pages().find((page) => page.url() === url);
  return open
    ? Promise.resolve(open)
    : context.waitForEvent('page', { predicate: (page) => page.url() === url });
}

export function popPages(context: BrowserContext, callId: string): Page[] {
  return context
    .pages()
    .filter((page) => page.url().endsWith(`pop.html?callId=${encodeURIComponent(callId)}`));
}
