/**
 * Import (CSV, vCard, Kesher backup) and export (CSV, vCard, JSON backup). Files are read in chunks with a
 * progress report; an import is planned first (new / merged / rows with errors, for the preview) and then
 * written in one transaction, so a failure leaves nothing half-imported.
 */
import {
  type ColumnMapping,
  type ContactDraft,
  decodeContactsFile,
  guessMapping,
  rowToDraft,
} from '../../../shared/contacts';
import { CsvParser, toCsv } from '../../../shared/csv';
import { type PhoneOptions, parsePhone, strongKeys } from '../../../shared/phone';
import { parseVCards, toVCard } from '../../../shared/vcard';
import { buildCard, emailKey } from '../../db/cards';
import { type Card, type Interaction, type KesherDb, type Task, UNKNOWN_CARD } from '../../db/db';

export type Progress = (done: number, total: number) => void;

export interface CsvFile {
  kind: 'csv';
  headers: string[];
  rows: string[][];
  /** The first data row of each entry in `rows`, as the file numbers them (for error messages). */
  rowNumbers: number[];
  encoding: string;
  mapping: ColumnMapping[];
}
export interface VCardFile {
  kind: 'vcard';
  drafts: ContactDraft[];
  errors: string[];
}
export interface BackupFile {
  kind: 'backup';
  backup: Backup;
}
export type ContactsFile = CsvFile | VCardFile | BackupFile;

export interface Backup {
  format: 'kesher-backup';
  version: 1;
  exportedAt: string;
  cards: Card[];
  tasks: Task[];
  interactions: Interaction[];
  settings: Record<string, unknown>;
}

const CHUNK = 256 * 1024;

/** Read a file in chunks (so a large one shows progress and never freezes the page) and recognise it. */
export async function readContactsFile(
  file: Blob & { name?: string },
  onProgress?: Progress,
  encoding?: string,
): Promise<ContactsFile> {
  const bytes = new Uint8Array(file.size);
  for (let offset = 0; offset < file.size; offset += CHUNK) {
    bytes.set(new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer()), offset);
    onProgress?.(Math.min(file.size, offset + CHUNK), file.size);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const decoded = decodeContactsFile(bytes, encoding);
  const head = decoded.text.slice(0, 200).trimStart();
  if (head.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(decoded.text);
    } catch (error) {
      throw new Error(`This JSON file cannot be read: ${(error as Error).message}`);
    }
    const backup = json as Partial<Backup>;
    if (backup.format !== 'kesher-backup' || !Array.isArray(backup.cards))
      throw new Error('This JSON file is not a Kesher backup');
    return { kind: 'backup', backup: backup as Backup };
  }
  if (/^BEGIN:VCARD/i.test(head)) {
    const { cards, errors } = parseVCards(decoded.text);
    return { kind: 'vcard', drafts: cards, errors };
  }
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  let headers: string[] | undefined;
  const parser = new CsvParser((row, number) => {
    if (!headers) headers = row.map((cell) => cell.trim());
    else {
      rows.push(row);
      rowNumbers.push(number);
    }
  });
  for (let offset = 0; offset < decoded.text.length; offset += CHUNK)
    parser.feed(decoded.text.slice(offset, offset + CHUNK));
  parser.end();
  if (!headers) throw new Error('The file is empty');
  return {
    kind: 'csv',
    headers,
    rows,
    rowNumbers,
    encoding: decoded.encoding,
    mapping: guessMapping(headers),
  };
}

export interface PlanItem {
  draft: ContactDraft;
  /** The existing card (same email or phone) this row merges into, if any. */
  mergeInto?: string;
}

export interface ImportPlan {
  items: PlanItem[];
  /** Each number's match keys, parsed once while planning and reused while writing. */
  phoneKeys: Map<string, string[]>;
  errors: Array<{ row: number; reason: string }>;
  newCount: number;
  mergeCount: number;
}

export function draftsOf(file: CsvFile | VCardFile): {
  drafts: Array<{ draft: ContactDraft; row: number }>;
  errors: ImportPlan['errors'];
} {
  if (file.kind === 'vcard') {
    return {
      drafts: file.drafts.map((draft, index) => ({ draft, row: index + 1 })),
      errors: file.errors.map((reason, index) => ({
        row: Number(/card (\d+)/.exec(reason)?.[1] ?? index + 1),
        reason,
      })),
    };
  }
  const drafts: Array<{ draft: ContactDraft; row: number }> = [];
  const errors: ImportPlan['errors'] = [];
  file.rows.forEach((row, index) => {
    const result = rowToDraft(row, file.headers, file.mapping);
    const number = file.rowNumbers[index] ?? index + 2;
    if (result.draft) drafts.push({ draft: result.draft, row: number });
    else errors.push({ row: number, reason: result.error ?? 'unreadable row' });
  });
  return { drafts, errors };
}

/** Decide, for the preview, which rows are new cards and which merge into an existing card. */
export async function planImport(
  db: KesherDb,
  file: CsvFile | VCardFile,
  phone: PhoneOptions,
): Promise<ImportPlan> {
  const { drafts, errors } = draftsOf(file);
  // Existing cards by email and by a strong phone key: one read, then lookups in memory.
  const owners = new Map<string, string>();
  await db.cards.each((card) => {
    for (const key of card.emailKeys) owners.set(`m:${key}`, card.id);
    for (const key of strongKeys(card.phoneKeys)) owners.set(key, card.id);
  });
  const items: PlanItem[] = [];
  const inFile = new Map<string, PlanItem>();
  const phoneKeys = new Map<string, string[]>();
  // Into an empty address book nothing can merge but the file's own repeats: a number's digits tell those
  // apart, and the full parse happens while writing (overlapped with the database), not before the preview.
  const firstImport = owners.size === 0;
  const keysOf = (raw: string) => {
    if (firstImport)
      return [
        `d:${raw
          .replace(/\D/g, '')
          .replace(/^(00|0)/, '')
          .slice(-9)}`,
      ];
    let keys = phoneKeys.get(raw);
    if (!keys) {
      keys = parsePhone(raw, phone).keys;
      phoneKeys.set(raw, keys);
    }
    return keys;
  };
  let mergeCount = 0;
  for (const { draft } of drafts) {
    const keys = [
      ...draft.emails.map((email) => `m:${emailKey(email)}`),
      ...draft.phones.flatMap((item) => strongKeys(keysOf(item.raw))),
    ];
    const sameInFile = keys.map((key) => inFile.get(key)).find(Boolean);
    if (sameInFile) {
      // The same person twice in one file: one card.
      mergeDraft(sameInFile.draft, draft);
      continue;
    }
    const existing = keys.map((key) => owners.get(key)).find(Boolean);
    const item: PlanItem = { draft, mergeInto: existing };
    if (existing) mergeCount++;
    items.push(item);
    for (const key of keys) inFile.set(key, item);
  }
  return { items, errors, phoneKeys, newCount: items.length - mergeCount, mergeCount };
}

function mergeDraft(into: ContactDraft, from: ContactDraft): void {
  for (const phone of from.phones)
    if (!into.phones.some((item) => item.raw === phone.raw)) into.phones.push(phone);
  for (const email of from.emails)
    if (!into.emails.some((item) => emailKey(item) === emailKey(email))) into.emails.push(email);
  into.tags = [...new Set([...into.tags, ...from.tags])];
  into.company ??= from.company;
  into.title ??= from.title;
  into.photo ??= from.photo;
  if (from.notes) into.notes = into.notes ? `${into.notes}\n${from.notes}` : from.notes;
}

function cardFields(draft: ContactDraft): Record<string, string> {
  return draft.notes ? { notes: draft.notes } : {};
}

/** Write the plan: all of it or, if anything fails, none of it. */
export async function commitImport(
  db: KesherDb,
  plan: ImportPlan,
  phone: PhoneOptions,
  onProgress?: Progress,
): Promise<number> {
  const batch = 2000;
  const now = Date.now();
  let written = 0;
  let pending: Promise<void> = Promise.resolve();
  const keysOf = (raw: string) => plan.phoneKeys.get(raw) ?? parsePhone(raw, phone).keys;
  await db.transaction('rw', db.cards, db.interactions, async () => {
    for (let start = 0; start < plan.items.length; start += batch) {
      const slice = plan.items.slice(start, start + batch);
      const merging = slice.some((item) => item.mergeInto);
      const targets = merging ? await db.cards.bulkGet(slice.map((item) => item.mergeInto ?? '')) : [];
      const cards = slice.map((item, index) => {
        const target = targets[index];
        if (!target) {
          return buildCard(
            {
              name: item.draft.name,
              company: item.draft.company,
              title: item.draft.title,
              photo: item.draft.photo,
              phones: item.draft.phones,
              emails: item.draft.emails,
              tags: item.draft.tags,
              fields: cardFields(item.draft),
              stage: 'lead',
            },
            phone,
            now,
            keysOf,
          );
        }
        const merged: ContactDraft = {
          name: target.name,
          company: target.company,
          title: target.title,
          photo: target.photo,
          phones: [...target.phones],
          emails: [...target.emails],
          tags: [...target.tags],
          notes: target.fields.notes,
        };
        mergeDraft(merged, item.draft);
        return buildCard(
          { ...target, ...merged, fields: { ...target.fields, ...cardFields(merged) }, id: target.id },
          phone,
          now,
          keysOf,
        );
      });
      // The database writes this batch while the next one is built: wait only for the one before.
      await pending;
      pending = db.cards.bulkPut(cards).then(() => {
        written += cards.length;
        onProgress?.(written, plan.items.length);
      });
    }
    await pending;
    // Calls from numbers nobody had a card for, now claimed by the imported cards.
    const unknown = await db.interactions.where('cardId').equals(UNKNOWN_CARD).toArray();
    if (unknown.length > 0) {
      const byKey = new Map<string, string>();
      await db.cards.each((card) => {
        for (const key of strongKeys(card.phoneKeys)) byKey.set(key, card.id);
      });
      for (const interaction of unknown) {
        const owner = strongKeys(interaction.numberKeys)
          .map((key) => byKey.get(key))
          .find(Boolean);
        if (owner) await db.interactions.update(interaction.id, { cardId: owner });
      }
    }
  });
  return written;
}

export async function exportBackup(db: KesherDb, settings: Record<string, unknown>): Promise<Backup> {
  const [cards, tasks, interactions] = await db.transaction('r', db.cards, db.tasks, db.interactions, () =>
    Promise.all([db.cards.toArray(), db.tasks.toArray(), db.interactions.toArray()]),
  );
  return {
    format: 'kesher-backup',
    version: 1,
    exportedAt: new Date().toISOString(),
    cards,
    tasks,
    interactions,
    settings,
  };
}

/** Replace everything with the backup's contents, exactly. */
export async function restoreBackup(db: KesherDb, backup: Backup, onProgress?: Progress): Promise<void> {
  await db.transaction('rw', db.cards, db.tasks, db.interactions, async () => {
    await Promise.all([db.cards.clear(), db.tasks.clear(), db.interactions.clear()]);
    await db.cards.bulkPut(backup.cards);
    onProgress?.(1, 3);
    await db.tasks.bulkPut(backup.tasks ?? []);
    onProgress?.(2, 3);
    await db.interactions.bulkPut(backup.interactions ?? []);
    onProgress?.(3, 3);
  });
}

export function cardsToCsv(cards: readonly Card[]): string {
  const phoneColumns = Math.max(1, ...cards.map((card) => card.phones.length));
  const emailColumns = Math.max(1, ...cards.map((card) => card.emails.length));
  const headers = ['Name', 'Organization Name', 'Organization Title'];
  for (let index = 1; index <= phoneColumns; index++)
    headers.push(`Phone ${index} - Label`, `Phone ${index} - Value`);
  for (let index = 1; index <= emailColumns; index++) headers.push(`E-mail ${index} - Value`);
  headers.push('Labels', 'Stage', 'Status', 'Status note', 'Notes');
  const rows = cards.map((card) => {
    const row = [card.name, card.company ?? '', card.title ?? ''];
    for (let index = 0; index < phoneColumns; index++)
      row.push(card.phones[index]?.label ?? '', card.phones[index]?.raw ?? '');
    for (let index = 0; index < emailColumns; index++) row.push(card.emails[index] ?? '');
    row.push(card.tags.join(', '), card.stage, card.status, card.statusNote, card.fields.notes ?? '');
    return row;
  });
  return `\uFEFF${toCsv([headers, ...rows])}`;
}

export function cardsToVCard(cards: readonly Card[]): string {
  return cards
    .map((card) =>
      toVCard({
        name: card.name,
        company: card.company,
        title: card.title,
        phones: card.phones,
        emails: card.emails,
        photo: card.photo,
        notes: card.fields.notes,
        tags: card.tags,
      }),
    )
    .join('');
}
