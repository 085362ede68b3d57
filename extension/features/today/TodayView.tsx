/** "Today": tasks due and overdue, today's calls, and missed calls with a call-back button. */
import { useQuery } from '@tanstack/preact-query';
import Dexie from 'dexie';
import { type Card, type Interaction, type Task, UNKNOWN_CARD } from '../../db/db';
import { describeInteraction, Ltr, Section } from '../../ui/components';
import { formatDate, relativeTime } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { db } from '../app-shell/page-db';
import { todayKeys } from '../app-shell/query';
import { CallButton } from '../click-to-call/CallButton';

function startOfToday(now = new Date()): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

async function loadToday() {
  const today = startOfToday();
  const tomorrow = today + 24 * 60 * 60 * 1000;
  const [tasks, calls] = await Promise.all([
    db.tasks
      .where('due')
      .below(tomorrow)
      .filter((task) => task.done === 0)
      .sortBy('due'),
    db.interactions
      .where('at')
      .between(today, Dexie.maxKey)
      .filter((item) => item.kind === 'call')
      .reverse()
      .sortBy('at'),
  ]);
  const cardIds = [
    ...new Set([...tasks.map((task) => task.cardId), ...calls.map((call) => call.cardId)]),
  ].filter((id) => id !== UNKNOWN_CARD);
  const cards = new Map(
    (await db.cards.bulkGet(cardIds)).filter((card): card is Card => !!card).map((card) => [card.id, card]),
  );
  return { tasks, calls: calls.reverse(), cards };
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

export function TodayView() {
  const data = useQuery({ queryKey: todayKeys.all, queryFn: loadToday });
  const now = Date.now();
  const missed = (data.data?.calls ?? []).filter((call) => call.outcome === 'missed');
  return (
    <div class="page-body wide">
      <h1>{t('today.title')}</h1>
      <Section title={t('today.tasks')}>
        {data.data?.tasks.length === 0 ? <p class="empty">{t('today.noTasks')}</p> : null}
        <ul class="tasks" data-testid="today-tasks">
          {data.data?.tasks.map((task) => (
            <li
              key={task.id}
              class={task.due !== undefined && task.due < startOfToday() ? 'overdue' : undefined}
            >
              <span class="task-title">
                <bdi>{task.title}</bdi>
              </span>
              <Who item={task} cards={data.data!.cards} />
              <span class="due">{task.due !== undefined ? formatDate(task.due, locale()) : ''}</span>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={t('today.missed')}>
        {missed.length === 0 ? <p class="empty">{t('today.noMissed')}</p> : null}
        <ul class="timeline" data-testid="today-missed">
          {missed.map((call) => (
            <li key={call.id}>
              <Who item={call} cards={data.data!.cards} />
              <time>{relativeTime(call.at, now, locale())}</time>
              {call.number ? <CallButton number={call.number} label={t('today.callBack')} /> : null}
            </li>
          ))}
        </ul>
      </Section>
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
