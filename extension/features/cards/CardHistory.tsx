/**
 * A card's history and the office's deleted cards, both from the office store's change log (office mode):
 * who changed which fields and when, and a deleted card brought back for everyone.
 */
import { useState } from 'preact/hooks';
import { type DeletedCard, type HistoryEntry, sendMessage } from '../../doors/page';
import { Section } from '../../ui/components';
import { formatDateTime, relativeTime } from '../../ui/format';
import { locale, type MessageKey, t } from '../../ui/i18n';
import { useAction } from '../../ui/use-action';

/** A field's name as the card editor labels it (the raw name for one it does not show). */
const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'card.name',
  company: 'card.company',
  title: 'card.title',
  photo: 'card.photo',
  emails: 'card.emails',
  phones: 'card.phones',
  status: 'card.status',
  statusNote: 'card.statusNote',
  stage: 'card.stage',
  tags: 'card.tags',
  fields: 'card.fields',
  kind: 'card.kind',
  source: 'card.source',
  lastContactAt: 'card.lastSpoke',
};

function describe(entry: HistoryEntry): string {
  if (entry.op === 'delete') return t('history.deleted');
  if (entry.op === 'restore') return t('history.restored');
  if (entry.op === 'merge') return t('history.merged');
  if (entry.created) return t('history.created');
  const names = entry.fields.map((field) => (FIELD_LABELS[field] ? t(FIELD_LABELS[field]) : field));
  return t('history.changed', { fields: names.join(', ') });
}

export function CardHistory({ cardId }: { cardId: string }) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const load = useAction(() => sendMessage('getCardHistory', cardId), setEntries);
  return (
    <Section title={t('history.title')}>
      <div data-testid="card-history">
        {entries === null ? (
          <button
            type="button"
            data-testid="card-history-load"
            disabled={load.pending}
            onClick={() => void load.run()}
          >
            {t('history.load')}
          </button>
        ) : entries.length === 0 ? (
          <p class="empty">{t('history.empty')}</p>
        ) : (
          <ol class="timeline history">
            {[...entries].reverse().map((entry) => (
              <li key={entry.seq} data-op={entry.op}>
                <span class="what">{describe(entry)}</span>
                <bdi class="muted">{entry.author}</bdi>
                <time dateTime={new Date(entry.at).toISOString()} title={formatDateTime(entry.at, locale())}>
                  {relativeTime(entry.at, Date.now(), locale())}
                </time>
              </li>
            ))}
          </ol>
        )}
        {load.error ? (
          <p class="muted" role="status">
            {load.error.message}
          </p>
        ) : null}
      </div>
    </Section>
  );
}

/** The office's deleted cards, each with Restore (office mode). */
export function DeletedCards({ onRestored }: { onRestored: () => void }) {
  const [cards, setCards] = useState<DeletedCard[] | null>(null);
  const [restored, setRestored] = useState<string[]>([]);
  const load = useAction(() => sendMessage('listDeletedCards'), setCards);
  const restore = useAction(
    async (card: DeletedCard) => {
      await sendMessage('restoreCard', card.id);
      return card;
    },
    (card) => {
      setRestored((list) => [...list, card.name]);
      setCards((list) => (list ?? []).filter((item) => item.id !== card.id));
      onRestored();
    },
  );
  return (
    <details
      class="deleted-cards"
      data-testid="deleted-cards"
      onToggle={(event) => {
        if ((event.currentTarget as HTMLDetailsElement).open && cards === null) void load.run();
      }}
    >
      <summary>{t('deleted.title')}</summary>
      {load.error ? <p class="muted">{load.error.message}</p> : null}
      {cards && cards.length === 0 ? <p class="empty">{t('deleted.empty')}</p> : null}
      <ul>
        {(cards ?? []).map((card) => (
          <li key={card.id}>
            <bdi>{card.name}</bdi>{' '}
            <span class="muted">
              {t('deleted.by', {
                who: card.deletedBy,
                when: relativeTime(card.deletedAt, Date.now(), locale()),
              })}
            </span>{' '}
            <button
              type="button"
              data-testid="deleted-restore"
              disabled={restore.pending}
              onClick={() => void restore.run(card)}
            >
              {t('deleted.restore')}
            </button>
          </li>
        ))}
      </ul>
      {restored.map((name) => (
        <p key={name} role="status">
          {t('deleted.restored', { name })}
        </p>
      ))}
      {restore.error ? <p class="error">{restore.error.message}</p> : null}
    </details>
  );
}
