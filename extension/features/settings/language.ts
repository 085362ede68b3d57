/**
 * The one setting content scripts read (Gmail, page chips), in a module of its own: WXT's storage reads
 * every item it defines at once, so a content script importing ./items.ts would read the bridge token into
 * the page's renderer and fail on the session items ("Access to storage is not allowed from this context").
 */
import { storage } from 'wxt/utils/storage';

/** chrome.storage.local key "language": "auto" (follow the browser), "en", "he" or "el". */
export const languageItem = storage.defineItem<string>('local:language', { fallback: 'auto', version: 1 });
