/**
 * The database as an extension page uses it (pages are extension-origin, so IndexedDB is Kesher's own), and
 * the one search over it. After a change the page tells the worker, which refreshes open pops.
 */
import { createDb } from '../../db/db';
import { CardSearch } from '../search/search';
import { phoneOptions } from '../settings/items';
import { sendMessage } from '../../doors/page';

export const db = createDb();
export const cardSearch = new CardSearch(db);

export async function changed(): Promise<void> {
  cardSearch.invalidate();
  await sendMessage('notifyChanged').catch(() => {});
}

export { phoneOptions };
