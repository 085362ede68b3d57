import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCard, findCardsByKeys, resolveCaller, saveCard } from '../../../extension/db/cards';
import { createDb, type KesherDb, UNKNOWN_CARD } from '../../../extension/db/db';
import { logCall, recentInteractions, unknownCalls } from '../../../extension/db/interactions';
import { addTask, completeTask, openTasks } from '../../../extension/db/tasks';
import { parsePhone } from '../../../shared/phone';
import type { CallSnapshot } from '../../../shared/protocol';

const IL = { defaultCountry: 'IL' };
let db: KesherDb;
let dbCount = 0;

beforeEach(async () => {
  db = createDb(`test-${++dbCount}`);
  await db.open();
});

const snapshot = (callId: string, from: string, extra: Partial<CallSnapshot> = {}): CallSnapshot => ({
  callId,
  status: 'ringing',
  direction: 'inbound',
  from,
  startedAt: 1_000,
  ...extra,
});

describe('cards by number', () => {
  it.each(['+972541234567', '972541234567', '00972541234567', '0541234567', '541234567'])(
    'a card stored as 054-123-4567 is found for %s',
    async (incoming) => {
      await saveCard(
        db,
        buildCard({ name: 'Dana Levi', phones: [{ label: 'mobile', raw: '054-123-4567' }] }, IL),
      );
      const matches = await findCardsByKeys(db, parsePhone(incoming, IL).keys);
      expect(matches.map((match) => [match.card.name, match.confidence])).toEqual([['Dana Levi', 'exact']]);
    },
  );

  it('finds nothing for a withheld number', async () => {
    await saveCard(db, buildCard({ name: 'Dana', phones: [{ label: 'm', raw: '054-123-4567' }] }, IL));
    expect(await findCardsByKeys(db, parsePhone('anonymous', IL).keys)).toEqual([]);
  });

  it('several people on one number show their company with a picker', async () => {
    const company = await saveCard(db, buildCard({ name: 'Acme Ltd', kind: 'company' }, IL));
    for (const name of ['Dana', 'Yossi']) {
      await saveCard(
        db,
        buildCard({ name, companyId: company.id, phones: [{ label: 'office', raw: '03-555-0100' }] }, IL),
      );
    }
    const caller = await resolveCaller(db, await findCardsByKeys(db, parsePhone('+97235550100', IL).keys));
    expect(caller?.primary.name).toBe('Acme Ltd');
    expect(caller?.people.map((card) => card.name).sort()).toEqual(['Dana', 'Yossi']);
  });

  it('prefers exact matches over weaker ones', async () => {
    await saveCard(db, buildCard({ name: 'Exact', phones: [{ label: 'm', raw: '054-123-4567' }] }, IL));
    await saveCard(
      db,
      buildCard({ name: 'Suffix only', phones: [{ label: 'm', raw: '+44 20 7123 4567' }] }, IL),
    );
    const matches = await findCardsByKeys(db, parsePhone('0541234567', IL).keys);
    expect(matches.map((match) => match.card.name)).toEqual(['Exact']);
  });
});

describe('call log', () => {
  it('logs a call once, whatever arrives twice or out of order', async () => {
    await logCall(db, snapshot('c1', '0541234567', { status: 'missed', endedAt: 9_000 }), IL);
    await logCall(db, snapshot('c1', '0541234567'), IL);
    await logCall(db, snapshot('c1', '0541234567', { status: 'answered', answeredAt: 3_000 }), IL);
    const all = await db.interactions.toArray();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ outcome: 'ended', durationSec: 6, cardId: UNKNOWN_CARD });
  });

  it('an unknown caller waits on the unknown list until a card claims the number', async () => {
    await logCall(db, snapshot('c1', '0541234567', { status: 'missed', endedAt: 2_000 }), IL);
    expect((await unknownCalls(db)).map((call) => call.callId)).toEqual(['c1']);
    const card = await saveCard(
      db,
      buildCard({ name: 'Dana', phones: [{ label: 'm', raw: '+972 54 123 4567' }] }, IL),
    );
    expect(await unknownCalls(db)).toEqual([]);
    expect((await recentInteractions(db, card.id)).map((call) => call.callId)).toEqual(['c1']);
    expect((await db.cards.get(card.id))?.lastContactAt).toBe(1_000);
  });

  it('a known caller is logged on the card', async () => {
    const card = await saveCard(
      db,
      buildCard({ name: 'Dana', phones: [{ label: 'm', raw: '054-123-4567' }] }, IL),
    );
    await logCall(db, snapshot('c2', '+972541234567'), IL);
    expect((await recentInteractions(db, card.id)).map((call) => call.callId)).toEqual(['c2']);
  });
});

describe('tasks', () => {
  it('lists open tasks overdue first, then by due date, undated last', async () => {
    const now = Date.UTC(2026, 10, 23);
    await addTask(db, { cardId: 'k', title: 'undated' });
    await addTask(db, { cardId: 'k', title: 'next week', due: now + 7 * 86_400_000 });
    await addTask(db, { cardId: 'k', title: 'overdue', due: now - 86_400_000 });
    const done = await addTask(db, { cardId: 'k', title: 'done', due: now - 2 * 86_400_000 });
    await completeTask(db, done.id);
    expect((await openTasks(db, 'k', now)).map((task) => task.title)).toEqual([
      'overdue',
      'next week',
      'undated',
    ]);
  });

  it('refuses a task without a title', async () => {
    await expect(addTask(db, { cardId: 'k', title: '  ' })).rejects.toThrow(/title/);
  });
});
