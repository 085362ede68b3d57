import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCard, saveCard } from '../../../extension/db/cards';
import { createDb, type KesherDb } from '../../../extension/db/db';
import { addTask } from '../../../extension/db/tasks';
import { cardsByEmail, scanItems } from '../../../extension/features/page-contacts/lookup';

const IL = { defaultCountry: 'IL' };
let db: KesherDb;
let count = 0;

beforeEach(async () => {
  db = createDb(`lookup-${++count}`);
  await db.open();
});

describe('cards by email', () => {
  it("finds the person by address, else the company by its addresses' domain, never by free mail", async () => {
    const company = await saveCard(
      db,
      buildCard(
        { name: 'Acme Ltd', kind: 'company', emails: ['office@acme.co.il', 'acme.tlv@gmail.com'] },
        IL,
      ),
    );
    expect(company.emailKeys).toEqual(['office@acme.co.il', 'acme.tlv@gmail.com', '@acme.co.il']);
    const dana = await saveCard(db, buildCard({ name: 'Dana Levi', emails: ['Dana@Acme.co.il'] }, IL));
    const found = await cardsByEmail(db, ['dana@acme.co.il', 'ron@acme.co.il', 'someone@gmail.com']);
    expect(found.get('dana@acme.co.il')?.id).toBe(dana.id);
    expect(found.get('ron@acme.co.il')?.id).toBe(company.id);
    expect(found.has('someone@gmail.com')).toBe(false);
  });

  it('keeps the domain keys of company cards saved before them (v3 upgrade)', async () => {
    const name = `upgrade-${++count}`;
    const Dexie = (await import('dexie')).default;
    const old = new Dexie(name);
    old.version(2).stores({ cards: 'id, *phoneKeys, *emailKeys', tasks: 'id', interactions: 'id' });
    await old.open();
    await old.table('cards').put({
      id: 'c1',
      kind: 'company',
      name: 'Acme',
      emails: ['office@acme.co.il'],
      phones: [],
      emailKeys: ['office@acme.co.il'],
      phoneKeys: [],
    });
    old.close();
    const upgraded = createDb(name);
    const found = await cardsByEmail(upgraded, ['ron@acme.co.il']);
    expect(found.get('ron@acme.co.il')?.id).toBe('c1');
  });
});

describe('scanItems', () => {
  it('returns each number and address found with the chip card it belongs to', async () => {
    const dana = await saveCard(
      db,
      buildCard({ name: 'Dana Levi', status: 'yellow', phones: [{ label: 'work', raw: '03-555-1234' }] }, IL),
    );
    await addTask(db, { cardId: dana.id, title: 'Quote' });
    const hits = await scanItems(
      db,
      [
        { id: 1, text: 'Sales: +972 3-555-1234, order #0541234567' },
        { id: 2, text: 'tel:0547654321', link: 'tel' },
        { id: 3, text: 'mailto:nobody@example.com', link: 'mailto' },
      ],
      IL,
    );
    expect(
      hits.map((hit) => [hit.id, hit.kind, hit.value, hit.card?.name ?? null, hit.card?.openTasks ?? null]),
    ).toEqual([
      [1, 'phone', '+97235551234', 'Dana Levi', 1],
      [2, 'phone', '+972547654321', null, null],
      [3, 'email', 'nobody@example.com', null, null],
    ]);
  });
});
