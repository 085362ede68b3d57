/**
 * The screen-pop page for one call. Everything it shows comes from the worker in one message (the view is
 * built before the window opens), so the first paint waits on nothing but this small bundle.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StatusLight as Light } from '../../db/db';
import { type CardView, onEvent, type PopView, sendMessage } from '../../messaging';
import { Avatar, Ltr, Section, StatusLight, TaskList, Timeline } from '../../ui/components';
import { dateInputToMs, formatDuration, lastSpokeText } from '../../ui/format';
import { popKeys } from '../../ui/query';

function callStatusText(view: PopView): string {
  const { call } = view;
  switch (call.status) {
    case 'ringing':
      return call.direction === 'outbound' ? 'Calling…' : 'Ringing…';
    case 'answered':
      return view.answeredBy ? `Answered by ${view.answeredBy}` : 'On the call';
    case 'ended':
      return call.answeredAt !== undefined && call.endedAt !== undefined
        ? `Call ended · ${formatDuration(Math.round((call.endedAt - call.answeredAt) / 1000))}`
        : 'Call ended';
    case 'missed':
      return 'Missed call';
  }
}

export function PopApp({ callId }: { callId: string }) {
  const client = useQueryClient();
  const view = useQuery({ queryKey: popKeys.view(callId), queryFn: () => sendMessage('getPopView', callId) });
  const acked = useRef(false);

  useEffect(
    () =>
      onEvent('callUpdated', (event) => {
        if (event.callId === callId) void client.invalidateQueries({ queryKey: popKeys.all });
      }),
    [callId, client],
  );

  useEffect(() => {
    if (!view.data || acked.current) return;
    acked.current = true;
    document.title = view.data.card?.card.name ?? (view.data.display || 'Incoming call');
    // The card is in the DOM; the ack goes after the frame that paints it.
    requestAnimationFrame(() => setTimeout(() => void sendMessage('popShown', callId).catch(() => {}), 0));
  }, [view.data, callId]);

  if (view.isPending) return <p class="loading">Loading…</p>;
  if (view.isError) return <p class="error">Could not load this call: {view.error.message}</p>;
  if (!view.data) return <p class="error">This call is no longer known.</p>;
  const data = view.data;

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
      {data.numberKind === 'withheld' ? (
        <section data-testid="pop-withheld" class="unknown">
          <h1>Withheld number</h1>
          <p>The caller hid their number, so no card can be matched.</p>
        </section>
      ) : data.card ? (
        <KnownCaller view={data} first={data.card} callId={callId} />
      ) : (
        <UnknownCaller view={data} callId={callId} />
      )}
    </main>
  );
}

function UnknownCaller({ view, callId }: { view: PopView; callId: string }) {
  const [name, setName] = useState(
    view.call.fromName && view.call.fromName !== view.call.from ? view.call.fromName : '',
  );
  const [company, setCompany] = useState('');
  const [phone, setPhone] = useState(view.display || view.call.from);
  const create = useMutation({
    mutationFn: () => sendMessage('createLead', { name, phone, company, callId }),
  });
  // The receptionist types the caller's name straight away: the pop opens with the cursor there.
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => nameInput.current?.focus(), []);
  return (
    <section data-testid="pop-unknown-caller" class="unknown">
      <h1>Unknown caller</h1>
      <form
        data-testid="pop-create-lead"
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <label>
          Name
          <input
            dir="auto"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            ref={nameInput}
            required
          />
        </label>
        <label>
          Company
          <input dir="auto" value={company} onInput={(e) => setCompany(e.currentTarget.value)} />
        </label>
        <label>
          Phone
          <input dir="ltr" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} required />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create lead
        </button>
        {create.isError ? <p class="error">{create.error.message}</p> : null}
      </form>
    </section>
  );
}

function KnownCaller({ view, first, callId }: { view: PopView; first: CardView; callId: string }) {
  const [picked, setPicked] = useState<string | null>(null);
  const pickedView = useQuery({
    queryKey: popKeys.card(picked ?? ''),
    queryFn: () => sendMessage('getCardView', picked!),
    enabled: picked !== null,
  });
  const shown = (picked && pickedView.data) || first;
  const { card, tasks, interactions } = shown;
  // "Last spoke" means before this call.
  const previous = interactions.find((item) => item.callId !== callId);

  return (
    <>
      <section class="who">
        <Avatar card={card} />
        <div>
          <h1 data-testid="pop-card-name" dir="auto">
            {card.name}
          </h1>
          {card.kind === 'person' && (card.title || card.company) ? (
            <p class="org" dir="auto">
              {[card.title, card.company].filter(Boolean).join(' · ')}
            </p>
          ) : null}
          <p class="meta">
            <StatusLight status={card.status} note={card.statusNote} testId="pop-status-light" />
            <span class="stage" data-stage={card.stage}>
              {card.stage}
            </span>
          </p>
          <p class="last-spoke">{lastSpokeText(previous?.at)}</p>
          {view.confidence === 'suffix' ? (
            <p class="warning">Possible match: only the last digits of the number agree.</p>
          ) : null}
        </div>
      </section>
      {view.people.length > 0 ? (
        <Section title="Who is calling?">
          <ul class="picker" data-testid="pop-people-picker">
            {view.people.map((person) => (
              <li key={person.id}>
                <button
                  type="button"
                  aria-pressed={picked === person.id}
                  onClick={() => setPicked(picked === person.id ? null : person.id)}
                  dir="auto"
                >
                  {person.name}
                </button>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      <StatusPicker cardId={card.id} status={card.status} note={card.statusNote} />
      <Section title="Open tasks">
        <TaskList
          tasks={tasks}
          testId="pop-open-tasks"
          onComplete={(task) => void sendMessage('completeTask', task.id)}
        />
        <AddTask cardId={card.id} />
      </Section>
      <Section title="Recent">
        <Timeline items={interactions} testId="pop-recent-interactions" />
        <AddNote cardId={card.id} />
      </Section>
    </>
  );
}

function StatusPicker({ cardId, status, note }: { cardId: string; status: Light; note: string }) {
  const [draft, setDraft] = useState(note);
  const save = useMutation({
    mutationFn: (next: Light) => sendMessage('setStatus', { cardId, status: next, note: draft }),
  });
  return (
    <fieldset class="status-picker" data-testid="pop-status-picker">
      <legend>Status</legend>
      {(['green', 'yellow', 'red'] as const).map((light) => (
        <button
          key={light}
          type="button"
          class={`light-button status-${light}`}
          aria-pressed={status === light}
          aria-label={`Set status ${light}`}
          data-light={light}
          onClick={() => save.mutate(light)}
        />
      ))}
      <input
        dir="auto"
        aria-label="Status note"
        placeholder="Why? (optional)"
        value={draft}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') save.mutate(status === 'none' ? 'yellow' : status);
        }}
      />
    </fieldset>
  );
}

function AddTask({ cardId }: { cardId: string }) {
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const add = useMutation({
    mutationFn: () => sendMessage('addTask', { cardId, title, due: dateInputToMs(due) }),
    onSuccess: () => {
      setTitle('');
      setDue('');
    },
  });
  return (
    <form
      class="inline-form"
      data-testid="pop-add-task"
      onSubmit={(event) => {
        event.preventDefault();
        if (title.trim()) add.mutate();
      }}
    >
      <input
        dir="auto"
        aria-label="New task"
        placeholder="New task"
        value={title}
        onInput={(e) => setTitle(e.currentTarget.value)}
      />
      <input type="date" aria-label="Due date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      <button type="submit" disabled={add.isPending}>
        Add task
      </button>
      {add.isError ? <p class="error">{add.error.message}</p> : null}
    </form>
  );
}

function AddNote({ cardId }: { cardId: string }) {
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: () => sendMessage('addNote', { cardId, text }),
    onSuccess: () => setText(''),
  });
  return (
    <form
      class="inline-form"
      data-testid="pop-add-note"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim()) add.mutate();
      }}
    >
      <input
        dir="auto"
        aria-label="Note"
        placeholder="Add a note"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" disabled={add.isPending}>
        Add note
      </button>
      {add.isError ? <p class="error">{add.error.message}</p> : null}
    </form>
  );
}
