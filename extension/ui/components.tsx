import type { ComponentChildren } from 'preact';
import type { Card, Interaction, StatusLight as Light, Task } from '../db/db';
import { formatDate, formatDuration, initials, relativeTime } from './format';

const LIGHT_LABEL: Record<Light, string> = {
  green: 'Good',
  yellow: 'Needs attention',
  red: 'At risk',
  none: 'No status',
};

export function StatusLight({ status, note, testId }: { status: Light; note?: string; testId?: string }) {
  return (
    <span class="status" data-testid={testId} data-status={status} title={note || LIGHT_LABEL[status]}>
      <span class={`status-dot status-${status}`} aria-hidden="true" />
      <span class="status-label">{LIGHT_LABEL[status]}</span>
      {note ? (
        <span class="status-note" dir="auto">
          {' '}
          · {note}
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
  if (tasks.length === 0) return <p class="empty">No open tasks</p>;
  return (
    <ul class="tasks" data-testid={testId}>
      {tasks.map((task) => {
        const overdue = task.due !== undefined && task.due < now;
        return (
          <li key={task.id} class={overdue ? 'overdue' : undefined}>
            {onComplete ? (
              <input type="checkbox" aria-label={`Done: ${task.title}`} onChange={() => onComplete(task)} />
            ) : null}
            <span dir="auto" class="task-title">
              {task.title}
            </span>
            {task.due !== undefined ? (
              <span class="due">
                {overdue ? 'overdue · ' : ''}
                {formatDate(task.due)}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

const KIND_LABEL: Record<Interaction['kind'], string> = {
  call: 'Call',
  email: 'Email',
  note: 'Note',
  meeting: 'Meeting',
  sms: 'SMS',
  capture: 'Captured',
};

export function describeInteraction(item: Interaction): string {
  if (item.kind !== 'call') return KIND_LABEL[item.kind];
  const direction = item.direction === 'outbound' ? 'Outgoing call' : 'Incoming call';
  if (item.outcome === 'missed') return `Missed call`;
  if (item.durationSec !== undefined) return `${direction} · ${formatDuration(item.durationSec)}`;
  if (item.outcome === 'ringing') return `${direction} · ringing`;
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
  if (items.length === 0) return <p class="empty">Nothing yet</p>;
  return (
    <ul class="timeline" data-testid={testId}>
      {items.map((item) => (
        <li key={item.id} data-kind={item.kind} data-outcome={item.outcome}>
          <span class="what">{describeInteraction(item)}</span>
          <time dateTime={new Date(item.at).toISOString()} title={new Date(item.at).toLocaleString()}>
            {relativeTime(item.at, now)}
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
