import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
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

/** Office mode: a task's assignee, and (with `people`) a choice to give it to someone else. */
export interface TaskAssigning {
  /** The office's people by name. */
  people: string[];
  /** This desk's user ('' on the office token). */
  me: string;
  onAssign: (task: Task, assignee: string) => void;
  /** The task whose assignee gets the focus (opened to reassign it). */
  focus?: string;
}

export function TaskList({
  tasks,
  testId,
  onComplete,
  assigning,
  now = Date.now(),
}: {
  tasks: Task[];
  testId?: string;
  onComplete?: (task: Task) => void;
  assigning?: TaskAssigning;
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
            {assigning && assigning.people.length > 0 ? (
              <AssigneePicker
                value={task.assignee ?? ''}
                people={assigning.people}
                me={assigning.me}
                label={t('tasks.assignee', { title: task.title })}
                autoFocus={assigning.focus === task.id}
                onChange={(name) => assigning.onAssign(task, name)}
              />
            ) : task.assignee ? (
              <span class="assignee">
                <bdi>{task.assignee}</bdi>
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/** "Private": only this desk's user will see the note (data-testid note-private). */
export function PrivateToggle({
  checked,
  onChange,
}: {
  checked: boolean;
  onChange: (next: boolean) => void;
}) {
  return (
    <label class="private-toggle" title={t('note.privateHint')}>
      <input
        type="checkbox"
        data-testid="note-private"
        checked={checked}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />{' '}
      {t('note.private')}
    </label>
  );
}

/** Who a task is for: "Me" first, then colleagues by name (data-testid task-assignee). */
export function AssigneePicker({
  value,
  people,
  me,
  label,
  onChange,
  autoFocus,
}: {
  value: string;
  people: string[];
  me: string;
  label: string;
  onChange: (name: string) => void;
  autoFocus?: boolean;
}) {
  const others = people.filter((name) => name !== me);
  const select = useRef<HTMLSelectElement>(null);
  // Opened to reassign this task (from its notification): the choice is where the keyboard is.
  useEffect(() => {
    if (autoFocus) select.current?.focus();
  }, [autoFocus]);
  return (
    <select
      ref={select}
      data-testid="task-assignee"
      aria-label={label}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
    >
      {me ? <option value={me}>{t('tasks.me')}</option> : <option value="">{t('tasks.nobody')}</option>}
      {value && value !== me && !others.includes(value) ? <option value={value}>{value}</option> : null}
      {others.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
}

export function describeInteraction(item: Interaction): string {
  if (item.kind === 'deal' && item.deal) {
    const stage = (name: string) => t(`dealStage.${name as 'new'}`);
    return item.deal.from
      ? `${t('interaction.deal')} · ${t('deal.moved', { from: stage(item.deal.from), to: stage(item.deal.stage) })}`
      : t('deal.created', { stage: stage(item.deal.stage) });
  }
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
          {item.private ? (
            <span class="private" data-testid="timeline-private">
              {t('note.privateMark')}
            </span>
          ) : null}
          {item.summary ? (
            <span class="summary" dir="auto">
              {item.summary}
            </span>
          ) : null}
          {item.wrapUp ? (
            <span class="wrapup" data-testid="timeline-wrapup" data-outcome={item.wrapUp.outcome}>
              <strong>{t(`wrapup.outcome.${item.wrapUp.outcome}`)}</strong>
              {item.wrapUp.note ? <span dir="auto"> · {item.wrapUp.note}</span> : null}
              {item.wrapUp.by ? (
                <span class="muted">
                  {' '}
                  · <bdi>{item.wrapUp.by}</bdi>
                </span>
              ) : null}
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
