/**
 * Import with a preview (new / merged / errors per row, column mapping for CSV, encoding), a progress bar
 * while reading and writing, and exports: full JSON backup, CSV and vCard.
 */
import { useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { type ColumnKind, guessColumn } from '../../../shared/contacts';
import { Section } from '../../ui/components';
import { formatDate } from '../../ui/format';
import { locale, type MessageKey, t } from '../../ui/i18n';
import { changed, db, phoneOptions } from '../app-shell/page-db';
import { restoreSettings, settingsSnapshot } from '../settings/backup';
import {
  type Backup,
  type ContactsFile,
  type CsvFile,
  cardsToCsv,
  cardsToVCard,
  commitImport,
  dealsToCsv,
  exportBackup,
  type ImportPlan,
  importCounts,
  type PlanMerge,
  planImport,
  readContactsFile,
  restoreBackup,
} from './import-export';

const KINDS: ColumnKind[] = [
  'ignore',
  'name',
  'prefix',
  'firstName',
  'middleName',
  'lastName',
  'suffix',
  'company',
  'title',
  'email',
  'phone',
  'notes',
  'tags',
];
const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1255', 'windows-1253', 'windows-1252'];

function download(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ImportView() {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [parsed, setParsed] = useState<ContactsFile | null>(null);
  const [plan, setPlan] = useState<ImportPlan | null>(null);
  const [progress, setProgress] = useState<{ text: string; value: number } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  /** Merges the user turned off, by the merging row's index in the plan. */
  const [skipped, setSkipped] = useState<ReadonlySet<number>>(new Set());

  const prepare = async (chosen: File, encoding?: string, current?: CsvFile) => {
    setMessage(null);
    setPlan(null);
    setSkipped(new Set());
    setBusy(true);
    try {
      const read =
        current ??
        (await readContactsFile(
          chosen,
          (done, total) =>
            setProgress({
              text: t('import.reading', { percent: Math.round((done / total) * 100) }),
              value: done / total,
            }),
          encoding,
        ));
      setParsed(read);
      if (read.kind !== 'backup') setPlan(await planImport(db, read, await phoneOptions()));
    } catch (error) {
      setParsed(null);
      setMessage({ ok: false, text: t('import.failed', { reason: (error as Error).message }) });
    } finally {
      setProgress(null);
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!parsed) return;
    setBusy(true);
    try {
      if (parsed.kind === 'backup') {
        await restoreBackup(db, parsed.backup, (done, total) =>
          setProgress({ text: t('import.writing', { done, total }), value: done / total }),
        );
        await restoreSettings(parsed.backup.settings ?? {});
        setMessage({ ok: true, text: t('import.restored') });
      } else if (plan) {
        const count = await commitImport(
          db,
          plan,
          await phoneOptions(),
          (done, total) => setProgress({ text: t('import.writing', { done, total }), value: done / total }),
          skipped,
        );
        setMessage({ ok: true, text: t('import.done', { count }) });
      }
      setParsed(null);
      setPlan(null);
      await changed();
      await client.invalidateQueries();
    } catch (error) {
      setMessage({ ok: false, text: t('import.failed', { reason: (error as Error).message }) });
    } finally {
      setProgress(null);
      setBusy(false);
    }
  };

  const remap = (index: number, kind: ColumnKind) => {
    if (parsed?.kind !== 'csv' || !file) return;
    const header = parsed.headers[index] ?? '';
    const guessed = guessColumn(header);
    const mapping = parsed.mapping.map((column, i) =>
      i === index ? { kind, label: kind === 'phone' ? (guessed.label ?? 'phone') : undefined } : column,
    );
    void prepare(file, undefined, { ...parsed, mapping });
  };

  const exportAs = async (kind: 'json' | 'csv' | 'vcard' | 'deals') => {
    const stamp = new Date().toISOString().slice(0, 10);
    if (kind === 'deals') {
      const deals = (await db.deals.toArray()).sort((a, b) => a.createdAt - b.createdAt);
      const cards = new Map(
        (await db.cards.bulkGet([...new Set(deals.map((deal) => deal.cardId))]))
          .filter((card) => card !== undefined)
          .map((card) => [card.id, card]),
      );
      download(`kesher-deals-${stamp}.csv`, dealsToCsv(deals, cards), 'text/csv;charset=utf-8');
    } else if (kind === 'json') {
      download(
        `kesher-backup-${stamp}.json`,
        JSON.stringify(await exportBackup(db, await settingsSnapshot())),
        'application/json',
      );
    } else {
      const cards = (await db.cards.toArray()).sort((a, b) => a.createdAt - b.createdAt);
      if (kind === 'csv') download(`kesher-cards-${stamp}.csv`, cardsToCsv(cards), 'text/csv;charset=utf-8');
      else download(`kesher-cards-${stamp}.vcf`, cardsToVCard(cards), 'text/vcard;charset=utf-8');
    }
  };

  const backup: Backup | undefined = parsed?.kind === 'backup' ? parsed.backup : undefined;
  const counts = plan ? importCounts(plan, skipped) : undefined;
  return (
    <div class="page-body wide">
      <h1>{t('import.title')}</h1>
      <label class="file-pick">
        {t('import.choose')}
        <input
          type="file"
          data-testid="app-import-file"
          accept=".csv,.vcf,.vcard,.json,text/csv,text/vcard,application/json"
          disabled={busy}
          onChange={(event) => {
            const chosen = event.currentTarget.files?.[0];
            if (!chosen) return;
            setFile(chosen);
            void prepare(chosen);
          }}
        />
      </label>
      {progress ? (
        <div class="progress">
          <progress data-testid="import-progress" value={progress.value} max={1} />
          <span>{progress.text}</span>
        </div>
      ) : null}
      {parsed?.kind === 'csv' && file ? (
        <Section title={t('import.mapping')}>
          <label>
            {t('import.encoding')}
            <select
              value={parsed.encoding}
              onChange={(event) => void prepare(file, event.currentTarget.value)}
            >
              {ENCODINGS.map((encoding) => (
                <option key={encoding} value={encoding}>
                  {encoding}
                </option>
              ))}
            </select>
          </label>
          <table class="mapping">
            <tbody>
              {parsed.headers.map((header, index) => (
                <tr key={`${header}-${index}`}>
                  <th scope="row">
                    <bdi>{header}</bdi>
                  </th>
                  <td>
                    {/* Numbers and addresses read left to right in every language ("٠٥٤-٣٣٣-٣٣٣٣" stays in order). */}
                    <bdi
                      class="muted"
                      dir={['phone', 'email'].includes(parsed.mapping[index]?.kind ?? '') ? 'ltr' : undefined}
                    >
                      {parsed.rows[0]?.[index] ?? ''}
                    </bdi>
                  </td>
                  <td>
                    <select
                      aria-label={header}
                      value={parsed.mapping[index]?.kind ?? 'ignore'}
                      onChange={(event) => remap(index, event.currentTarget.value as ColumnKind)}
                    >
                      {KINDS.map((kind) => (
                        <option key={kind} value={kind}>
                          {t(`column.${kind}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      {plan || backup ? (
        <div class="preview" data-testid="import-preview">
          {backup ? (
            <p>
              {t('import.backupPreview', {
                date: formatDate(Date.parse(backup.exportedAt), locale()),
                cards: t('count.cards', { count: backup.cards.length }),
                tasks: t('count.tasks', { count: backup.tasks?.length ?? 0 }),
                interactions: t('count.interactions', { count: backup.interactions?.length ?? 0 }),
              })}
            </p>
          ) : null}
          {plan ? (
            <p data-testid="import-counts">
              {t('import.preview', {
                new: t('import.newCards', { count: counts?.newCount ?? 0 }),
                merged: t('import.mergedRows', { count: counts?.mergeCount ?? 0 }),
                errors: t('import.errorRows', { count: plan.errors.length }),
              })}
            </p>
          ) : null}
          {plan && plan.merges.length > 0 ? (
            <MergeList
              plan={plan}
              skipped={skipped}
              onToggle={(item, on) => {
                const next = new Set(skipped);
                if (on) next.delete(item);
                else next.add(item);
                setSkipped(next);
              }}
            />
          ) : null}
          {plan && plan.errors.length > 0 ? (
            <details>
              <summary>{t('import.errorsTitle')}</summary>
              <ul>
                {plan.errors.slice(0, 200).map((error) => (
                  <li key={error.row}>{t('import.row', { row: error.row, reason: error.reason })}</li>
                ))}
              </ul>
            </details>
          ) : null}
          <button
            type="button"
            class="primary"
            data-testid="app-import-confirm"
            disabled={busy}
            onClick={() => void confirm()}
          >
            {backup ? t('import.restore') : t('import.confirm')}
          </button>
        </div>
      ) : null}
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status" data-testid="import-message">
          {message.text}
        </p>
      ) : null}
      <Section title={t('export.title')}>
        <div class="row">
          <button type="button" data-testid="app-export-json" onClick={() => void exportAs('json')}>
            {t('export.json')}
          </button>
          <button type="button" data-testid="app-export-csv" onClick={() => void exportAs('csv')}>
            {t('export.csv')}
          </button>
          <button type="button" data-testid="app-export-vcard" onClick={() => void exportAs('vcard')}>
            {t('export.vcard')}
          </button>
          <button type="button" data-testid="app-export-deals" onClick={() => void exportAs('deals')}>
            {t('export.deals')}
          </button>
        </div>
      </Section>
    </div>
  );
}

/** Every merge the import would make, with its reason; each one can be turned off. */
function MergeList(props: {
  plan: ImportPlan;
  skipped: ReadonlySet<number>;
  onToggle: (item: number, on: boolean) => void;
}) {
  const { plan, skipped } = props;
  const reason = (merge: PlanMerge) =>
    merge.reason.kind === 'email'
      ? t('import.reasonEmail', { email: merge.reason.email })
      : t('import.reasonPhone', { phone: merge.reason.phone });
  const describe = (merge: PlanMerge) => {
    const item = plan.items[merge.item]!;
    if (merge.into.kind === 'card')
      return t('import.mergeIntoCard', {
        row: item.row,
        name: item.draft.name,
        target: merge.into.name,
        reason: reason(merge),
      });
    const target = plan.items[merge.into.item]!;
    return t('import.mergeIntoRow', {
      row: item.row,
      name: item.draft.name,
      targetRow: target.row,
      target: target.draft.name,
      reason: reason(merge),
    });
  };
  return (
    <details open={plan.merges.length <= 20} data-testid="import-merges">
      <summary>{t('import.mergesTitle')}</summary>
      <ul class="merge-list">
        {plan.merges.slice(0, 500).map((merge) => (
          <li key={merge.item} data-testid="import-merge">
            <label>
              <input
                type="checkbox"
                checked={!skipped.has(merge.item)}
                onChange={(event) => props.onToggle(merge.item, event.currentTarget.checked)}
              />
              <bdi>{describe(merge)}</bdi>
            </label>
          </li>
        ))}
      </ul>
    </details>
  );
}
