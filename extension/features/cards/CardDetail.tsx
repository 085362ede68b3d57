/**
 * One card: the editor (CardEditor), its tasks and timeline, merging another card in (MergePanel).
 * "#/new" is the same page for a card not saved yet: name, phone, Enter, done (the secretary test).
 */
import { useQuery, useQueryClient } from '@tanstack/preact-query';
import { useEffect, useState } from 'preact/hooks';
import { onEvent, sendMessage } from '../../doors/page';
import type { InteractionKind } from '../../../shared/records';
import { addNote, recentInteractions } from '../../db/interactions';
import { addTask, assignTask, completeTask, openTasks } from '../../db/tasks';
import { AddTaskForm } from '../../ui/AddTaskForm';
import { PresenceLine } from '../../ui/Presence';
import { PrivateToggle, Section, TaskList, Timeline } from '../../ui/components';
import { lastSpokeText } from '../../ui/format';
import { dirOf, locale, t } from '../../ui/i18n';
import { useAction } from '../../ui/use-action';
import { changed, db } from '../app-shell/page-db';
import { cardKeys } from '../app-shell/query';
import { CardEditor } from './CardEditor';
import { MergePanel } from './MergePanel';
import { CardHistory } from './CardHistory';
import { CardDeals } from '../deals/CardDeals';
import { assignable, useTeam } from '../team/use-team';

/** How much of the timeline a card page shows. */
const TIMELINE_LENGTH = 200;

/** Colleagues on a call with this customer right now (office mode), as the worker hears the calls. */
function CardPresence({ id }: { id: string }) {
  const client = useQueryClient();
  const presence = useQuery({
    queryKey: [...cardKeys.detail(id), 'presence'],
    queryFn: () => sendMessage('getPresence', id),
  });
  useEffect(
    () =>
      onEvent('presenceChanged', () => {
        void client.invalidateQueries({ queryKey: [...cardKeys.detail(id), 'presence'] });
      }),
    [client, id],
  );
  if (!presence.data?.length) return null;
  return (
    <div data-testid="card-presence">
      {presence.data.map((item) => (
        <PresenceLine key={`${item.who}-${item.since}`} presence={item} testId="card-presence-line" />
      ))}
    </div>
  );
}

export function CardDetail({
  id,
  focusTask,
  focusDeal,
}: {
  id?: string;
  focusTask?: string;
  focusDeal?: string;
}) {
  const client = useQueryClient();
  const team = useTeam();
  const people = assignable(team);
  const card = useQuery({
    queryKey: cardKeys.detail(id ?? 'new'),
    queryFn: async () => {
      if (!id) return null;
      // Three reads side by side, each its own readonly transaction: one transaction over the three tables
      // (db/views.ts, what the pop uses) painted this page ~20 ms later in the benchmark.
      const [card, tasks, interactions] = await Promise.all([
        db.cards.get(id),
        openTasks(db, id),
        recentInteractions(db, id, TIMELINE_LENGTH),
      ]);
      return card ? { card, tasks, interactions } : null;
    },
  });
  if (card.isPending) return <p class="page-body loading">{t('common.loading')}</p>;
  if (id && !card.data) return <p class="page-body empty">{t('card.notFound')}</p>;
  const refresh = async () => {
    await changed();
    await client.invalidateQueries({ queryKey: cardKeys.all });
  };
  return (
    <div class="page-body wide card-page">
      <p>
        <a href="#/cards">
          {dirOf(locale()) === 'rtl' ? '→' : '←'} {t('card.back')}
        </a>
      </p>
      {id ? <CardPresence id={id} /> : null}
      <CardEditor key={card.data?.card.id ?? 'new'} card={card.data?.card} onSaved={refresh} />
      {card.data ? (
        <div class="card-columns">
          <div>
            <Section title={t('tasks.title')}>
              <TaskList
                tasks={card.data.tasks}
                testId="card-open-tasks"
                onComplete={(task) => void completeTask(db, task.id).then(refresh)}
                assigning={{
                  ...people,
                  focus: focusTask,
                  onAssign: (task, assignee) => void assignTask(db, task.id, assignee, team.me).then(refresh),
                }}
              />
              <AddTaskForm
                team={people}
                onAdd={async (task) => {
                  await addTask(db, { cardId: card.data!.card.id, ...task, by: team.me });
                  await refresh();
                }}
              />
            </Section>
            <CardDeals key={card.data.card.id} cardId={card.data.card.id} focusDeal={focusDeal} />
            <MergePanel card={card.data.card} onDone={refresh} />
            <CardHistory key={card.data.card.id} cardId={card.data.card.id} />
          </div>
          <div>
            <Section title={t('timeline.title')}>
              <p class="muted">{lastSpokeText(card.data.card.lastContactAt)}</p>
              <AddInteractionForm cardId={card.data.card.id} me={team.me} onDone={refresh} />
              <Timeline items={card.data.interactions} testId="card-timeline" />
            </Section>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function AddInteractionForm({
  cardId,
  me,
  onDone,
}: {
  cardId: string;
  /** This desk's user: a note can be private to them ('' on the office token: no private notes). */
  me: string;
  onDone: () => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [kind, setKind] = useState<Extract<InteractionKind, 'note' | 'meeting' | 'email'>>('note');
  const [hidden, setHidden] = useState(false);
  const add = useAction(async () => {
    await addNote(db, {
      cardId,
      text,
      kind,
      ...(me ? { author: me } : {}),
      ...(hidden ? { private: true } : {}),
    });
    setText('');
    setHidden(false);
    await onDone();
  });
  return (
    <form
      class="inline-form"
      data-testid="card-add-interaction"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim()) void add.run();
      }}
    >
      <select
        aria-label={t('timeline.kind')}
        value={kind}
        onChange={(e) => setKind(e.currentTarget.value as typeof kind)}
      >
        {(['note', 'meeting', 'email'] as const).map((option) => (
          <option key={option} value={option}>
            {t(`interaction.${option}`)}
          </option>
        ))}
      </select>
      <input
        dir="auto"
        aria-label={t('timeline.text')}
        placeholder={t('timeline.text')}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {me ? <PrivateToggle checked={hidden} onChange={setHidden} /> : null}
      <button type="submit" disabled={add.pending}>
        {t('timeline.add')}
      </button>
      {add.error ? <p class="error">{add.error.message}</p> : null}
    </form>
  );
}
