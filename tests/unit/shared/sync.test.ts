/** The one rule hub and desks apply changes by: the same record from the same changes, at every desk. */
import { describe, expect, it } from 'vitest';
import {
  applyChange,
  checkHubChanges,
  checkPush,
  MAX_PUSH_CHANGES,
  mergeInto,
  type OrderedChange,
  type StoredRecord,
  setKey,
} from '../../../shared/sync';

let seq = 0;
const change = (fields: Partial<OrderedChange>): OrderedChange => ({
  id: `c${++seq}`,
  table: 'cards',
  rowId: 'card',
  op: 'put',
  at: 0,
  seq,
  author: 'office',
  ...fields,
});

describe('applyChange', () => {
  it('replaying the same changes gives the same record; sets merge by element, fields by the latest', () => {
    const changes = [
      change({ fields: { name: 'Dana', phones: [{ label: 'mobile', raw: '050-123-4567' }], tags: ['vip'] } }),
      change({
        sets: { phones: { add: [{ label: 'work', raw: '03 555 0100' }] }, tags: { add: ['VIP', 'north'] } },
      }),
      change({
        fields: { name: 'Dana Levi' },
        sets: { phones: { remove: [{ label: 'x', raw: '0501234567' }] } },
      }),
    ];
    const run = () =>
      changes.reduce<StoredRecord | undefined>((record, next) => applyChange(record, next), undefined)!;
    const record = run();
    expect(record.data).toEqual({
      id: 'card',
      name: 'Dana Levi',
      phones: [{ label: 'work', raw: '03 555 0100' }],
      tags: ['vip', 'north'],
    });
    expect(run()).toEqual(record);
    expect(record.seq).toBe(changes.at(-1)!.seq);
  });

  it('a whole set written again only adds; the id is never overwritten; delete and restore keep the data', () => {
    const first = applyChange(undefined, change({ fields: { emails: ['a@x.co'] } }));
    const second = applyChange(first, change({ fields: { emails: ['B@y.co'], id: 'forged' } }));
    expect(second.data).toEqual({ id: 'card', emails: ['a@x.co', 'B@y.co'] });
    const gone = applyChange(second, change({ op: 'delete' }));
    expect(gone).toMatchObject({ deleted: true, data: second.data });
    expect(applyChange(gone, change({ op: 'restore' }))).toMatchObject({ deleted: false, data: second.data });
  });

  it('set elements: numbers by their digits, addresses and tags without case', () => {
    expect(setKey('phones', { label: 'a', raw: '+972 50-123' })).toBe(
      setKey('phones', { label: 'b', raw: '972(50)123' }),
    );
    expect(setKey('emails', ' Dana@X.co ')).toBe(setKey('emails', 'dana@x.co'));
    expect(setKey('tags', 'VIP')).toBe(setKey('tags', 'vip'));
  });

  it('a merge: the survivor keeps its fields, takes the ones it lacks, and every number of both', () => {
    const into = applyChange(
      undefined,
      change({ fields: { name: 'Acme', company: '', phones: [{ raw: '1' }] } }),
    );
    const from = applyChange(
      undefined,
      change({ rowId: 'dup', fields: { name: 'Acme Ltd', company: 'Acme Ltd', phones: [{ raw: '2' }] } }),
    );
    expect(mergeInto(into, from)).toEqual({
      id: 'card',
      name: 'Acme',
      company: 'Acme Ltd',
      phones: [{ raw: '1' }, { raw: '2' }],
    });
  });
});

describe('checkPush', () => {
  const ok = { id: 'x', table: 'cards', rowId: 'r', op: 'put', fields: { name: 'N' }, at: 1 };
  it('refuses the whole push with the first reason, naming the change', () => {
    expect(checkPush([ok, { ...ok, table: 'passwords' }])).toEqual({
      ok: false,
      reason: 'change 1: table must be one of cards, tasks, interactions, deals, settings',
    });
    expect(checkPush([{ ...ok, author: 'boss' }])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('author is set by the hub'),
    });
    expect(checkPush([{ ...ok, op: 'merge', from: 'r' }])).toMatchObject({
      reason: 'change 0: a merge names two different cards',
    });
    expect(checkPush([{ ...ok, fields: undefined }])).toMatchObject({
      reason: 'change 0: a put sets no field',
    });
    expect(checkPush(Array.from({ length: MAX_PUSH_CHANGES + 1 }, () => ok))).toMatchObject({ ok: false });
    expect(checkPush([{ ...ok, fields: { photo: 'x'.repeat(1_600_000) } }])).toMatchObject({
      reason: expect.stringContaining('larger than'),
    });
    expect(checkPush([ok])).toMatchObject({ ok: true, changes: [ok] });
  });

  it('refuses sets of the wrong shape: every desk reads phones, emails and tags', () => {
    expect(checkPush([{ ...ok, fields: { phones: '050-123-4567' } }])).toEqual({
      ok: false,
      reason: 'change 0: phones must be a list',
    });
    expect(checkPush([{ ...ok, sets: { phones: { add: ['050-123-4567'] } } }])).toEqual({
      ok: false,
      reason: 'change 0: phones holds an element of the wrong shape',
    });
    expect(checkPush([{ ...ok, fields: { tags: [{ evil: true }] } }])).toMatchObject({ ok: false });
    expect(checkPush([{ ...ok, fields: { name: 42 } }])).toEqual({
      ok: false,
      reason: 'change 0: name must be text',
    });
    expect(checkPush([{ ...ok, fields: { phones: [{ label: 'mobile', raw: '050' }] } }])).toMatchObject({
      ok: true,
    });
  });
});

describe('checkHubChanges (a desk reading the hub’s page)', () => {
  const ordered = {
    id: 'x',
    table: 'cards',
    rowId: 'r',
    op: 'put',
    fields: { name: 'N' },
    at: 1,
    seq: 7,
    author: 'Dana',
  };
  it('takes a page in the hub’s order, and refuses the whole page for one change it cannot read', () => {
    expect(checkHubChanges([ordered, { ...ordered, id: 'y', seq: 8 }])).toMatchObject({ ok: true });
    expect(checkHubChanges([ordered, { ...ordered, id: 'y', seq: 7 }])).toEqual({
      ok: false,
      reason: "change 1 is out of the hub's order",
    });
    expect(checkHubChanges([{ ...ordered, seq: undefined }])).toMatchObject({ ok: false });
    expect(checkHubChanges([{ ...ordered, extra: '<img onerror=alert(1)>' }])).toMatchObject({ ok: false });
    expect(checkHubChanges([{ ...ordered, fields: { emails: 'all' } }])).toEqual({
      ok: false,
      reason: 'change 0 (cards r): emails must be a list',
    });
    expect(checkHubChanges(['not a change'])).toMatchObject({ ok: false });
  });
});
