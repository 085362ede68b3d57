/**
 * One card: every field editable, its tasks and timeline, merging another card in, and deleting with undo.
 * "#/new" is the same page for a card not saved yet: name, phone, Enter, done (the secretary test).
 */
import { useQuery, useQueryClient } from '@tanstack/preact-query';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { buildCard, type CardInput, deleteCardWithUndo, mergeCards, saveCard } from '../../db/cards';
import { type Card, type CardPhone, type InteractionKind, type StatusLight as Light } from '../../db/db';
import { addNote, recentInteractions } from '../../db/interactions';
import { addTask, completeTask, openTasks } from '../../db/tasks';
import { Avatar, Ltr, Section, StageOptions, StatusOptions, TaskList, Timeline } from '../../ui/components';
import { lastSpokeText } from '../../ui/format';
import { dirOf, locale, t } from '../../ui/i18n';
import { cardSearch, changed, db, phoneOptions } from '../../ui/page-db';
import { cardKeys } from '../../ui/query';
import { showToast } from '../../ui/toast';
import { AddTaskForm } from '../../ui/AddTaskForm';
import { useAction } from '../../ui/use-action';
import { CallButton } from '../click-to-call/CallButton';
import type { CardSummary } from '../search/search';

interface Draft {
  name: string;
  kind: Card['kind'];
  company: string;
  title: string;
  photo?: string;
  emails: string;
  phones: CardPhone[];
  status: Light;
  statusNote: string;
  stage: Card['stage'];
  tags: string;
  fields: Array<{ key: string; value: string }>;
}

function draftOf(card?: Card): Draft {
  return {
    name: card?.name ?? '',
    kind: card?.kind ?? 'person',
    company: card?.company ?? '',
    title: card?.title ?? '',
    photo: card?.photo,
    emails: card?.emails.join('\n') ?? '',
    phones: card?.phones.length ? card.phones : [{ label: 'mobile', raw: '' }],
    status: card?.status ?? 'none',
    statusNote: card?.statusNote ?? '',
    stage: card?.stage ?? 'lead',
    tags: card?.tags.join(', ') ?? '',
    fields: Object.entries(card?.fields ?? {}).map(([key, value]) => ({ key, value })),
  };
}

function inputOf(draft: Draft): Omit<CardInput, 'id'> {
  return {
    name: draft.name.trim(),
    kind: draft.kind,
    company: draft.company,
    title: draft.title,
    photo: draft.photo,
    emails: draft.emails
      .split(/[\n,;]+/)
      .map((email) => email.trim())
      .filter(Boolean),
    phones: draft.phones
      .map((phone) => ({ label: phone.label.trim() || 'phone', raw: phone.raw.trim() }))
      .filter((phone) => phone.raw),
    status: draft.status,
    statusNote: draft.statusNote,
    stage: draft.stage,
    tags: [
      ...new Set(
        draft.tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean),
      ),
    ],
    fields: Object.fromEntries(
      draft.fields.filter((field) => field.key.trim()).map((field) => [field.key.trim(), field.value]),
    ),
  };
}

export function CardDetail({ id }: { id?: string }) {
  const client = useQueryClient();
  const card = useQuery({
    queryKey: cardKeys.detail(id ?? 'new'),
    queryFn: async () => {
      if (!id) return null;
      const found = await db.cards.get(id);
      if (!found) return null;
      const [tasks, interactions] = await Promise.all([openTasks(db, id), recentInteractions(db, id, 200)]);
      return { card: found, tasks, interactions };
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
      <CardEditor key={card.data?.card.id ?? 'new'} card={card.data?.card} onSaved={refresh} />
      {card.data ? (
        <div class="card-columns">
          <div>
            <Section title={t('tasks.title')}>
              <TaskList
                tasks={card.data.tasks}
                testId="card-open-tasks"
                onComplete={(task) => void completeTask(db, task.id).then(refresh)}
              />
              <AddTaskForm
                onAdd={async (task) => {
                  await addTask(db, { cardId: card.data!.card.id, ...task });
                  await refresh();
                }}
              />
            </Section>
            <MergeCard card={card.data.card} onDone={refresh} />
          </div>
          <div>
            <Section title={t('timeline.title')}>
              <p class="muted">{lastSpokeText(card.data.card.lastContactAt)}</p>
              <AddInteractionForm cardId={card.data.card.id} onDone={refresh} />
              <Timeline items={card.data.interactions} testId="card-timeline" />
            </Section>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function CardEditor({ card, onSaved }: { card?: Card; onSaved: () => Promise<void> }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(card));
  const [error, setError] = useState('');
  const name = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    if (!card) name.current?.focus();
  }, [card]);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  const save = useAction(async () => {
    const input = inputOf(draft);
    if (!input.name) throw new Error(t('card.needsName'));
    const phone = await phoneOptions();
    const built = buildCard(card ? { ...card, ...input, id: card.id } : input, phone);
    await saveCard(db, built);
    await onSaved();
    if (!card) {
      showToast(t('card.created'));
      location.hash = `#/cards/${built.id}`;
    } else {
      showToast(t('card.saved'));
    }
  });
  useEffect(() => setError(save.error?.message ?? ''), [save.error]);

  const remove = async () => {
    if (!card) return;
    const undo = await deleteCardWithUndo(db, card);
    await onSaved();
    location.hash = '#/cards';
    showToast(t('card.deleted', { name: card.name }), {
      label: t('common.undo'),
      run: async () => {
        await undo();
        await onSaved();
        location.hash = `#/cards/${card.id}`;
      },
    });
  };

  const readPhoto = (file: File | undefined) => {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => set('photo', String(reader.result));
    reader.readAsDataURL(file);
  };

  return (
    <form
      class="card-editor"
      data-testid="card-editor"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          void save.run();
        }
      }}
    >
      <div class="editor-head">
        <Avatar card={{ name: draft.name || '?', photo: draft.photo }} />
        <label class="grow">
          {t('card.name')}
          <input
            ref={name}
            data-testid="card-name"
            dir="auto"
            value={draft.name}
            onInput={(e) => set('name', e.currentTarget.value)}
            required
          />
        </label>
        <label>
          {t('card.kind')}
          <select value={draft.kind} onChange={(e) => set('kind', e.currentTarget.value as Card['kind'])}>
            <option value="person">{t('kind.person')}</option>
            <option value="company">{t('kind.company')}</option>
          </select>
        </label>
      </div>
      <div class="grid">
        <label>
          {t('card.company')}
          <input dir="auto" value={draft.company} onInput={(e) => set('company', e.currentTarget.value)} />
        </label>
        <label>
          {t('card.title')}
          <input dir="auto" value={draft.title} onInput={(e) => set('title', e.currentTarget.value)} />
        </label>
        <fieldset class="phones-editor">
          <legend>{t('card.phones')}</legend>
          {draft.phones.map((phone, index) => (
            <div class="row" key={index}>
              <input
                class="label-input"
                aria-label={t('card.phoneLabel')}
                value={phone.label}
                onInput={(e) =>
                  set(
                    'phones',
                    draft.phones.map((item, i) =>
                      i === index ? { ...item, label: e.currentTarget.value } : item,
                    ),
                  )
                }
              />
              <input
                dir="ltr"
                inputMode="tel"
                data-testid="card-phone"
                aria-label={t('card.phoneNumber')}
                value={phone.raw}
                onInput={(e) =>
                  set(
                    'phones',
                    draft.phones.map((item, i) =>
                      i === index ? { ...item, raw: e.currentTarget.value } : item,
                    ),
                  )
                }
              />
              {card && phone.raw ? <CallButton number={phone.raw} /> : null}
              <button
                type="button"
                aria-label={t('card.removePhone')}
                onClick={() =>
                  set(
                    'phones',
                    draft.phones.filter((_, i) => i !== index),
                  )
                }
              >
                ×
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => set('phones', [...draft.phones, { label: 'mobile', raw: '' }])}
          >
            {t('card.addPhone')}
          </button>
        </fieldset>
        <label>
          {t('card.emails')}
          <textarea
            dir="ltr"
            rows={2}
            value={draft.emails}
            onInput={(e) => set('emails', e.currentTarget.value)}
          />
        </label>
        <label>
          {t('card.stage')}
          <select
            data-testid="card-stage"
            value={draft.stage}
            onChange={(e) => set('stage', e.currentTarget.value as Card['stage'])}
          >
            <StageOptions />
          </select>
        </label>
        <label>
          {t('card.status')}
          <select value={draft.status} onChange={(e) => set('status', e.currentTarget.value as Light)}>
            <StatusOptions />
          </select>
        </label>
        <label>
          {t('card.statusNote')}
          <input
            dir="auto"
            value={draft.statusNote}
            onInput={(e) => set('statusNote', e.currentTarget.value)}
          />
        </label>
        <label>
          {t('card.tags')}
          <input dir="auto" value={draft.tags} onInput={(e) => set('tags', e.currentTarget.value)} />
        </label>
        <label>
          {t('card.photo')}
          <input type="file" accept="image/*" onChange={(e) => readPhoto(e.currentTarget.files?.[0])} />
        </label>
        {draft.photo ? (
          <button type="button" onClick={() => set('photo', undefined)}>
            {t('card.removePhoto')}
          </button>
        ) : null}
        <fieldset class="fields-editor">
          <legend>{t('card.fields')}</legend>
          {draft.fields.map((field, index) => (
            <div class="row" key={index}>
              <input
                aria-label={t('card.fieldName')}
                dir="auto"
                value={field.key}
                onInput={(e) =>
                  set(
                    'fields',
                    draft.fields.map((item, i) =>
                      i === index ? { ...item, key: e.currentTarget.value } : item,
                    ),
                  )
                }
              />
              <input
                aria-label={t('card.fieldValue')}
                dir="auto"
                value={field.value}
                onInput={(e) =>
                  set(
                    'fields',
                    draft.fields.map((item, i) =>
                      i === index ? { ...item, value: e.currentTarget.value } : item,
                    ),
                  )
                }
              />
            </div>
          ))}
          <button type="button" onClick={() => set('fields', [...draft.fields, { key: '', value: '' }])}>
            {t('card.addField')}
          </button>
        </fieldset>
      </div>
      {card?.source ? <p class="muted">{t('card.source', { url: card.source.url })}</p> : null}
      <div class="row">
        <button type="submit" data-testid="card-save" disabled={save.pending}>
          {t('common.save')}
        </button>
        {card ? (
          <button type="button" class="danger" data-testid="card-delete" onClick={() => void remove()}>
            {t('common.delete')}
          </button>
        ) : null}
        {card?.phones[0] ? (
          <span class="muted">
            <Ltr>{card.phones[0].raw}</Ltr>
          </span>
        ) : null}
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function AddInteractionForm({ cardId, onDone }: { cardId: string; onDone: () => Promise<void> }) {
  const [text, setText] = useState('');
  const [kind, setKind] = useState<Extract<InteractionKind, 'note' | 'meeting' | 'email'>>('note');
  const add = useAction(async () => {
    await addNote(db, { cardId, text, kind });
    setText('');
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
      <button type="submit" disabled={add.pending}>
        {t('timeline.add')}
      </button>
    </form>
  );
}

function MergeCard({ card, onDone }: { card: Card; onDone: () => Promise<void> }) {
  const [query, setQuery] = useState('');
  const results = useQuery({
    queryKey: ['cards', 'merge', card.id, query],
    queryFn: async () =>
      query.trim() ? (await cardSearch.search(query, {}, 8)).filter((other) => other.id !== card.id) : [],
  });
  const merge = useAction(async (summary: CardSummary) => {
    const other = await db.cards.get(summary.id);
    if (!other) return;
    await mergeCards(db, card, other, await phoneOptions());
    setQuery('');
    await onDone();
    showToast(t('card.merged', { name: other.name }));
  });
  return (
    <Section title={t('card.merge')}>
      <input
        type="search"
        dir="auto"
        aria-label={t('card.mergeSearch')}
        placeholder={t('card.mergeSearch')}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      <ul class="merge-results">
        {(results.data ?? []).map((other) => (
          <li key={other.id}>
            <button type="button" onClick={() => void merge.run(other)}>
              {t('card.mergeInto', { name: card.name })}: <bdi>{other.name}</bdi>
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}
