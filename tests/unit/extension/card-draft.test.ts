/** The card editor's model: a card to form rows and back, the rows a user leaves empty dropped. */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../shared/records';
import { draftOf, inputOf, removeAt, replaceAt } from '../../../extension/features/cards/draft';

const card: Card = {
  id: 'c1',
  kind: 'person',
  name: 'Dana Levi',
  company: 'Acme',
  emails: ['dana@acme.co.il', 'dana.levi@gmail.com'],
  phones: [{ label: 'mobile', raw: '050-123-4567' }],
  status: 'green',
  statusNote: 'paid',
  stage: 'customer',
  tags: ['vip', 'north'],
  fields: { 'ח.פ.': '515555555' },
  createdAt: 1,
  updatedAt: 2,
  phoneKeys: [],
  emailKeys: [],
};

describe('card draft', () => {
  it('a new card starts with one empty phone and one empty email row, as a lead', () => {
    const draft = draftOf();
    expect(draft.phones).toEqual([{ label: 'mobile', raw: '' }]);
    expect(draft.emails).toEqual(['']);
    expect(draft.stage).toBe('lead');
    const input = inputOf({ ...draft, name: '  Noa  ' });
    expect(input.name).toBe('Noa');
    expect(input.phones).toEqual([]);
    expect(input.emails).toEqual([]);
  });

  it('a card round-trips through the form unchanged', () => {
    const input = inputOf(draftOf(card));
    expect(input).toMatchObject({
      name: card.name,
      emails: card.emails,
      phones: card.phones,
      tags: card.tags,
      fields: card.fields,
      status: 'green',
      stage: 'customer',
    });
  });

  it('rows are trimmed; empty rows, blank field names and repeated tags or addresses go', () => {
    const draft = {
      ...draftOf(card),
      emails: ['  a@x.co  ', '', 'b@y.co; a@x.co'],
      phones: [
        { label: ' ', raw: ' 03-555-1234 ' },
        { label: 'fax', raw: '   ' },
      ],
      tags: 'vip, , north, vip',
      fields: [
        { key: '  ', value: 'lost' },
        { key: ' VAT ', value: '123' },
      ],
    };
    const input = inputOf(draft);
    expect(input.emails).toEqual(['a@x.co', 'b@y.co']);
    expect(input.phones).toEqual([{ label: 'phone', raw: '03-555-1234' }]);
    expect(input.tags).toEqual(['vip', 'north']);
    expect(input.fields).toEqual({ VAT: '123' });
  });

  it('a list editor replaces or removes one row and leaves the list it was given alone', () => {
    const rows = ['a', 'b', 'c'];
    expect(replaceAt(rows, 1, 'B')).toEqual(['a', 'B', 'c']);
    expect(removeAt(rows, 0)).toEqual(['b', 'c']);
    expect(rows).toEqual(['a', 'b', 'c']);
  });
});
