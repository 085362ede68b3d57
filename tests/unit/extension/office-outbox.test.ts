/**
 * Office mode at a desk, on fake-indexeddb: every repository write records its change in the same
 * transaction (and only in office mode), the hub's changes apply without echoing back, this desk's pending
 * changes stay on top, and two desks that edited offline converge once the hub has ordered both.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  buildCard,
  deleteCardWithUndo,
  findCardsByKeys,
  saveCard,
  updateCard,
} from '../../../extension/db/cards';
import { createDb, type KesherDb } from '../../../extension/db/db';
import { addNote, logCall } from '../../../extension/db/interactions';
import {
  acknowledge,
  applyHubChanges,
  enableOffice,
  officeMeta,
  pendingChanges,
} from '../../../extension/db/sync';
import { moveDealTo, saveDeal } from '../../../extension/db/deals';
import { readDealSettings, saveDealSettings } from '../../../extension/db/settings';
import { addTask } from '../../../extension/db/tasks';
import { CallLogIntake } from '../../../extension/features/call-log/call-log';
import { parsePhone } from '../../../shared/phone';
import { applyChange, type OrderedChange, type StoredRecord } from '../../../shared/sync';

const IL = { defaultCountry: 'IL' as const };
let count = 0;
async function desk(office = true): Promise<KesherDb> {
  const db = createDb(`office-${++count}`);
  if (office) await enableOffice(db);
  return db;
}

/** A hub in memory: orders pushes, applies them by the shared rule (what bridge/store does in SQL). */
class Hub {
  changes: OrderedChange[] = [];
  records = new Map<string, StoredRecord>();
  async push(db: KesherDb): Promise<void> {
    const entries = await pendingChanges(db, 500);
    const acked: Array<{ seq: number; hubSeq: number }> = [];
    for (const entry of entries) {
      const known = this.changes.find((change) => change.id === entry.change.id);
      if (known) {
        acked.push({ seq: entry.seq!, hubSeq: known.seq });
        continue;
      }
      const ordered = { ...entry.change, seq: this.changes.length + 1, author: 'office' };
      this.changes.push(ordered);
      acked.push({ seq: entry.seq!, hubSeq: ordered.seq });
      const key = `${ordered.table}/${ordered.rowId}`;
      this.records.set(key, applyChange(this.records.get(key), ordered));
    }
    await acknowledge(db, acked);
  }
  /** Orders a desk's pending changes without the desk hearing the ack yet (it is still on the wire). */
  async take(db: KesherDb): Promise<Array<{ seq: number; hubSeq: number }>> {
    const entries = await pendingChanges(db, 500);
    const acked: Array<{ seq: number; hubSeq: number }> = [];
    for (const entry of entries) {
      const ordered = { ...entry.change, seq: this.changes.length + 1, author: 'office' };
      this.changes.push(ordered);
      acked.push({ seq: entry.seq!, hubSeq: ordered.seq });
      const key = `${ordered.table}/${ordered.rowId}`;
      this.records.set(key, applyChange(this.records.get(key), ordered));
    }
    return acked;
  }
  /** The hub's changes the desk has not had (`upTo`: only the first of them, as one page of the stream). */
  async pull(db: KesherDb, upTo = Number.POSITIVE_INFINITY): Promise<void> {
    const { cursor } = await officeMeta(db);
    await applyHubChanges(
      db,
      'store-1',
      this.changes.filter((change) => change.seq > cursor && change.seq <= upTo),
      IL,
    );
  }
}

const card = (name: string, raw: string) => buildCard({ name, phones: [{ label: 'mobile', raw }] }, IL);

describe('the outbox', () => {
  it('records nothing while office mode is off; turning it on queues what the desk already has', async () => {
    const db = await desk(false);
    await saveCard(db, card('Dana', '050-123-4567'));
    expect(await db.outbox.count()).toBe(0);
    expect(await enableOffice(db)).toBe(1);
    const [entry] = await pendingChanges(db, 10);
    expect(entry!.change).toMatchObject({
      table: 'cards',
      op: 'put',
      revive: true,
      fields: { name: 'Dana' },
    });
    expect(entry!.change.fields).not.toHaveProperty('phoneKeys');
  });

  it('an edit is a change of the fields it changed; a removed number is a set remove, not a new list', async () => {
    const db = await desk();
    const saved = await saveCard(
      db,
      buildCard(
        {
          name: 'Noa',
          phones: [
            { label: 'm', raw: '050-111-1111' },
            { label: 'w', raw: '03-555-0000' },
          ],
        },
        IL,
      ),
    );
    await db.outbox.clear();
    await updateCard(db, saved.id, { status: 'red', phones: [{ label: 'm', raw: '050-111-1111' }] }, IL);
    const changes = (await pendingChanges(db, 10)).map((entry) => entry.change);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.fields).toMatchObject({ status: 'red' });
    expect(changes[0]!.fields).not.toHaveProperty('name');
    expect(changes[0]!.sets).toEqual({ phones: { remove: [{ label: 'w', raw: '03-555-0000' }] } });
  });

  it('a write that fails records nothing; a delete with its tasks records each delete', async () => {
    const db = await desk();
    const saved = await saveCard(db, card('Avi', '050-222-2222'));
    await addTask(db, { cardId: saved.id, title: 'Call back' });
    await db.outbox.clear();
    await expect(
      db.transaction('rw', db.cards, async () => {
        await db.cards.put({ ...saved, name: 'Half way' });
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await db.outbox.count()).toBe(0);
    await deleteCardWithUndo(db, saved);
    expect((await pendingChanges(db, 10)).map((entry) => `${entry.table}:${entry.change.op}`).sort()).toEqual(
      ['cards:delete', 'tasks:delete'],
    );
  });
});

describe('the hub’s changes at a desk', () => {
  it('arrive with their match keys, are not sent back, and this desk’s pending edit stays on top', async () => {
    const hub = new Hub();
    const a = await desk();
    const b = await desk();
    const dana = await saveCard(a, card('Dana Levi', '050-123-4567'));
    await hub.push(a);
    await hub.pull(b);
    const found = await findCardsByKeys(b, parsePhone('+972501234567', IL).keys);
    expect(found[0]?.card.name).toBe('Dana Levi');
    expect(await b.outbox.count()).toBe(0);
    // B renames (not pushed yet) while A's status change arrives: both show at B.
    await updateCard(b, dana.id, { name: 'Dana L.' }, IL);
    await updateCard(a, dana.id, { status: 'green' }, IL);
    await hub.push(a);
    await hub.pull(b);
    expect(await b.cards.get(dana.id)).toMatchObject({ name: 'Dana L.', status: 'green' });
    expect((await officeMeta(b)).cursor).toBe(2);
  });

  it('two desks that edited one card offline end identical, and a call they both logged is one entry', async () => {
    const hub = new Hub();
    const [a, b] = [await desk(), await desk()];
    const noa = await saveCard(
      a,
      buildCard({ name: 'Noa', phones: [{ label: 'm', raw: '050-111-1111' }], tags: ['vip'] }, IL),
    );
    await hub.push(a);
    await hub.pull(b);
    // Offline: A adds a number and a note; B removes the tag, sets the status and adds a task.
    await updateCard(
      a,
      noa.id,
      { phones: [...noa.phones, { label: 'home', raw: '02-999-9999' }], title: 'CEO' },
      IL,
    );
    await addNote(a, { cardId: noa.id, text: 'asked for a quote' });
    const fromB = (await b.cards.get(noa.id))!;
    await updateCard(b, noa.id, { tags: [], status: 'yellow' }, IL);
    await addTask(b, { cardId: fromB.id, title: 'Send the quote' });
    // The same call rang both desks.
    const call = {
      callId: 'pbx-77',
      status: 'ended' as const,
      direction: 'inbound' as const,
      from: '050-111-1111',
      startedAt: 5,
      endedAt: 9,
    };
    await logCall(a, call, IL);
    await logCall(b, call, IL);
    for (const db of [b, a]) await hub.push(db);
    for (const db of [a, b]) await hub.pull(db);
    const view = async (db: KesherDb) => ({
      card: { ...(await db.cards.get(noa.id)), updatedAt: 0 },
      tasks: (await db.tasks.toArray()).map((task) => task.title),
      notes: (await db.interactions.filter((item) => item.kind === 'note').toArray()).map(
        (note) => note.summary,
      ),
      calls: await db.interactions.where('callId').equals('pbx-77').count(),
    });
    const [atA, atB] = [await view(a), await view(b)];
    expect(atA).toEqual(atB);
    expect(atA.card).toMatchObject({ title: 'CEO', status: 'yellow', tags: [] });
    expect(atA.card.phones!.map((phone) => phone.raw)).toEqual(['050-111-1111', '02-999-9999']);
    expect(atA.tasks).toEqual(['Send the quote']);
    expect(atA.calls).toBe(1);
  });
});

describe('a card deleted at one desk while another edits it', () => {
  it('stays deleted at both desks, as at the hub (an edit never brings back half a card)', async () => {
    const hub = new Hub();
    const [a, b] = [await desk(), await desk()];
    const noa = await saveCard(a, card('Noa', '050-111-1111'));
    await hub.push(a);
    await hub.pull(b);
    await deleteCardWithUndo(a, (await a.cards.get(noa.id))!);
    await updateCard(b, noa.id, { status: 'yellow' }, IL);
    // Each desk hears the other's change on its own, after its own.
    await hub.push(a);
    await hub.pull(a);
    await hub.push(b);
    for (const db of [a, b]) await hub.pull(db);
    expect(hub.records.get(`cards/${noa.id}`)!.deleted).toBe(true);
    expect(await a.cards.get(noa.id)).toBeUndefined();
    expect(await b.cards.get(noa.id)).toBeUndefined();
  });
});

describe('a desk’s own change coming back before its ack', () => {
  it('takes its place in the hub’s order: a later change from another desk wins at both desks', async () => {
    const hub = new Hub();
    const [a, b] = [await desk(), await desk()];
    const noa = await saveCard(a, card('Noa', '050-111-1111'));
    await hub.push(a);
    await hub.pull(b);
    await updateCard(a, noa.id, { status: 'green' }, IL);
    await updateCard(b, noa.id, { status: 'red' }, IL);
    // A's change is ordered first, B's after it; A hears the stream before the ack of its own push.
    const inFlight = await hub.take(a);
    await hub.push(b);
    await hub.pull(a);
    await acknowledge(a, inFlight);
    await hub.pull(b);
    expect(hub.records.get(`cards/${noa.id}`)!.data.status).toBe('red');
    expect((await a.cards.get(noa.id))!.status).toBe('red');
    expect((await b.cards.get(noa.id))!.status).toBe('red');
    expect(await pendingChanges(a, 10)).toEqual([]);
  });
});

describe('a desk’s own change acknowledged before an earlier change from another desk reaches it', () => {
  it('keeps its own value on screen meanwhile (never back to the other desk’s, not even for a moment)', async () => {
    const hub = new Hub();
    const [a, b] = [await desk(), await desk()];
    const noa = await saveCard(a, card('Noa', '050-111-1111'));
    await hub.push(a);
    await hub.pull(a);
    await hub.pull(b);
    await updateCard(b, noa.id, { status: 'red' }, IL);
    await updateCard(a, noa.id, { status: 'green' }, IL);
    // B's change is ordered first, A's after it; A hears its ack before the stream brings B's change.
    await hub.push(b);
    await hub.push(a);
    const [, bSeq, aSeq] = hub.changes.map((change) => change.seq);
    expect(await a.outbox.count()).toBe(1);
    expect(await pendingChanges(a, 10)).toEqual([]);
    await hub.pull(a, bSeq);
    expect((await a.cards.get(noa.id))!.status).toBe('green');
    await hub.pull(a, aSeq);
    await hub.pull(b);
    expect(hub.records.get(`cards/${noa.id}`)!.data.status).toBe('green');
    expect((await a.cards.get(noa.id))!.status).toBe('green');
    expect((await b.cards.get(noa.id))!.status).toBe('green');
    expect(await a.outbox.count()).toBe(0);
  });
});

describe('the call log in office mode', () => {
  it('pushes nothing for a call (the hub logs it): the desk’s copy shows at once, the hub’s entry replaces it', async () => {
    const db = await desk();
    const dana = await saveCard(db, card('Dana', '050-123-4567'));
    const hub = new Hub();
    await hub.push(db);
    const intake = new CallLogIntake({
      db,
      phone: async () => IL,
      saveCursor: async () => {},
      onLogged: () => {},
      onError: (error) => {
        throw error;
      },
    });
    const call = {
      callId: 'ring-5',
      status: 'ringing' as const,
      direction: 'inbound' as const,
      from: '0501234567',
      startedAt: 100,
    };
    await intake.add({ type: 'call', journalId: 'j', seq: 1, call, replay: false } as never);
    expect(await db.interactions.get('call:ring-5')).toMatchObject({ cardId: dana.id, outcome: 'ringing' });
    expect(await pendingChanges(db, 10)).toEqual([]);
    // The hub's entry (it matched the caller too) and a later state of the call.
    hub.changes.push({
      id: 'hub:j:1',
      table: 'interactions',
      rowId: 'call:ring-5',
      op: 'put',
      fields: { cardId: dana.id, kind: 'call', callId: 'ring-5', at: 100, outcome: 'missed', summary: '' },
      revive: true,
      at: 100,
      seq: hub.changes.length + 1,
      author: 'phone system',
    });
    await hub.pull(db);
    expect(await db.interactions.where('callId').equals('ring-5').toArray()).toMatchObject([
      { id: 'call:ring-5', cardId: dana.id, outcome: 'missed' },
    ]);
    // What a user writes on the call is theirs, and is pushed.
    await db.interactions.update('call:ring-5', { summary: 'wants a callback' });
    expect((await pendingChanges(db, 10)).map((entry) => entry.change.fields)).toEqual([
      { summary: 'wants a callback' },
    ]);
  });
});

describe('joining with calls logged before calls had one id', () => {
  it('an old call record takes the office’s id, so the hub’s entry for the same call is the same record', async () => {
    const db = await desk(false);
    await db.interactions.put({
      id: 'random-id-1',
      cardId: '',
      kind: 'call',
      at: 5,
      callId: 'pbx-9',
      number: '0501234567',
      numberKeys: [],
      summary: 'called about the invoice',
    });
    await enableOffice(db);
    const pending = await pendingChanges(db, 10);
    expect(pending.map((entry) => entry.rowId)).toEqual(['call:pbx-9']);
    expect(pending[0]!.change.fields).toMatchObject({ callId: 'pbx-9', summary: 'called about the invoice' });
    expect(await db.interactions.toArray()).toMatchObject([{ id: 'call:pbx-9', callId: 'pbx-9' }]);
  });
});

describe('the office’s deal settings', () => {
  it('travel like the cards: a rename at one desk and a rule turned off at another both arrive everywhere', async () => {
    const hub = new Hub();
    const reception = await desk();
    const rep = await desk();
    await saveDealSettings(reception, { stage: 'proposal', name: ' Quote sent ' });
    await saveDealSettings(rep, { wonToCustomer: false });
    await hub.push(reception);
    await hub.push(rep);
    await hub.pull(reception);
    await hub.pull(rep);
    for (const db of [reception, rep]) {
      expect(await readDealSettings(db)).toEqual({
        rules: { leadToProspect: true, wonToCustomer: false },
        currency: 'ILS',
        stageNames: { proposal: 'Quote sent' },
      });
    }
    // The rep's desk now wins deals without making customers, as the office decided.
    const customer = await saveCard(rep, card('Globex', '03-555-1212'));
    const made = await saveDeal(rep, { cardId: customer.id, title: 'Desks', value: 1, currency: 'ILS' });
    await moveDealTo(rep, made.id, 'won');
    expect((await rep.cards.get(customer.id))?.stage).toBe('prospect');
    // A name given back: the stage has its usual name again at both desks.
    await saveDealSettings(rep, { stage: 'proposal', name: '' });
    await hub.push(rep);
    await hub.pull(reception);
    expect((await readDealSettings(reception)).stageNames).toEqual({});
  });
});
