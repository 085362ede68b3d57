/**
 * Settings the service worker and pages read. They live in chrome.storage.local under the keys given
 * here (documented in the README: tests and admins may set them directly).
 */
import type { LinkState, SyncStatus } from '../../doors/page';
import { storage } from 'wxt/utils/storage';
import { EXTENSION_PATTERN } from '../../../shared/protocol';

export const DEFAULT_BRIDGE_URL = 'ws://127.0.0.1:17480/ws';

/** chrome.storage.local key "bridgeUrl". */
export const bridgeUrlItem = storage.defineItem<string>('local:bridgeUrl', {
  fallback: DEFAULT_BRIDGE_URL,
  version: 1,
});
/** chrome.storage.local key "bridgeToken". */
export const bridgeTokenItem = storage.defineItem<string>('local:bridgeToken', { fallback: '', version: 1 });
/**
 * chrome.storage.local key "userName": the office user this desk paired as (from a pairing code); empty
 * with the office's single token. Shown on what this desk's user takes on (a missed call to call back).
 */
export const userNameItem = storage.defineItem<string>('local:userName', { fallback: '', version: 1 });
/** chrome.storage.local key "defaultCountry": ISO 3166 code used for numbers written without one. */
export const defaultCountryItem = storage.defineItem<string>('local:defaultCountry', {
  fallback: 'IL',
  version: 1,
});
/** chrome.storage.local key "outsideLinePrefix": digits the PBX puts before outside numbers, if any. */
export const outsideLinePrefixItem = storage.defineItem<string>('local:outsideLinePrefix', {
  fallback: '',
  version: 1,
});

/**
 * chrome.storage.local key "myExtensions": the phone extensions this user answers, comma-separated
 * ("101, 102"). Empty: all calls pop here (the receptionist). Also the phone click-to-call rings first.
 */
export const myExtensionsItem = storage.defineItem<string>('local:myExtensions', {
  fallback: '',
  version: 1,
});

export function parseExtensions(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map((item) => item.trim())
    .filter((item) => EXTENSION_PATTERN.test(item));
}

// The interface language lives in ./language.ts: content scripts import only that (see there).
export { languageItem } from './language';

/** Where the call log stands in the bridge's journal (chrome.storage.local key "journalCursor"). */
export interface JournalCursor {
  journalId: string;
  seq: number;
  /** When the call log was last known complete up to `seq` (ms since the epoch). */
  at?: number;
}
export const journalCursorItem = storage.defineItem<JournalCursor | null>('local:journalCursor', {
  fallback: null,
});

/**
 * A stretch of time the call log may be missing calls from: the bridge no longer had them when this desk
 * came back (away longer than its journal keeps, or its journal was started anew). Shown on the Calls page.
 */
export interface CallGap {
  reason: 'expired' | 'new-journal';
  /** When the call log was last known complete (absent: unknown). */
  since?: number;
  until: number;
  /** When the desk learnt of it. */
  noticedAt: number;
}
/** chrome.storage.local key "callGaps": the newest last, at most MAX_CALL_GAPS. */
export const callGapsItem = storage.defineItem<CallGap[]>('local:callGaps', { fallback: [] });
export const MAX_CALL_GAPS = 20;

export type { LinkState, LinkStateName } from '../../doors/page';

/** The link's state for pages to show (chrome.storage.session key "linkState"). */
export const linkStateItem = storage.defineItem<LinkState>('session:linkState', {
  fallback: { state: 'connecting', since: 0 },
});

export async function phoneOptions() {
  const [defaultCountry, outsideLinePrefix] = await Promise.all([
    defaultCountryItem.getValue(),
    outsideLinePrefixItem.getValue(),
  ]);
  return { defaultCountry, outsideLinePrefix: outsideLinePrefix || undefined };
}

/** Office mode's status for pages to show (chrome.storage.session key "syncStatus"). */
export const syncStatusItem = storage.defineItem<SyncStatus>('session:syncStatus', {
  fallback: { state: 'off', waiting: 0 },
});
