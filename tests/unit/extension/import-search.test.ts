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
  importCounts,
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

const SWITCHBOARD_CSV = [
  'Name,Phone,E-mail',
  'Avi Ben,03-6101800,avi@office.co.il',
  'Rina Gold,03-6101800,rina@office.co.il',
  'Moshe Tal,555-555-1212,',
  'Yael Roth,555-555-1212,',
  'Omer Katz,03-6101800,',
  'AVI  BEN,+972 3-610-1800,',
].join('\r\n');

describe('import never folds different people into one card', () => {
  it('people sharing a switchboard number stay separate; the same name on that number merges', async () => {
    const plan = await importText(SWITCHBOARD_CSV);
    expect({ newCount: plan.newCount, mergeCount: plan.mergeCount }).toEqual({ newCount: 5, mergeCount: 1 });
    expect(plan.merges).toEqual([
      {
        item: 5,
        into: { kind: 'row', item: 0 },
        reason: { kind: 'phone-and-name', phone: '+972 3-610-1800' },
      },
    ]);
    const cards = await db.cards.toArray();
    expect(cards.map((card) => card.name).sort()).toEqual([
      'Avi Ben',
      'Moshe Tal',
      'Omer Katz',
      'Rina Gold',
      'Yael Roth',
    ]);
    expect(cards.find((card) => card.name === 'Rina Gold')?.emails).toEqual(['rina@office.co.il']);
  });

  it('an existing card on a shared number takes only the row with its name', async () => {
    await saveCard(db, buildCard({ name: 'Rina Gold', phones: [{ label: 'work', raw: '036101800' }] }, IL));
    const file = (await readContactsFile(new Blob([SWITCHBOARD_CSV]))) as CsvFile;
    const plan = await planImport(db, file, IL);
    expect(plan.merges.map((merge) => [plan.items[merge.item]!.draft.name, merge.into.kind])).toEqual([
      ['Rina Gold', 'card'],
      ['AVI  BEN', 'row'],
    ]);
    await commitImport(db, plan, IL);
    expect(await db.cards.count()).toBe(5);
    const rina = (await db.cards.toArray()).find((card) => card.name === 'Rina Gold');
    expect(rina?.emails).toEqual(['rina@office.co.il']);
  });

  it('a merge turned off in the preview leaves that row a card of its own', async () => {
    const file = (await readContactsFile(new Blob([SWITCHBOARD_CSV]))) as CsvFile;
    const plan = await planImport(db, file, IL);
    expect(importCounts(plan, new Set([5]))).toEqual({ newCount: 6, mergeCount: 0 });
    await commitImport(db, plan, IL, undefined, new Set([5]));
    expect(
      (await db.cards.toArray())
        .map((card) => card.name)
        .filter((name) => /avi/i.test(name))
        .sort(),
    ).toEqual(['AVI  BEN', 'Avi Ben']);
  });

  it('vCards with one phone and different names are two cards', async () => {
    const vcf = [
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana Levi\r\nTEL;TYPE=WORK:+1 555-555-1212\r\nEND:VCARD',
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Noa Cohen\r\nTEL;TYPE=WORK:555-555-1212\r\nEND:VCARD',
    ].join('\r\n');
    const file = await readContactsFile(new Blob([vcf]));
    const plan = await planImport(db, file as Exclude<typeof file, { kind: 'backup' }>, {
      defaultCountry: 'US',
    });
    await commitImport(db, plan, { defaultCountry: 'US' });
    expect(plan.merges).toEqual([]);
    expect((await db.cards.toArray()).map((card) => card.name).sort()).toEqual(['Dana Levi', 'Noa Cohen']);
  });
});

describe('import', () => {
  it('previews new, merged and broken rows, then writes the cards', async () => {
    await saveCard(db, buildCard({ name: 'Dana L.', emails: ['DANA@example.co.il'] }, IL));
    const file = (await readContactsFile(new Blob([HEBREW_CSV]))) as CsvFile;
    expect(file.kind).toBe('csv');
    const plan = await planImport(db, file, IL);
    // Noa twice in the file is one new card; Dana merges into the existing card by email.
    expect({ newCount: plan.newCount, mergeCount: plan.mergeCount }).toEqual({ newCount: 1, mergeCount: 2 });
    expect(plan.merges.map((merge) => [merge.into.kind, merge.reason])).toEqual([
      ['card', { kind: 'email', email: 'dana@example.co.il' }],
      ['row', { kind: 'email', email: 'noa@example.co.il' }],
    ]);
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
  it('after an edit, a new card or a delete anywhere, only the changed cards are read again, and results rank as a fresh list would', async () => {
    const search = new CardSearch(db);
    await search.warm();
    const read = vi.spyOn(db.cards, 'toArray');
    const dana = (await db.cards.toArray()).find((card) => card.name === 'Dana Weiss')!;
    read.mockClear();
    // Another context writes (the worker, another desk): this page hears "changed" and catches up.
    await db.cards.put({ ...dana, name: 'Dana Katz', nameTokens: [] } as typeof dana);
    await saveCard(db, buildCard({ name: 'Danielle Or', lastContactAt: 100 }, IL));
    const jordan = (await db.cards.toArray()).find((card) => card.name === 'Jordan')!;
    read.mockClear();
    await db.cards.delete(jordan.id);
    search.invalidate();
    const incremental = (await search.search('dan')).map((card) => card.name);
    expect(read).not.toHaveBeenCalled();
    expect(incremental).toEqual(['Danielle Or', 'Dana Katz', 'Ben Dan', 'דנה לוי']);
    expect((await search.search('weiss')).map((card) => card.name)).toEqual([]);
    expect((await search.search('')).map((card) => card.name).slice(0, 2)).toEqual([
      'Danielle Or',
      'Ben Dan',
    ]);
    expect(search.names()?.has(jordan.id)).toBe(false);
    // The same answers as a list built from scratch.
    const fresh = new CardSearch(db);
    expect((await fresh.search('dan')).map((card) => card.name)).toEqual(incremental);
  });

  it('many cards written at once (an import) build the list again', async () => {
    const search = new CardSearch(db);
    await search.warm();
    const read = vi.spyOn(db.cards, 'toArray');
    await db.cards.bulkPut(
      Array.from({ length: 300 }, (_, index) => buildCard({ name: `Imported ${index}` }, IL)),
    );
    search.invalidate();
    expect((await search.search('imported 299')).map((card) => card.name)).toEqual(['Imported 299']);
    expect(read).toHaveBeenCalledTimes(1);
  });
  it('a page opening after another built the list reads it from its snapshot, with the cards changed since', async () => {
    const first = new CardSearch(db);
    await first.warm();
    await first.keep();
    const jordan = (await db.cards.toArray()).find((card) => card.name === 'Jordan')!;
    await db.cards.put({ ...jordan, name: 'Jordan Amit' });
    await saveCard(db, buildCard({ name: 'Danielle Or', lastContactAt: 100 }, IL));
    const read = vi.spyOn(db.cards, 'toArray');
    const next = new CardSearch(db);
    const answers = {
      dan: (await next.search('dan')).map((card) => card.name),
      amit: (await next.search('amit')).map((card) => card.name),
      phone: (await next.search('054-765')).map((card) => card.name),
      all: (await next.search('')).length,
    };
    expect(read).not.toHaveBeenCalled();
    expect(answers).toEqual({
      dan: ['Danielle Or', 'Dana Weiss', 'Ben Dan', 'דנה לוי', 'Jordan Amit'],
      amit: ['Jordan Amit'],
      phone: ['נועה כהן'],
      all: 7,
    });
    // A snapshot of another format (or damaged) is not read: the list is built, with the same answers.
    const kept = (await db.snapshots.get('cards'))!;
    await db.snapshots.put({ ...kept, version: kept.version + 1 });
    const rebuilt = new CardSearch(db);
    expect((await rebuilt.search('dan')).map((card) => card.name)).toEqual(answers.dan);
    expect(read).toHaveBeenCalledTimes(1);
    await db.snapshots.put({ ...kept, lastContact: new Float64Array(2) });
    expect((await new CardSearch(db).search('amit')).map((card) => card.name)).toEqual(['Jordan Amit']);
    expect(read).toHaveBeenCalledTimes(2);
  });
});
