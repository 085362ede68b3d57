/**
 * "Today": tasks due and overdue, the office's missed calls to call back (one per caller, with who said
 * they will), and today's calls.
 */
import { useQuery, useQueryClient } from '@tanstack/preact-query';
import Dexie from 'dexie';
import { useEffect, useState } from 'preact/hooks';
import { type Card, type Interaction, type Task, UNKNOWN_CARD } from '../../db/db';
import { claimMissedCall } from '../../db/interactions';
import { completeTask } from '../../db/tasks';
import { describeInteraction, Ltr, Section } from '../../ui/components';
import { formatDate, relativeTime } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { useAction } from '../../ui/use-action';
import { changed, db } from '../app-shell/page-db';
import { todayKeys } from '../app-shell/query';
import { CallButton } from '../click-to-call/CallButton';
import { userNameItem } from '../settings/items';
import { type ClosedEntry, closedEntries, type MissedEntry, missedQueue } from './missed-queue';
import { useTeam } from '../team/use-team';
import type { Colleague } from '../../doors/page';
import { ColleagueList } from '../team/ColleagueList';

/** How far back the queue looks: a missed call older than this is history, not a to-do. */
const QUEUE_DAYS = 14;

function startOfToday(now = new Date()): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

/** My open tasks first: overdue, then by due date (undated last), then oldest. */
function byDue(a: Task, b: Task): number {
  return (
    (a.due ?? Number.POSITIVE_INFINITY) - (b.due ?? Number.POSITIVE_INFINITY) || a.createdAt - b.createdAt
  );
}

async function loadToday(me: string) {
  const today = startOfToday();
  const tomorrow = today + 24 * 60 * 60 * 1000;
  const [due, mine, recent] = await Promise.all([
    db.tasks
      .where('due')
      .below(tomorrow)
      .filter((task) => task.done === 0 && (!me || task.assignee !== me))
      .sortBy('due'),
    me ? db.tasks.where('[assignee+done]').equals([me, 0]).toArray() : Promise.resolve([]),
    db.interactions
      .where('at')
      .between(today - QUEUE_DAYS * 24 * 60 * 60 * 1000, Dexie.maxKey)
      .filter((item) => item.kind === 'call')
      .sortBy('at'),
  ]);
  const myTasks = mine.sort(byDue);
  // With a user, the rest are the team's: the ones overdue (due today is the assignee's business).
  const tasks = me ? due.filter((task) => task.due! < today) : due;
  const calls = recent.filter((call) => call.at >= today).reverse();
  const queue = missedQueue(recent);
  const closed = closedEntries(recent, today);
  const cardIds = [
    ...new Set([
      ...tasks.map((task) => task.cardId),
      ...myTasks.map((task) => task.cardId),
      ...calls.map((call) => call.cardId),
      ...queue.map((entry) => entry.cardId),
      ...closed.map((entry) => entry.cardId),
    ]),
  ].filter((id) => id !== UNKNOWN_CARD);
  const cards = new Map(
    (await db.cards.bulkGet(cardIds)).filter((card): card is Card => !!card).map((card) => [card.id, card]),
  );
  return { tasks, myTasks, calls, queue, closed, cards };
}

function Who({ item, cards }: { item: Interaction | Task; cards: Map<string, Card> }) {
  const card = cards.get(item.cardId);
  if (card) {
    return (
      <a href={`#/cards/${card.id}`}>
        <bdi>{card.name}</bdi>
      </a>
    );
  }
  return <Ltr>{'number' in item ? item.number || t('calls.withheld') : ''}</Ltr>;
}

/** One caller in the missed-call queue: how many calls, since when, call back, and who takes it. */
function MissedCaller({ entry, cards, me }: { entry: MissedEntry; cards: Map<string, Card>; me: string }) {
  const client = useQueryClient();
  const claim = useAction(async () => {
    await claimMissedCall(db, entry.latestId, me);
    await changed();
    await client.invalidateQueries({ queryKey: todayKeys.all });
  });
  const card = cards.get(entry.cardId);
  const claimedBy = entry.claim
    ? entry.claim.by === ''
      ? t('today.claimedBySomeone')
      : entry.claim.by === me
        ? t('today.claimedByMe')
        : t('today.claimedBy', { name: entry.claim.by })
    : '';
  return (
    <li data-claimed={entry.claim ? 'true' : 'false'}>
      {card ? (
        <a href={`#/cards/${card.id}`}>
          <bdi>{card.name}</bdi>
        </a>
      ) : (
        <Ltr>{entry.number}</Ltr>
      )}
      {entry.calls > 1 ? <span class="muted">{t('today.missedCalls', { count: entry.calls })}</span> : null}
      <time>{relativeTime(entry.lastAt, Date.now(), locale())}</time>
      {entry.number ? <CallButton number={entry.number} label={t('today.callBack')} /> : null}
      {entry.claim ? (
        <span class="claimed" data-testid="missed-claimed">
          {claimedBy}
        </span>
      ) : (
        <button
          type="button"
          data-testid="missed-claim"
          disabled={claim.pending}
          onClick={() => void claim.run()}
        >
          {t('today.claim')}
        </button>
      )}
      {claim.error ? (
        <span class="error" role="alert">
          {claim.error.message}
        </span>
      ) : null}
    </li>
  );
}

/** "Dana Levi (102)" for a colleague's extension, the extension alone for one nobody is paired on. */
function whoIs(extension: string | undefined, colleagues: readonly Colleague[]): string {
  if (!extension) return '';
  const colleague = colleagues.find((item) => item.extensions.includes(extension));
  return colleague ? `${colleague.name} (${extension})` : extension;
}

/** A queue entry dealt with today, and who dealt with it. */
function ClosedCaller({
  entry,
  cards,
  colleagues,
}: {
  entry: ClosedEntry;
  cards: Map<string, Card>;
  colleagues: readonly Colleague[];
}) {
  const card = cards.get(entry.cardId);
  const who = whoIs(entry.extension, colleagues);
  const text =
    entry.how === 'call-back'
      ? who
        ? t('today.calledBackBy', { who })
        : t('today.calledBack')
      : who
        ? t('today.reachedBy', { who })
        : t('today.reached');
  return (
    <li data-how={entry.how}>
      {card ? (
        <a href={`#/cards/${card.id}`}>
          <bdi>{card.name}</bdi>
        </a>
      ) : (
        <Ltr>{entry.number}</Ltr>
      )}
      <span class="closed-by">{text}</span>
      <time>{relativeTime(entry.closedAt, Date.now(), locale())}</time>
    </li>
  );
}

function TodayTasks({
  tasks,
  cards,
  testId,
  showAssignee,
}: {
  tasks: Task[];
  cards: Map<string, Card>;
  testId: string;
  showAssignee?: boolean;
}) {
  const client = useQueryClient();
  const complete = useAction(async (task: Task) => {
    await completeTask(db, task.id);
    await changed();
    await client.invalidateQueries({ queryKey: todayKeys.all });
  });
  return (
    <ul class="tasks" data-testid={testId}>
      {tasks.map((task) => (
        <li key={task.id} class={task.due !== undefined && task.due < startOfToday() ? 'overdue' : undefined}>
          <input
            type="checkbox"
            aria-label={t('tasks.done', { title: task.title })}
            onChange={() => void complete.run(task)}
          />
          <span class="task-title">
            <bdi>{task.title}</bdi>
          </span>
          <Who item={task} cards={cards} />
          <span class="due">{task.due !== undefined ? formatDate(task.due, locale()) : ''}</span>
          {showAssignee && task.assignee ? (
            <span class="assignee">
              <bdi>{task.assignee}</bdi>
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export function TodayView() {
  const [me, setMe] = useState<string | null>(null);
  useEffect(() => {
    void userNameItem.getValue().then(setMe);
  }, []);
  const data = useQuery({
    queryKey: [...todayKeys.all, me ?? ''],
    queryFn: () => loadToday(me ?? ''),
    enabled: me !== null,
  });
  const now = Date.now();
  const team = useTeam();
  const queue = data.data?.queue ?? [];
  return (
    <div class="page-body wide">
      <h1>{t('today.title')}</h1>
      {me ? (
        <Section title={t('today.myTasks')}>
          {data.data?.myTasks.length === 0 ? <p class="empty">{t('today.noMyTasks')}</p> : null}
          <TodayTasks
            tasks={data.data?.myTasks ?? []}
            cards={data.data?.cards ?? new Map()}
            testId="app-my-tasks"
          />
        </Section>
      ) : null}
      <Section title={me ? t('today.teamOverdue') : t('today.tasks')}>
        {data.data?.tasks.length === 0 ? <p class="empty">{t('today.noTasks')}</p> : null}
        <TodayTasks
          tasks={data.data?.tasks ?? []}
          cards={data.data?.cards ?? new Map()}
          testId="today-tasks"
          showAssignee={!!me}
        />
      </Section>
      <ColleagueList />
      <Section title={t('today.missed')}>
        {data.data && queue.length === 0 ? <p class="empty">{t('today.noMissed')}</p> : null}
        <ul class="timeline" data-testid="app-missed-queue">
          {queue.map((entry) => (
            <MissedCaller key={entry.key} entry={entry} cards={data.data!.cards} me={me ?? ''} />
          ))}
        </ul>
      </Section>
      {data.data && data.data.closed.length > 0 ? (
        <Section title={t('today.closed')}>
          <ul class="timeline" data-testid="app-missed-closed">
            {data.data.closed.map((entry) => (
              <ClosedCaller
                key={`${entry.key}-${entry.closedAt}`}
                entry={entry}
                cards={data.data!.cards}
                colleagues={team.colleagues}
              />
            ))}
          </ul>
        </Section>
      ) : null}
      <Section title={t('today.calls')}>
        {data.data?.calls.length === 0 ? <p class="empty">{t('today.noCalls')}</p> : null}
        <ul class="timeline">
          {data.data?.calls.map((call) => (
            <li key={call.id} data-outcome={call.outcome}>
              <Who item={call} cards={data.data!.cards} />
              <span class="muted">{describeInteraction(call)}</span>
              <time>{relativeTime(call.at, now, locale())}</time>
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}
