/**
 * Which sites Kesher may read (service worker side). The user allows a site from the toolbar popup, which
 * asks Chrome for that one origin (optional host permission); the page-contacts script is then registered
 * for exactly the allowed origins that still hold their permission. Everywhere else nothing of Kesher runs.
 */
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';

/** chrome.storage.local key "allowedSites": origins ("https://example.com") where chips are shown. */
export const allowedSitesItem = storage.defineItem<string[]>('local:allowedSites', {
  fallback: [],
  version: 1,
});

export const PAGE_SCRIPT_ID = 'kesher-page-contacts';
export const PAGE_SCRIPT_FILE = '/content-scripts/page-contacts.js' as const;
export const CAPTURE_SCRIPT_FILE = '/content-scripts/capture.js' as const;

/** "https://shop.example.com/a/b?c" → "https://shop.example.com"; null for pages Kesher never reads. */
export function siteOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
    return `${parsed.protocol}//${parsed.hostname}`;
  } catch {
    return null;
  }
}

/** Match pattern for a site: Chrome ignores the port when the pattern has none. */
export function patternOf(site: string): string {
  return `${site}/*`;
}

export async function grantedSites(sites: readonly string[]): Promise<string[]> {
  const granted: string[] = [];
  for (const site of sites) {
    if (await browser.permissions.contains({ origins: [patternOf(site)] })) granted.push(site);
  }
  return granted;
}

let syncing: Promise<string[]> = Promise.resolve([]);

/**
 * Register the page script for exactly the allowed, still-permitted sites (or unregister it). One at a
 * time: a storage change and a permission change arrive together, and two registrations of one id fail.
 */
export function syncPageScript(): Promise<string[]> {
  syncing = syncing.catch(() => []).then(syncNow);
  return syncing;
}

async function syncNow(): Promise<string[]> {
  const sites = await grantedSites(await allowedSitesItem.getValue());
  const registered = await browser.scripting.getRegisteredContentScripts({ ids: [PAGE_SCRIPT_ID] });
  if (sites.length === 0) {
    if (registered.length > 0) await browser.scripting.unregisterContentScripts({ ids: [PAGE_SCRIPT_ID] });
    return sites;
  }
  const script = {
    id: PAGE_SCRIPT_ID,
    matches: sites.map(patternOf),
    js: [PAGE_SCRIPT_FILE],
    runAt: 'document_idle' as const,
    persistAcrossSessions: true,
  };
  if (registered.length > 0) await browser.scripting.updateContentScripts([script]);
  else await browser.scripting.registerContentScripts([script]);
  return sites;
}

export async function allowSite(site: string): Promise<string[]> {
  if (!(await browser.permissions.contains({ origins: [patternOf(site)] }))) {
    throw new Error(`Chrome has not granted access to ${site}`);
  }
  const sites = await allowedSitesItem.getValue();
  if (!sites.includes(site)) await allowedSitesItem.setValue([...sites, site]);
  return syncPageScript();
}

export async function forgetSite(site: string): Promise<string[]> {
  await allowedSitesItem.setValue((await allowedSitesItem.getValue()).filter((item) => item !== site));
  const sites = await syncPageScript();
  // Give the permission back too: a site the user turned off should not stay readable.
  await browser.permissions.remove({ origins: [patternOf(site)] }).catch(() => false);
  return sites;
}
