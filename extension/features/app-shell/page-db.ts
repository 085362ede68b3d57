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
/** When this page last dropped the search list for a change of its own. */
let ownChangeAt = 0;
// A change from elsewhere drops the list too; the echo of this page's own change (the worker tells every
// page, this one included, right after) does not rebuild a list that is already being rebuilt.
onDataChanged(() => {
  if (Date.now() - ownChangeAt > 2_000) cardSearch.invalidate();
});

/** This page wrote: every other page and the worker follow. `cards: false`: no card changed (a deal moved). */
export async function changed(options: { cards?: boolean } = {}): Promise<void> {
  ownChangeAt = Date.now();
  if (options.cards !== false) cardSearch.invalidate();
  await sendMessage('notifyChanged').catch(() => {});
}

export { phoneOptions };
