/**
 * The screen-pop page for one call. Everything it shows comes from the worker in one message (the view is
 * built while the window opens), so the first paint waits on nothing but this small bundle. This page is
 * the hot path: it keeps to Preact and plain messages (no query cache library: measured, that library
 * alone delayed the first paint by ~20 ms); the other pages read data through @tanstack/preact-query.
 */
import { customerNumber } from '../../../shared/caller-id';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { StatusLight as Light } from '../../db/db';
import { type CardView, onEvent, type PopView, sendMessage } from '../../doors/page';
import { CallButton } from '../click-to-call/CallButton';
import { WRAP_OUTCOMES, type WrapOutcome } from '../../../shared/records';
import {
  AssigneePicker,
  Avatar,
  Ltr,
  PrivateToggle,
  Section,
  StatusLight,
  TaskList,
  Timeline,
} from '../../ui/components';
import { dateInputToMs, formatDuration, lastSpokeText, msToDateInput } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { AddTaskForm } from '../../ui/AddTaskForm';
import { PresenceLine } from '../../ui/Presence';
import { useAction } from '../../ui/use-action';
import { assignable, useTeam } from '../team/use-team';
import { DealForm, DealLine } from '../deals/DealForm';
import { CURRENCIES, type Currency } from '../../../shared/records';
import { applyStageNames } from '../deals/office-words';

function callStatusText(view: PopView): string {
  const { call } = view;
  switch (call.status) {
    case 'ringing':
      return call.direction === 'outbound' ? t('pop.calling') : t('pop.ringing');
    case 'answered':
      return view.answeredBy ? t('pop.answeredBy', { who: view.answeredBy }) : t('pop.onCall');
    case 'ended':
      return call.answeredAt !== undefined && call.endedAt !== undefined
        ? t('pop.endedAfter', {
            duration: formatDuration(Math.round((call.endedAt - call.answeredAt) / 1000), locale()),
          })
        : t('pop.ended');
    case 'missed':
      return t('pop.missed');
  }
}

/** The call's view, refreshed whenever the worker says the call or the data behind it changed. */
function usePopView(callId: string, initial: PopView | null) {
  const [view, setView] = useState<PopView | null>(initial);
  const [error, setError] = useState<Error | null>(null);
  const reload = useCallback(() => {
    sendMessage('getPopView', callId).then(setView, (caught: Error) => setError(caught));
  }, [callId]);
  useEffect(() => {
    const offCall = onEvent('callUpdated', (event) => {
      if (event.callId === callId) reload();
    });
    const offData = onEvent('dataChanged', reload);
    if (initial === null) reload();
    return () => {
      offCall();
      offData();
    };
  }, [callId, initial, reload]);
  return { view, error, reload };
}

export function PopApp({ callId, initial }: { callId: string; initial: PopView | null }) {
  const { view: data, error, reload } = usePopView(callId, initial);
  const acked = useRef(false);

  // A layout effect runs before the browser paints this render: the ack then goes right after the frame
  // that shows the card (useEffect would run a frame later and make every pop look slower than it is).
  useLayoutEffect(() => {
    if (!data || acked.current) return;
    acked.current = true;
    document.title = data.card?.card.name ?? (data.display || t('pop.incoming'));
    // Listening for updates starts after this paint too: once the ack is out (never ahead of it), ask once more
    // for anything that changed meanwhile (a call answered or ended while the window was opening).
    requestAnimationFrame(() =>
      setTimeout(
        () =>
          void sendMessage('popShown', callId)
            .catch(() => {})
            .then(reload),
        0,
      ),
    );
  }, [data, callId, reload]);

  if (error) return <p class="error">{t('pop.loadFailed', { reason: error.message })}</p>;
  if (!data) return <p class="loading">{t('common.loading')}</p>;

  return (
    <main class="pop" data-call-status={data.call.status}>
      <header class="call-bar">
        <span class="call-state">{callStatusText(data)}</span>
        {data.display ? (
          <span class="number">
            <Ltr>{data.display}</Ltr>
          </span>
        ) : null}
      </header>
      {data.answeredElsewhere && data.call.status !== 'ringing' ? (
        <AnsweredElsewhere
          by={data.answeredBy!}
          since={data.call.status === 'answered' ? (data.call.answeredAt ?? Date.now()) : undefined}
        />
      ) : null}
      {data.display &&
      data.numberKind !== 'withheld' &&
      data.numberKind !== 'internal' &&
      data.call.status !== 'ringing' ? (
        <p class="call-back">
          <CallButton number={customerNumber(data.call)} label={t('pop.callBack')} />
        </p>
      ) : null}
      {wrapsUp(data) ? <WrapUp view={data} callId={callId} /> : null}
      {data.numberKind === 'withheld' ? (
        <section data-testid="pop-withheld" class="unknown">
          <h1>{t('pop.withheld')}</h1>
          <p>{t('pop.withheldText')}</p>
        </section>
      ) : data.card ? (
        <KnownCaller view={data} first={data.card} callId={callId} />
      ) : (
        <UnknownCaller view={data} callId={callId} />
      )}
    </main>
  );
}

const CLOSE_AFTER_ANSWERED_ELSEWHERE_MS = 4000;
/** After a wrap-up is saved the pop says so for a moment, then closes. */
const CLOSE_AFTER_WRAPUP_MS = 1500;

/** An answered call of this desk's ended: time to write down what was said. */
function wrapsUp(view: PopView): boolean {
  return view.call.status === 'ended' && view.call.answeredAt !== undefined && !view.answeredElsewhere;
}

function tomorrowInput(now = new Date()): string {
  return msToDateInput(new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime());
}

/**
 * The wrap-up: outcome, a note and a follow-up task (due, for whom) in one step; Ctrl+Enter saves, Skip
 * leaves the call logged as it is. Saved on the call's entry, which every desk shows.
 */
function WrapUp({ view, callId }: { view: PopView; callId: string }) {
  const team = useTeam();
  const people = assignable(team);
  const [outcome, setOutcome] = useState<WrapOutcome>('resolved');
  const [note, setNote] = useState('');
  const [task, setTask] = useState('');
  const [due, setDue] = useState(tomorrowInput);
  const [assignee, setAssignee] = useState<string | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const onCard = view.card !== undefined;
  const save = useAction(
    () =>
      sendMessage('saveWrapUp', {
        callId,
        outcome,
        note,
        ...(onCard && task.trim()
          ? { task: { title: task, due: dateInputToMs(due), ...(assignee ? { assignee } : {}) } }
          : {}),
      }),
    () => {
      setSaved(true);
      setTimeout(() => window.close(), CLOSE_AFTER_WRAPUP_MS);
    },
  );
  const noteInput = useRef<HTMLTextAreaElement>(null);
  useEffect(() => noteInput.current?.focus(), []);
  if (saved)
    return (
      <p class="wrapup-saved" data-testid="pop-wrapup-saved" role="status">
        {t('wrapup.saved')}
      </p>
    );
  return (
    <form
      class="wrapup stack"
      data-testid="pop-wrapup"
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
      <h2>{t('wrapup.title')}</h2>
      <label>
        {t('wrapup.outcome')}
        <select
          data-testid="pop-wrapup-outcome"
          value={outcome}
          onChange={(event) => {
            const next = event.currentTarget.value as WrapOutcome;
            setOutcome(next);
            if (next === 'call-back' && !task.trim()) setTask(t('wrapup.callBackTask'));
          }}
        >
          {WRAP_OUTCOMES.map((item) => (
            <option key={item} value={item}>
              {t(`wrapup.outcome.${item}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('wrapup.note')}
        <textarea
          data-testid="pop-wrapup-note"
          dir="auto"
          rows={3}
          ref={noteInput}
          value={note}
          onInput={(event) => setNote(event.currentTarget.value)}
        />
      </label>
      {onCard ? (
        <fieldset class="wrapup-task">
          <legend>{t('wrapup.followUp')}</legend>
          <input
            data-testid="pop-wrapup-task"
            dir="auto"
            aria-label={t('tasks.new')}
            placeholder={t('tasks.new')}
            value={task}
            onInput={(event) => setTask(event.currentTarget.value)}
          />
          <input
            type="date"
            data-testid="pop-wrapup-due"
            aria-label={t('tasks.due')}
            value={due}
            onInput={(event) => setDue(event.currentTarget.value)}
          />
          {people.people.length > 0 ? (
            <AssigneePicker
              value={assignee ?? people.me}
              people={people.people}
              me={people.me}
              label={t('tasks.assignTo')}
              onChange={setAssignee}
            />
          ) : null}
        </fieldset>
      ) : null}
      <p class="actions">
        <button type="submit" data-testid="pop-wrapup-save" disabled={save.pending}>
          {t('wrapup.save')}
        </button>{' '}
        <button type="button" data-testid="pop-wrapup-skip" onClick={() => window.close()}>
          {t('wrapup.skip')}
        </button>{' '}
        <span class="muted">{t('wrapup.shortcut')}</span>
      </p>
      {save.error ? (
        <p class="error" role="alert">
          {save.error.message}
        </p>
      ) : null}
    </form>
  );
}

/** Someone else picked up: say who, then get out of the way. */
function AnsweredElsewhere({ by, since }: { by: string; since?: number }) {
  useEffect(() => {
    const timer = setTimeout(() => window.close(), CLOSE_AFTER_ANSWERED_ELSEWHERE_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <>
      <p class="answered-elsewhere" data-testid="pop-answered-elsewhere" role="status">
        {t('pop.answeredBy', { who: by })}
      </p>
      {since !== undefined ? <PresenceLine presence={{ who: by, since }} testId="pop-presence" /> : null}
    </>
  );
}

function UnknownCaller({ view, callId }: { view: PopView; callId: string }) {
  const [name, setName] = useState(
    view.call.fromName && view.call.fromName !== view.call.from ? view.call.fromName : '',
  );
  const [company, setCompany] = useState('');
  const [phone, setPhone] = useState(view.display || view.call.from);
  const create = useAction(() => sendMessage('createLead', { name, phone, company, callId }));
  // The receptionist types the caller's name straight away: the pop opens with the cursor there.
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => nameInput.current?.focus(), []);
  return (
    <section data-testid="pop-unknown-caller" class="unknown">
      <h1>{t('pop.unknown')}</h1>
      <form
        data-testid="pop-create-lead"
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <label>
          {t('card.name')}
          <input
            dir="auto"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            ref={nameInput}
            required
          />
        </label>
        <label>
          {t('card.company')}
          <input dir="auto" value={company} onInput={(e) => setCompany(e.currentTarget.value)} />
        </label>
        <label>
          {t('card.phoneNumber')}
          <input dir="ltr" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} required />
        </label>
        <button type="submit" disabled={create.pending}>
          {t('pop.createLead')}
        </button>
        {create.error ? <p class="error">{create.error.message}</p> : null}
      </form>
    </section>
  );
}

function KnownCaller({ view, first, callId }: { view: PopView; first: CardView; callId: string }) {
  const [picked, setPicked] = useState<CardView | null>(null);
  const pick = useAction(
    (cardId: string | null) => (cardId ? sendMessage('getCardView', cardId) : Promise.resolve(null)),
    setPicked,
  );
  // Re-read the picked person when the data changes (a task added on them, say).
  useEffect(() => {
    if (picked) void pick.run(picked.card.id);
  }, [first]);
  const shown = picked ?? first;
  const people = assignable(useTeam());
  // The deal form (and its settings) is made only when asked for: nothing of it at ring time.
  const [dealOpen, setDealOpen] = useState(false);
  const { card, tasks, interactions } = shown;
  // The office's names for the stages, before anything below names one.
  applyStageNames(shown.dealSettings?.stageNames);
  // "Last spoke" means before this call.
  const previous = interactions.find((item) => item.callId !== callId);

  return (
    <>
      <section class="who">
        <Avatar card={card} />
        <div>
          {/* <bdi>: a Hebrew name keeps its own direction but lines up with the interface. */}
          <h1 data-testid="pop-card-name">
            <bdi>{card.name}</bdi>
          </h1>
          {card.kind === 'person' && (card.title || card.company) ? (
            <p class="org">
              <bdi>{[card.title, card.company].filter(Boolean).join(' · ')}</bdi>
            </p>
          ) : null}
          <p class="meta">
            <StatusLight status={card.status} note={card.statusNote} testId="pop-status-light" />
            <span class="stage" data-stage={card.stage}>
              {card.stage}
            </span>
          </p>
          <p class="last-spoke">{lastSpokeText(previous?.at)}</p>
          {card.phones.length > 0 ? (
            <ul class="phones" data-testid="pop-phones">
              {card.phones.map((phone) => (
                <li key={phone.raw}>
                  <span class="muted">{phone.label}</span> <Ltr>{phone.raw}</Ltr>{' '}
                  <CallButton number={phone.raw} />
                </li>
              ))}
            </ul>
          ) : null}
          {view.confidence === 'suffix' ? <p class="warning">{t('pop.possibleMatch')}</p> : null}
        </div>
      </section>
      {view.people.length > 0 ? (
        <Section title={t('pop.whoIsCalling')}>
          <ul class="picker" data-testid="pop-people-picker">
            {view.people.map((person) => (
              <li key={person.id}>
                <button
                  type="button"
                  aria-pressed={picked?.card.id === person.id}
                  onClick={() => void pick.run(picked?.card.id === person.id ? null : person.id)}
                  dir="auto"
                >
                  {person.name}
                </button>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      {shown.deals?.length ? (
        <Section title={t('deals.open')}>
          <ul class="deals" data-testid="pop-open-deals">
            {shown.deals.map((deal) => (
              <li key={deal.id} data-stage={deal.stage}>
                <a
                  href={`/app.html#/cards/${encodeURIComponent(card.id)}?deal=${encodeURIComponent(deal.id)}`}
                  target="_blank"
                  rel="noopener"
                >
                  <DealLine deal={deal} />
                </a>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      <StatusPicker cardId={card.id} status={card.status} note={card.statusNote} />
      <Section title={t('tasks.title')}>
        <TaskList
          tasks={tasks}
          testId="pop-open-tasks"
          onComplete={(task) => void sendMessage('completeTask', task.id)}
        />
        <AddTaskForm
          testId="pop-add-task"
          team={people}
          onAdd={(task) => sendMessage('addTask', { cardId: card.id, ...task })}
        />
      </Section>
      <details
        class="new-deal"
        data-testid="pop-new-deal"
        onToggle={(event) => setDealOpen((event.currentTarget as HTMLDetailsElement).open)}
      >
        <summary>{t('deals.new')}</summary>
        {dealOpen ? (
          <DealForm
            currency={currencyOf(shown.dealSettings?.dealCurrency)}
            team={people}
            onSave={(draft) => sendMessage('saveDeal', { ...draft, cardId: card.id })}
          />
        ) : null}
      </details>
      <Section title={t('pop.recent')}>
        <Timeline items={interactions} testId="pop-recent-interactions" />
        <AddNote cardId={card.id} canHide={people.me !== ''} />
      </Section>
    </>
  );
}

/** The currency a new deal starts in: the office's (as the card's view brought it), else shekels. */
function currencyOf(value: unknown): Currency {
  return (CURRENCIES as readonly unknown[]).includes(value) ? (value as Currency) : 'ILS';
}

function StatusPicker({ cardId, status, note }: { cardId: string; status: Light; note: string }) {
  const [draft, setDraft] = useState(note);
  const save = useAction((next: Light) => sendMessage('setStatus', { cardId, status: next, note: draft }));
  return (
    <fieldset class="status-picker" data-testid="pop-status-picker">
      <legend>{t('pop.status')}</legend>
      {(['green', 'yellow', 'red'] as const).map((light) => (
        <button
          key={light}
          type="button"
          class={`light-button status-${light}`}
          aria-pressed={status === light}
          aria-label={t('pop.setStatus', { status: t(`status.${light}`) })}
          data-light={light}
          onClick={() => void save.run(light)}
        />
      ))}
      <input
        dir="auto"
        aria-label={t('card.statusNote')}
        placeholder={t('pop.statusWhy')}
        value={draft}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') void save.run(status === 'none' ? 'yellow' : status);
        }}
      />
    </fieldset>
  );
}

function AddNote({ cardId, canHide }: { cardId: string; canHide: boolean }) {
  const [text, setText] = useState('');
  const [hidden, setHidden] = useState(false);
  const add = useAction(
    () => sendMessage('addNote', { cardId, text, ...(hidden ? { private: true } : {}) }),
    () => {
      setText('');
      setHidden(false);
    },
  );
  return (
    <form
      class="inline-form"
      data-testid="pop-add-note"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim()) void add.run();
      }}
    >
      <input
        dir="auto"
        aria-label={t('pop.note')}
        placeholder={t('pop.addNote')}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {canHide ? <PrivateToggle checked={hidden} onChange={setHidden} /> : null}
      <button type="submit" disabled={add.pending}>
        {t('pop.addNoteButton')}
      </button>
      {add.error ? <p class="error">{add.error.message}</p> : null}
    </form>
  );
}
