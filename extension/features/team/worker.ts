/**
 * The worker side of working as a team: who this desk's user is and who their colleagues are (the bridge's
 * people frame, kept across worker restarts), who is free, away or on a call (the office's live calls), and
 * the notification a user gets when a colleague gives them a task — with "Done" and "Reassign" on it.
 */
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import type { OrderedChange } from '../../../shared/sync';
import { assignTask, completeTask } from '../../db/tasks';
import { saveWrapUp } from '../../db/interactions';
import { broadcast, type Colleague, type Handlers, type Team } from '../../doors/page';
import { dueWhen } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import type { WorkerContext } from '../../worker/context';
import { userNameItem } from '../settings/items';

export interface Person {
  name: string;
  extensions: string[];
  online?: boolean;
}

/** chrome.storage.local key "officePeople": the office's users as the bridge last said. */
const peopleItem = storage.defineItem<Person[]>('local:officePeople', { fallback: [], version: 1 });

/** A task given this long ago or more is history by the time this desk hears of it: no notification. */
const NOTIFY_WITHIN_MS = 24 * 60 * 60 * 1000;
const TASK_NOTIFICATION = 'task:';
/** The hub's author for changes made on the office's single token (bridge/link/sync.ts). */
const OFFICE_AUTHOR = 'office';

/** Each colleague's state: on a call (since when), free (a desk of theirs is here), or away. */
export function colleagues(
  people: readonly Person[],
  talking: ReadonlyArray<{ extension: string; since: number }>,
): Colleague[] {
  return people
    .map((person): Colleague => {
      const call = talking.find((item) => person.extensions.includes(item.extension));
      if (call)
        return { name: person.name, extensions: person.extensions, state: 'on-call', since: call.since };
      return { name: person.name, extensions: person.extensions, state: person.online ? 'free' : 'away' };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The tasks a batch of the hub's changes gave `me`, by someone else, lately: each task once, with who gave
 * it as the hub authenticated them (never what a desk wrote in the task).
 */
export function assignedToMe(
  changes: readonly OrderedChange[],
  me: string,
  now = Date.now(),
): Array<{ taskId: string; by: string }> {
  if (!me) return [];
  const given = new Map<string, string>();
  for (const change of changes.filter(
    (change) =>
      change.table === 'tasks' &&
      change.op === 'put' &&
      change.fields?.assignee === me &&
      change.author !== me &&
      now - change.at < NOTIFY_WITHIN_MS,
  ))
    given.set(change.rowId, change.author);
  return [...given].map(([taskId, by]) => ({ taskId, by }));
}

export function installTeam(
  ctx: WorkerContext,
  deps: { talking: () => Array<{ extension: string; since: number }> },
) {
  let people: Person[] = [];
  const loaded = peopleItem.getValue().then((stored) => {
    people = stored;
  });
  const me = () => userNameItem.getValue();

  const notify = async (taskId: string, author: string) => {
    const task = await ctx.db.tasks.get(taskId);
    if (!task || task.done === 1) return;
    const card = await ctx.db.cards.get(task.cardId);
    // The office token's desks are "office" at the hub: a colleague, not a name.
    const by = author && author !== OFFICE_AUTHOR ? author : t('team.someone');
    const due =
      task.due !== undefined ? t('team.due', { when: dueWhen(task.due, Date.now(), locale()) }) : '';
    try {
      await browser.notifications.create(`${TASK_NOTIFICATION}${task.id}`, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icons/128.png'),
        title: t('team.assignedYou', { who: by }),
        message: [task.title, due].filter(Boolean).join(', '),
        ...(card ? { contextMessage: card.name } : {}),
        buttons: [{ title: t('team.markDone') }, { title: t('team.reassign') }],
        priority: 1,
      });
    } catch (error) {
      ctx.log(`task notification failed: ${(error as Error).message}`);
    }
  };

  const openTask = async (taskId: string) => {
    const task = await ctx.db.tasks.get(taskId);
    const where = task
      ? `#/cards/${encodeURIComponent(task.cardId)}?task=${encodeURIComponent(task.id)}`
      : '#/today';
    await browser.tabs.create({ url: browser.runtime.getURL(`/app.html${where}`) });
  };

  browser.notifications?.onButtonClicked.addListener((id, button) => {
    if (!id.startsWith(TASK_NOTIFICATION)) return;
    const taskId = id.slice(TASK_NOTIFICATION.length);
    void browser.notifications.clear(id).catch(() => {});
    if (button === 0)
      void completeTask(ctx.db, taskId)
        .then(() => ctx.changed())
        .catch((error: Error) => ctx.log(`completing a task from its notification: ${error.message}`));
    else void openTask(taskId);
  });
  browser.notifications?.onClicked.addListener((id) => {
    if (!id.startsWith(TASK_NOTIFICATION)) return;
    void browser.notifications.clear(id).catch(() => {});
    void openTask(id.slice(TASK_NOTIFICATION.length));
  });

  const handlers: Pick<Handlers, 'getTeam' | 'assignTask' | 'saveWrapUp'> = {
    getTeam: async (): Promise<Team> => {
      await loaded;
      return { me: await me(), colleagues: colleagues(people, deps.talking()) };
    },
    assignTask: async ({ taskId, assignee }) => {
      await assignTask(ctx.db, taskId, assignee, await me());
      await ctx.changed();
    },
    saveWrapUp: async ({ callId, outcome, note, task }) => {
      const by = await me();
      const saved = await saveWrapUp(ctx.db, { callId, outcome, note, by, ...(task ? { task } : {}) });
      await ctx.changed(saved.cardId || undefined);
      return saved;
    },
  };

  return {
    handlers,
    /** The bridge's people frame. */
    setPeople: (next: readonly Person[]) => {
      people = [...next];
      void peopleItem.setValue(people);
      broadcast('teamChanged', {});
    },
    /** The hub's changes were applied here: a task a colleague gave this desk's user is announced. */
    onApplied: (changes: readonly OrderedChange[]) => {
      void me().then((name) => {
        for (const { taskId, by } of assignedToMe(changes, name)) void notify(taskId, by);
      });
    },
  };
}
