import { type KesherDb, newId, type Task } from './db';
import { isOverdue } from '../../shared/records';

export interface TaskInput {
  cardId: string;
  title: string;
  due?: number;
  priority?: Task['priority'];
}

export async function addTask(db: KesherDb, input: TaskInput): Promise<Task> {
  const title = input.title.trim();
  if (title === '') throw new Error('a task needs a title');
  const task: Task = {
    id: newId(),
    cardId: input.cardId,
    title,
    due: input.due,
    done: 0,
    priority: input.priority ?? 'normal',
    createdAt: Date.now(),
  };
  await db.tasks.add(task);
  return task;
}

export async function completeTask(db: KesherDb, id: string, done = true): Promise<void> {
  const changed = await db.tasks.update(id, { done: done ? 1 : 0, doneAt: done ? Date.now() : undefined });
  if (changed === 0) throw new Error(`no task ${id}`);
}

/** Open tasks of a card: overdue first, then by due date (undated last), then oldest first. */
export async function openTasks(db: KesherDb, cardId: string, now = Date.now()): Promise<Task[]> {
  const tasks = await db.tasks.where('[cardId+done]').equals([cardId, 0]).toArray();
  return tasks.sort(
    (a, b) =>
      Number(isOverdue(b, now)) - Number(isOverdue(a, now)) ||
      (a.due ?? Number.POSITIVE_INFINITY) - (b.due ?? Number.POSITIVE_INFINITY) ||
      a.createdAt - b.createdAt,
  );
}
