import { type KesherDb, newId, type Task } from './db';
import { isOverdue } from '../../shared/records';

export interface TaskInput {
  cardId: string;
  title: string;
  due?: number;
  priority?: Task['priority'];
  /** Office mode: who is to do it (default: whoever creates it, `by`). */
  assignee?: string;
  /** The desk's user creating it (empty on the office's single token or outside office mode). */
  by?: string;
}

/** An assignee and who gave it, as a task keeps them: nothing for a desk that has no user. */
function assignment(assignee: string | undefined, by: string | undefined): Partial<Task> {
  const to = assignee?.trim() || by?.trim() || '';
  if (!to) return {};
  return by && to !== by ? { assignee: to, assignedBy: by } : { assignee: to };
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
    ...assignment(input.assignee, input.by),
  };
  await db.tasks.add(task);
  return task;
}

/** Give a task to a colleague (or take it back): the new assignee's desk is told. */
export async function assignTask(db: KesherDb, id: string, assignee: string, by: string): Promise<void> {
  await db.transaction('rw', db.tasks, async () => {
    const task = await db.tasks.get(id);
    if (!task) throw new Error('That task is no longer there.');
    const next: Task = { ...task, ...assignment(assignee, by) };
    if (!next.assignedBy || next.assignee === by) delete next.assignedBy;
    if (!next.assignee) delete next.assignee;
    await db.tasks.put(next);
  });
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
