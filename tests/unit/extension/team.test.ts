/**
 * Working as a team, in the repositories and pure models: the wrap-up on a call's entry (kept through the
 * call's later events), tasks with assignees, which of the hub's changes notify this desk's user, the
 * colleagues' states, and what a desk may not claim about privacy.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCard, saveCard } from '../../../extension/db/cards';
import { createDb, type KesherDb, UNKNOWN_CARD } from '../../../extension/db/db';
import { addNote, logCall, saveWrapUp } from '../../../extension/db/interactions';
import { addTask, assignTask } from '../../../extension/db/tasks';
import { assignedToMe, colleagues } from '../../../extension/features/team/worker';
import { callInteraction } from '../../../shared/call-log';
import type { CallSnapshot } from '../../../shared/protocol';
import { checkPush, type OrderedChange } from '../../../shared/sync';

const IL = { defaultCountry: 'IL' };
let db: KesherDb;
let count = 0;

beforeEach(async () => {
  db = createDb(`team-${++count}`);
  await db.open();
});

const call = (status: CallSnapshot['status'], extra: Partial<CallSnapshot> = {}): CallSnapshot => ({
  callId: 'c-1',
  status,
  direction: 'inbound',
  from: '054-123-4567',
  startedAt: 1_000,
  ...extra,
});

describe('wrap-up', () => {
  it('saves outcome and note on the call and the follow-up task on the caller’s card, for a colleague', async () => {
    const card = await saveCard(
      db,
      buildCard({ name: 'Dana', phones: [{ label: 'm', raw: '054-123-4567' }] }, IL),
    );
    await logCall(db, call('answered', { answeredAt: 2_000, answeredBy: '101' }), IL);
    await logCall(db, call('ended', { answeredAt: 2_000, endedAt: 9_000 }), IL);
    const saved = await saveWrapUp(db, {
      callId: 'c-1',
      outcome: 'quote-sent',
      note: '  Sent the quote for 12 desks ',
      by: 'Yael Bar',
      task: { title: 'Call back about the quote', due: 5_000, assignee: 'Noa Cohen' },
    });
    expect(saved.wrapUp).toMatchObject({
      outcome: 'quote-sent',
      note: 'Sent the quote for 12 desks',
      by: 'Yael Bar',
    });
    const [task] = await db.tasks.where('cardId').equals(card.id).toArray();
    expect(task).toMatchObject({
      title: 'Call back about the quote',
      due: 5_000,
      assignee: 'Noa Cohen',
      assignedBy: 'Yael Bar',
    });
    // A late event of the call (the PBX's hang-up again) keeps what people wrote.
    await logCall(db, call('ended', { answeredAt: 2_000, endedAt: 9_500 }), IL);
    expect((await db.interactions.get('call:c-1'))?.wrapUp?.outcome).toBe('quote-sent');
    expect(callInteraction(saved, call('ended'), IL).wrapUp?.note).toBe('Sent the quote for 12 desks');
  });

  it('an unknown caller gets no task, and nothing of that wrap-up is half-saved', async () => {
    await logCall(db, call('ended', { from: '03-000-0000', answeredAt: 2_000, endedAt: 3_000 }), IL);
    expect((await db.interactions.get('call:c-1'))?.cardId).toBe(UNKNOWN_CARD);
    await expect(
      saveWrapUp(db, { callId: 'c-1', outcome: 'call-back', note: 'x', by: 'Yael', task: { title: 'Call' } }),
    ).rejects.toThrow('Create a card');
    expect((await db.interactions.get('call:c-1'))?.wrapUp).toBeUndefined();
    await expect(saveWrapUp(db, { callId: 'nope', outcome: 'resolved', note: '', by: '' })).rejects.toThrow(
      'not in the log',
    );
  });
});

describe('tasks for a colleague', () => {
  it('a task is its creator’s unless given to someone; reassigning says who gave it', async () => {
    const mine = await addTask(db, { cardId: 'k', title: 'Mine', by: 'Noa Cohen' });
    expect(mine.assignee).toBe('Noa Cohen');
    expect(mine.assignedBy).toBeUndefined();
    // Outside office mode (no user) a task has no assignee at all.
    expect((await addTask(db, { cardId: 'k', title: 'Desk' })).assignee).toBeUndefined();
    await assignTask(db, mine.id, 'Dana Levi', 'Noa Cohen');
    expect(await db.tasks.get(mine.id)).toMatchObject({ assignee: 'Dana Levi', assignedBy: 'Noa Cohen' });
    await assignTask(db, mine.id, 'Noa Cohen', 'Noa Cohen');
    const back = await db.tasks.get(mine.id);
    expect(back?.assignee).toBe('Noa Cohen');
    expect(back?.assignedBy).toBeUndefined();
  });

  it('notifies this desk’s user of tasks others gave them lately, once each', () => {
    const change = (extra: Partial<OrderedChange>): OrderedChange => ({
      id: crypto.randomUUID(),
      table: 'tasks',
      rowId: 't-1',
      op: 'put',
      fields: { assignee: 'Noa Cohen' },
      at: 1_000_000,
      seq: 1,
      author: 'Yael Bar',
      ...extra,
    });
    const now = 1_000_000 + 60_000;
    expect(
      assignedToMe(
        [
          change({}),
          change({ seq: 2 }),
          change({ rowId: 't-own', author: 'Noa Cohen' }),
          change({ rowId: 't-old', at: now - 2 * 24 * 3600_000 }),
          change({ rowId: 't-title', fields: { title: 'x' } }),
          change({ rowId: 't-dana', fields: { assignee: 'Dana Levi' } }),
          change({ rowId: 'i-1', table: 'interactions' }),
        ],
        'Noa Cohen',
        now,
      ),
    ).toEqual([{ taskId: 't-1', by: 'Yael Bar' }]);
    expect(assignedToMe([change({})], '', now)).toEqual([]);
  });

  it('colleagues are on a call by their extension, else free with a desk connected, else away', () => {
    expect(
      colleagues(
        [
          { name: 'Noa Cohen', extensions: ['101'], online: true },
          { name: 'Dana Levi', extensions: ['102', '112'], online: true },
          { name: 'Avi', extensions: [] },
        ],
        [{ extension: '112', since: 5 }],
      ),
    ).toEqual([
      { name: 'Avi', extensions: [], state: 'away' },
      { name: 'Dana Levi', extensions: ['102', '112'], state: 'on-call', since: 5 },
      { name: 'Noa Cohen', extensions: ['101'], state: 'free' },
    ]);
  });
});

describe('private notes', () => {
  it('need a user; a desk can never name who a note is private to', async () => {
    await expect(addNote(db, { cardId: 'k', text: 'secret', private: true })).rejects.toThrow(
      'paired as a user',
    );
    const note = await addNote(db, { cardId: 'k', text: 'secret', private: true, author: 'Noa Cohen' });
    expect(note).toMatchObject({ private: true, author: 'Noa Cohen' });
    const push = (fields: Record<string, unknown>) =>
      checkPush([{ id: 'x', table: 'interactions', rowId: 'n', op: 'put', fields, at: 1 }]);
    expect(push({ summary: 'a', privateTo: 'Noa Cohen' })).toEqual({
      ok: false,
      reason: 'change 0: privateTo is set by the hub, never by a desk',
    });
    expect(push({ summary: 'a', private: 'yes' })).toEqual({
      ok: false,
      reason: 'change 0: private must be true or false',
    });
    expect(push({ summary: 'a', private: true }).ok).toBe(true);
  });
});
