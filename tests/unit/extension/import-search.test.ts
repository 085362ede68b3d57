import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildCard, saveCard } from '../../../extension/db/cards';
import { createDb, type KesherDb } from '../../../extension/db/db';
import { logCall, unknownCalls } from '../../../extension/db/interactions';
import { addTask } from '../../../extension/db/tasks';
import {
  type CsvFile,
  cardsToCsv,
  commitImport,
  exportBackup,
  planImport,
  readContactsFile,
  restoreBackup,
} from '../../../extension/features/import-export/import-export';
import { CardSearch } from '../../../extension/features/search/search';

const IL = { defaultCountry: 'IL' };
let db: KesherDb;
let count = 0;
beforeEach(async () => {
  db = createDb(`import-${++count}`);
  await db.open();
});

const HEBREW_CSV =
  'שם פרטי,שם משפחה,נייד,דוא"ל,חברה,תגיות\r\nנועה,כהן,054-765-4321,noa@example.co.il,פרדס,vip\r\nדנה,לוי,052-111-2222,dana@example.co.il,,\r\n,,,,,\r\nנועה,כהן,,noa@example.co.il,,\r\n';

async function importText(text: string) {
  const file = (await readContactsFile(new Blob([text]))) as CsvFile;
  const plan = await planImport(db, file, IL);
  await commitImport(db, plan, IL);
  return plan;
}

describe('import', () => {
  it('previews new, merged and broken rows, then writes the cards', async () => {
    await saveCard(db, buildCard({ name: 'Dana L.', emails: ['DANA@example.co.il'] }, IL));
    const file = (await readContactsFile(new Blob([HEBREW_CSV]))) as CsvFile;
    expect(file.kind).toBe('csv');
    const plan = await planImport(db, file, IL);
    // Noa twice in the file is one new card; Dana merges into the existing card by email.
    expect({ newCount: plan.newCount, mergeCount: plan.mergeCount }).toEqual({ newCount: 1, mergeCount: 1 });
    expect(plan.errors).toEqual([{ row: 4, reason: 'no name, company, email or phone in this row' }]);
    await commitImport(db, plan, IL);
    const cards = await db.cards.toArray();
    expect(cards.map((card) => card.name).sort()).toEqual(['Dana L.', 'נועה כהן']);
    expect(cards.find((card) => card.name === 'Dana L.')?.phones).toEqual([
      { label: 'mobile', raw: '052-111-2222' },
    ]);
  });

  it('attaches calls from numbers that were unknown until now', async () => {
    await logCall(
      db,
      {
        callId: 'c1',
        status: 'missed',
        direction: 'inbound',
        from: '+972547654321',
        startedAt: 1,
        endedAt: 2,
      },
      IL,
    );
    await importText(HEBREW_CSV);
    expect(await unknownCalls(db)).toEqual([]);
  });

  it('writes nothing when the import fails half-way', async () => {
    const rows = Array.from(
      { length: 4500 },
      (_, index) => `Person ${index},05${String(index).padStart(8, '0')}`,
    ).join('\r\n');
    const file = (await readContactsFile(new Blob([`Name,Phone\r\n${rows}\r\n`]))) as CsvFile;
    const plan = await planImport(db, file, IL);
    const bulkPut = db.cards.bulkPut.bind(db.cards);
    let calls = 0;
    vi.spyOn(db.cards, 'bulkPut').mockImplementation((async (...args: Parameters<typeof bulkPut>) => {
      if (++calls === 2) throw new Error('disk full');
      return bulkPut(...args);
    }) as typeof bulkPut);
    await expect(commitImport(db, plan, IL)).rejects.toThrow('disk full');
    vi.restoreAllMocks();
    expect(await db.cards.count()).toBe(0);
  });

  it('a backup restores exactly, into a fresh database', async () => {
    await importText(HEBREW_CSV);
    const card = (await db.cards.toArray())[0]!;
    await addTask(db, { cardId: card.id, title: 'לחזור אליה', due: 5 });
    await logCall(
      db,
      { callId: 'c9', status: 'ringing', direction: 'inbound', from: '0547654321', startedAt: 3 },
      IL,
    );
    const backup = JSON.parse(JSON.stringify(await exportBackup(db, { defaultCountry: 'IL' })));
    const fresh = createDb(`import-fresh-${count}`);
    await restoreBackup(fresh, backup);
    for (const table of ['cards', 'tasks', 'interactions'] as const) {
      const sort = (rows: Array<{ id: string }>) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
      expect(sort(await fresh[table].toArray())).toEqual(sort(await db[table].toArray()));
    }
  });

  it('exports CSV that imports back to the same cards', async () => {
    await importText(HEBREW_CSV);
    const csv = cardsToCsv(await db.cards.toArray());
    const again = createDb(`import-again-${count}`);
    const file = (await readContactsFile(new Blob([csv]))) as CsvFile;
    const plan = await planImport(again, file, IL);
    await commitImport(again, plan, IL);
    const names = (cards: Array<{ name: string; phones: unknown; emails: unknown; company?: string }>) =>
      cards
        .map(({ name, phones, emails, company }) => ({ name, phones, emails, company }))
        .sort((a, b) => a.name.localeCompare(b.name));
    expect(names(await again.cards.toArray())).toEqual(names(await db.cards.toArray()));
  });
});

describe('search', () => {
  beforeEach(async () => {
    await importText(HEBREW_CSV);
    await saveCard(
      db,
      buildCard(
        { name: 'Ελένη Παππά', company: 'Ακρόπολις', phones: [{ label: 'm', raw: '6912345678' }] },
        { defaultCountry: 'GR' },
      ),
    );
    await saveCard(db, buildCard({ name: 'Ben Dan', lastContactAt: 10 }, IL));
    await saveCard(db, buildCard({ name: 'Dana Weiss', lastContactAt: 5 }, IL));
    await saveCard(db, buildCard({ name: 'Jordan', lastContactAt: 50 }, IL));
  });

  it.each([
    ['נוע', ['נועה כהן']],
    ['כהנ', ['נועה כהן']],
    ['כהן', ['נועה כהן']],
    ['פרד', ['נועה כהן']],
    ['ελενη', ['Ελένη Παππά']],
    ['ΕΛΈΝΗ', ['Ελένη Παππά']],
    ['Ακροπ', ['Ελένη Παππά']],
    ['05476', ['נועה כהן']],
    ['054-765', ['נועה כהן']],
    ['97254765', ['נועה כהן']],
    ['69123', ['Ελένη Παππά']],
    ['noa@', ['נועה כהן']],
  ])('%s finds %j by prefix', async (query, names) => {
    const search = new CardSearch(db);
    expect((await search.search(query)).map((card) => card.name)).toEqual(names);
  });

  it('ranks a name that starts with the query first, then word starts by recent contact, then inside words', async () => {
    const search = new CardSearch(db);
    await search.warm();
    // דנה לוי matches through her email address (dana@…), a word start like "Ben Dan", but less recent.
    expect((await search.search('dan')).map((card) => card.name)).toEqual([
      'Dana Weiss',
      'Ben Dan',
      'דנה לוי',
      'Jordan',
    ]);
  });

  it('filters by stage, status, tag and open tasks', async () => {
    const search = new CardSearch(db);
    expect((await search.search('', { tag: 'vip' })).map((card) => card.name)).toEqual(['נועה כהן']);
    expect(await search.search('', { withOpenTasks: true })).toEqual([]);
  });
});
