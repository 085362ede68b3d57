/**
 * The database as an extension page uses it (pages are extension-origin, so IndexedDB is Kesher's own), and
 * the one search over it. After a change the page tells the worker, which refreshes open pops.
 */
import { createDb } from '../../db/db';
import { CardSearch } from '../search/search';
import { phoneOptions } from '../settings/items';
import { sendMessage } from '../../doors/page';
import { onDataChanged } from './query';

export const db = createDb();
export const cardSearch = new CardSearch(db);
// A change from anywhere (another page, the worker, another desk): the list takes the cards that changed
// (a few reads; the echo of this page's own change finds nothing new).
onDataChanged(() => cardSearch.invalidate());

/** This page wrote: every other page and the worker follow. `cards: false`: no card changed (a deal moved). */
export async function changed(options: { cards?: boolean } = {}): Promise<void> {
  if (options.cards !== false) cardSearch.invalidate();
  await sendMessage('notifyChanged').catch(() => {});
}

export { phoneOptions };
