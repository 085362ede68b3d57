/** The whole database at once: a backup's read, and a restore that replaces everything in one transaction. */
import type { Card, Deal, Interaction, KesherDb, Task } from './db';

export interface Everything {
  cards: Card[];
  tasks: Task[];
  interactions: Interaction[];
  deals: Deal[];
}

export function readEverything(db: KesherDb): Promise<Everything> {
  return db.transaction('r', [db.cards, db.tasks, db.interactions, db.deals], async () => {
    const [cards, tasks, interactions, deals] = await Promise.all([
      db.cards.toArray(),
      db.tasks.toArray(),
      db.interactions.toArray(),
      db.deals.toArray(),
    ]);
    return { cards, tasks, interactions, deals };
  });
}

/** Everything here replaced by `data`, exactly; nothing half-done if it fails. */
export async function replaceEverything(
  db: KesherDb,
  data: Everything,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  await db.transaction('rw', [db.cards, db.tasks, db.interactions, db.deals], async () => {
    await Promise.all([db.cards.clear(), db.tasks.clear(), db.interactions.clear(), db.deals.clear()]);
    await db.cards.bulkPut(data.cards);
    onProgress?.(1, 4);
    await db.tasks.bulkPut(data.tasks);
    onProgress?.(2, 4);
    await db.interactions.bulkPut(data.interactions);
    onProgress?.(3, 4);
    await db.deals.bulkPut(data.deals);
    onProgress?.(4, 4);
  });
}
