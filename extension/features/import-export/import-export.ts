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
import { foldText } from '../../../shared/text';
import { parseVCards, toVCard } from '../../../shared/vcard';
import { readEverything, replaceEverything } from '../../db/backup';
import { msToDateInput } from '../../ui/format';
import { buildCard, emailKey, writeCardBatches } from '../../db/cards';
import type { Card, Deal, Interaction, KesherDb, OfficeSettings, Task } from '../../db/db';

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
  /** Since deals came (absent in older backups). */
  deals?: Deal[];
  /** This desk's own settings (language, phone, the bridge). */
  settings: Record<string, unknown>;
  /** The office's settings records (deal rules, currency, stage names); absent in older backups. */
  officeSettings?: OfficeSettings[];
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
  /** The row (CSV) or card number (vCard) the draft came from. */
  row: number;
}

/** Why two contacts are taken for one person. */
export type MergeReason = { kind: 'email'; email: string } | { kind: 'phone-and-name'; phone: string };

/** One merge the preview lists; the user can turn each off (the row then becomes a card of its own). */
export interface PlanMerge {
  /** Index in `items` of the row that merges into something. */
  item: number;
  /** An existing card, or an earlier row of the same file (its index in `items`). */
  into: { kind: 'card'; id: string; name: string } | { kind: 'row'; item: number };
  reason: MergeReason;
}

export interface ImportPlan {
  /** Every readable row, unmerged: merges are applied when writing, so each one can be turned off. */
  items: PlanItem[];
  merges: PlanMerge[];
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

/** Names compared as a person would: case, accents, niqqud and spacing aside. */
function nameKey(name: string): string {
  return foldText(name).replace(/\s+/g, ' ').trim();
}

/**
 * Decide, for the preview, which rows are new cards and which merge, and why. The rule: the same email
 * address is the same person; a shared phone number merges only when the names are the same too (five
 * people behind one switchboard number stay five cards, and their calls pop the picker).
 */
export async function planImport(
  db: KesherDb,
  file: CsvFile | VCardFile,
  phone: PhoneOptions,
): Promise<ImportPlan> {
  const { drafts, errors } = draftsOf(file);
  // Existing cards by email, and by phone key + name: one read, then lookups in memory.
  const owners = new Map<string, { id: string; name: string }>();
  await db.cards.each((card) => {
    const owner = { id: card.id, name: card.name };
    for (const key of card.emailKeys) owners.set(`m:${key}`, owner);
    const name = nameKey(card.name);
    for (const key of strongKeys(card.phoneKeys)) owners.set(`${key}|${name}`, owner);
  });
  const items: PlanItem[] = [];
  const merges: PlanMerge[] = [];
  const inFile = new Map<string, number>();
  const phoneKeys = new Map<string, string[]>();
  // Into an empty address book nothing can merge but the file's own repeats: a number's last eight digits
  // (with the same name beside them) tell those apart, whatever the prefix it is written with, and the full
  // parse happens while writing (overlapped with the database), not before the preview.
  const firstImport = owners.size === 0;
  const keysOf = (raw: string) => {
    if (firstImport) return [`d:${raw.replace(/\D/g, '').slice(-8)}`];
    let keys = phoneKeys.get(raw);
    if (!keys) {
      keys = parsePhone(raw, phone).keys;
      phoneKeys.set(raw, keys);
    }
    return keys;
  };
  for (const { draft, row } of drafts) {
    const index = items.length;
    items.push({ draft, row });
    const name = nameKey(draft.name);
    const keys: Array<{ key: string; reason: MergeReason }> = [
      ...draft.emails.map((email) => ({
        key: `m:${emailKey(email)}`,
        reason: { kind: 'email', email } as MergeReason,
      })),
      ...draft.phones.flatMap((item) =>
        strongKeys(keysOf(item.raw)).map((key) => ({
          key: `${key}|${name}`,
          reason: { kind: 'phone-and-name', phone: item.raw } as MergeReason,
        })),
      ),
    ];
    const earlier = keys.find(({ key }) => inFile.has(key));
    const existing = earlier ? undefined : keys.find(({ key }) => owners.has(key));
    if (earlier) {
      merges.push({
        item: index,
        into: { kind: 'row', item: inFile.get(earlier.key)! },
        reason: earlier.reason,
      });
    } else if (existing) {
      const owner = owners.get(existing.key)!;
      merges.push({ item: index, into: { kind: 'card', ...owner }, reason: existing.reason });
    }
    for (const { key } of keys) if (!inFile.has(key)) inFile.set(key, index);
  }
  const plan: ImportPlan = { items, merges, errors, phoneKeys, newCount: 0, mergeCount: 0 };
  return { ...plan, ...importCounts(plan) };
}

/**
 * What the plan writes with some merges turned off: groups of rows, each becoming one card (new, or
 * folded into the existing card it merges with). A row whose merge is off is a card of its own.
 */
function resolveGroups(plan: ImportPlan, skipped: ReadonlySet<number>) {
  const mergeOf = new Map<number, PlanMerge>();
  for (const merge of plan.merges) if (!skipped.has(merge.item)) mergeOf.set(merge.item, merge);
  const groupOf: number[] = [];
  const groups: Array<{ drafts: ContactDraft[]; cardId?: string }> = [];
  plan.items.forEach((item, index) => {
    const merge = mergeOf.get(index);
    if (merge?.into.kind === 'row') {
      const group = groupOf[merge.into.item]!;
      groupOf[index] = group;
      groups[group]!.drafts.push(item.draft);
      return;
    }
    groupOf[index] = groups.length;
    groups.push({ drafts: [item.draft], cardId: merge?.into.kind === 'card' ? merge.into.id : undefined });
  });
  return groups;
}

/** The preview's figures for a choice of merges. */
export function importCounts(
  plan: Pick<ImportPlan, 'items' | 'merges'>,
  skipped: ReadonlySet<number> = new Set(),
): { newCount: number; mergeCount: number } {
  const active = plan.merges.filter((merge) => !skipped.has(merge.item));
  const intoRows = active.filter((merge) => merge.into.kind === 'row').length;
  const intoCards = active.length - intoRows;
  return { newCount: plan.items.length - intoRows - intoCards, mergeCount: active.length };
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

/** Write the plan (without the merges the user turned off): all of it or, if anything fails, none of it. */
export async function commitImport(
  db: KesherDb,
  plan: ImportPlan,
  phone: PhoneOptions,
  onProgress?: Progress,
  skippedMerges: ReadonlySet<number> = new Set(),
): Promise<number> {
  const batch = 2000;
  const now = Date.now();
  const keysOf = (raw: string) => plan.phoneKeys.get(raw) ?? parsePhone(raw, phone).keys;
  const groups = resolveGroups(plan, skippedMerges);
  return writeCardBatches(
    db,
    groups.length,
    batch,
    async (start, end) => {
      const slice = groups.slice(start, end);
      const merging = slice.some((group) => group.cardId);
      const targets = merging ? await db.cards.bulkGet(slice.map((group) => group.cardId ?? '')) : [];
      return slice.map((group, index) => {
        const target = targets[index];
        const [first, ...rest] = group.drafts;
        if (!target) {
          const draft: ContactDraft =
            rest.length === 0
              ? first!
              : { ...first!, phones: [...first!.phones], emails: [...first!.emails], tags: [...first!.tags] };
          for (const other of rest) mergeDraft(draft, other);
          return buildCard(
            {
              name: draft.name,
              company: draft.company,
              title: draft.title,
              photo: draft.photo,
              phones: draft.phones,
              emails: draft.emails,
              tags: draft.tags,
              fields: cardFields(draft),
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
        for (const draft of group.drafts) mergeDraft(merged, draft);
        return buildCard(
          { ...target, ...merged, fields: { ...target.fields, ...cardFields(merged) }, id: target.id },
          phone,
          now,
          keysOf,
        );
      });
    },
    onProgress,
  );
}

export async function exportBackup(db: KesherDb, settings: Record<string, unknown>): Promise<Backup> {
  const { cards, tasks, interactions, deals, settings: officeSettings } = await readEverything(db);
  return {
    format: 'kesher-backup',
    version: 1,
    exportedAt: new Date().toISOString(),
    cards,
    tasks,
    interactions,
    deals,
    settings,
    officeSettings,
  };
}

/** Replace everything with the backup's contents, exactly. */
export async function restoreBackup(db: KesherDb, backup: Backup, onProgress?: Progress): Promise<void> {
  await replaceEverything(
    db,
    {
      cards: backup.cards,
      tasks: backup.tasks ?? [],
      interactions: backup.interactions ?? [],
      deals: backup.deals ?? [],
      // Records only (each field is checked where it is read): anything else in the file is left out.
      settings: Array.isArray(backup.officeSettings)
        ? backup.officeSettings.filter(
            (record): record is OfficeSettings =>
              !!record && typeof record === 'object' && typeof record.id === 'string',
          )
        : undefined,
    },
    onProgress,
  );
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

/** The deals as a sheet: one row each, with its card's name; values as plain numbers. */
export function dealsToCsv(deals: readonly Deal[], cards: ReadonlyMap<string, Pick<Card, 'name'>>): string {
  const headers = [
    'Deal',
    'Card',
    'Value',
    'Currency',
    'Stage',
    'Probability',
    'Expected close',
    'Owner',
    'Lost reason',
    'Created',
    'Closed',
  ];
  const rows = deals.map((deal) => [
    deal.title,
    cards.get(deal.cardId)?.name ?? '',
    String(deal.value),
    deal.currency,
    deal.stage,
    String(deal.probability),
    msToDateInput(deal.expectedClose),
    deal.owner ?? '',
    deal.lostReason ?? '',
    msToDateInput(deal.createdAt),
    msToDateInput(deal.closedAt),
  ]);
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
