import type { ComponentChildren } from 'preact';
import {
  type Card,
  type Interaction,
  STAGES,
  STATUS_LIGHTS,
  isOverdue,
  type StatusLight as Light,
  type Task,
} from '../../shared/records';
import { formatDate, formatDuration, initials, relativeTime } from './format';
import { locale, t } from './i18n';

export function StatusLight({
  status,
  note,
  testId,
  compact,
}: {
  status: Light;
  note?: string;
  testId?: string;
  compact?: boolean;
}) {
  const label = t(`status.${status}`);
  return (
    <span class="status" data-testid={testId} data-status={status} title={note || label}>
      <span class={`status-dot status-${status}`} aria-hidden="true" />
      <span class={compact ? 'visually-hidden' : 'status-label'}>{label}</span>
      {note && !compact ? (
        <span class="status-note">
          {' · '}
          <bdi>{note}</bdi>
        </span>
      ) : null}
    </span>
  );
}

export function Avatar({ card }: { card: Pick<Card, 'name' | 'photo'> }) {
  if (card.photo) return <img class="avatar" src={card.photo} alt="" />;
  return (
    <span class="avatar avatar-initials" aria-hidden="true" dir="auto">
      {initials(card.name)}
    </span>
  );
}

export function TaskList({
  tasks,
  testId,
  onComplete,
  now = Date.now(),
}: {
  tasks: Task[];
  testId?: string;
  onComplete?: (task: Task) => void;
  now?: number;
}) {
  if (tasks.length === 0) return <p class="empty">{t('common.noOpenTasks')}</p>;
  return (
    <ul class="tasks" data-testid={testId}>
      {tasks.map((task) => {
        const overdue = isOverdue(task, now);
        return (
          <li key={task.id} class={overdue ? 'overdue' : undefined}>
            {onComplete ? (
              <input
                type="checkbox"
                aria-label={t('tasks.done', { title: task.title })}
                onChange={() => onComplete(task)}
              />
            ) : null}
            <span class="task-title">
              <bdi>{task.title}</bdi>
            </span>
            {task.due !== undefined ? (
              <span class="due">
                {overdue ? `${t('common.overdue')} · ` : ''}
                {formatDate(task.due, locale())}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

export function describeInteraction(item: Interaction): string {
  if (item.kind !== 'call') return t(`interaction.${item.kind}`);
  const direction = item.direction === 'outbound' ? t('call.outgoing') : t('call.incoming');
  if (item.outcome === 'missed') return t('call.missed');
  if (item.outcome === 'not-answered') return `${direction} · ${t('call.notAnswered')}`;
  const approximate = item.call?.endApproximate ? ` · ${t('call.endApproximate')}` : '';
  if (item.durationSec !== undefined)
    return `${direction} · ${formatDuration(item.durationSec, locale())}${approximate}`;
  if (item.outcome === 'ringing') return `${direction} · ${t('call.ringing')}`;
  return direction;
}

export function Timeline({
  items,
  testId,
  now = Date.now(),
}: {
  items: Interaction[];
  testId?: string;
  now?: number;
}) {
  if (items.length === 0) return <p class="empty">{t('common.nothingYet')}</p>;
  return (
    <ul class="timeline" data-testid={testId}>
      {items.map((item) => (
        <li key={item.id} data-kind={item.kind} data-outcome={item.outcome}>
          <span class="what">{describeInteraction(item)}</span>
          <time dateTime={new Date(item.at).toISOString()} title={new Date(item.at).toLocaleString(locale())}>
            {relativeTime(item.at, now, locale())}
          </time>
          {item.summary ? (
            <span class="summary" dir="auto">
              {item.summary}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Numbers and emails keep their direction inside Hebrew text. */
export function Ltr({ children }: { children: ComponentChildren }) {
  return <bdi dir="ltr">{children}</bdi>;
}

/** The stages as <option>s, named in the interface's language. */
export function StageOptions() {
  return (
    <>
      {STAGES.map((stage) => (
        <option key={stage} value={stage}>
          {t(`stage.${stage}`)}
        </option>
      ))}
    </>
  );
}

/** The status lights as <option>s. */
export function StatusOptions() {
  return (
    <>
      {STATUS_LIGHTS.map((status) => (
        <option key={status} value={status}>
          {t(`status.${status}`)}
        </option>
      ))}
    </>
  );
}
