/** The whole database at once: a backup's read, and a restore that replaces everything in one transaction. */
import type { Card, Deal, Interaction, KesherDb, OfficeSettings, Task } from './db';

export interface Everything {
  cards: Card[];
  tasks: Task[];
  interactions: Interaction[];
  deals: Deal[];
  /** The office's settings (a backup from before they were records has none). */
  settings?: OfficeSettings[];
}

export function readEverything(db: KesherDb): Promise<Everything> {
  return db.transaction('r', [db.cards, db.tasks, db.interactions, db.deals, db.settings], async () => {
    const [cards, tasks, interactions, deals, settings] = await Promise.all([
      db.cards.toArray(),
      db.tasks.toArray(),
      db.interactions.toArray(),
      db.deals.toArray(),
      db.settings.toArray(),
    ]);
    return { cards, tasks, interactions, deals, settings };
  });
}

/** Everything here replaced by `data`, exactly; nothing half-done if it fails. */
export async function replaceEverything(
  db: KesherDb,
  data: Everything,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  await db.transaction('rw', [db.cards, db.tasks, db.interactions, db.deals, db.settings], async () => {
    await Promise.all([
      db.cards.clear(),
      db.tasks.clear(),
      db.interactions.clear(),
      db.deals.clear(),
      // A backup without settings leaves this desk's as they are.
      ...(data.settings ? [db.settings.clear()] : []),
    ]);
    await db.cards.bulkPut(data.cards);
    onProgress?.(1, 4);
    await db.tasks.bulkPut(data.tasks);
    onProgress?.(2, 4);
    await db.interactions.bulkPut(data.interactions);
    onProgress?.(3, 4);
    await db.deals.bulkPut(data.deals);
    if (data.settings) await db.settings.bulkPut(data.settings);
    onProgress?.(4, 4);
  });
}
