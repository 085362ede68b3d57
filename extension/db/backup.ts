/** The whole database at once: a backup's read, and a restore that replaces everything in one transaction. */
import type { Card, Interaction, KesherDb, Task } from './db';

export interface Everything {
  cards: Card[];
  tasks: Task[];
  interactions: Interaction[];
}

export function readEverything(db: KesherDb): Promise<Everything> {
  return db.transaction('r', db.cards, db.tasks, db.interactions, async () => {
    const [cards, tasks, interactions] = await Promise.all([
      db.cards.toArray(),
      db.tasks.toArray(),
      db.interactions.toArray(),
    ]);
    return { cards, tasks, interactions };
  });
}

/** Everything here replaced by `data`, exactly; nothing half-done if it fails. */
export async function replaceEverything(
  db: KesherDb,
  data: Everything,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  await db.transaction('rw', db.cards, db.tasks, db.interactions, async () => {
    await Promise.all([db.cards.clear(), db.tasks.clear(), db.interactions.clear()]);
    await db.cards.bulkPut(data.cards);
    onProgress?.(1, 3);
    await db.tasks.bulkPut(data.tasks);
    onProgress?.(2, 3);
    await db.interactions.bulkPut(data.interactions);
    onProgress?.(3, 3);
  });
}
