/**
 * The capture form: a lead prefilled from a page or an email, one click to save. When a card with the same
 * address or number exists, "Add to <card>" is offered first. Everything shown came from a page as text.
 */
import { useState } from 'preact/hooks';
import type { Card } from '../../db/db';
import { type PanelView, sendMessage } from '../../doors/page';
import { t } from '../../ui/i18n';
import { useAction } from '../../ui/use-action';
import type { CaptureDraft } from '../capture/capture-draft';

const splitList = (value: string) =>
  value
    .split(/[,;\n]/)
    .map((item) => item.trim())
    .filter(Boolean);

export function CaptureForm({ view }: { view: PanelView }) {
  const initial = view.draft!;
  const [draft, setDraft] = useState<CaptureDraft>(initial);
  const [emails, setEmails] = useState(initial.emails.join(', '));
  const [phones, setPhones] = useState(initial.phones.map((item) => item.raw).join(', '));
  const current = (): CaptureDraft => ({
    ...draft,
    emails: splitList(emails),
    phones: splitList(phones).map((raw, index) => ({ label: initial.phones[index]?.label ?? 'phone', raw })),
  });
  const save = useAction(() => sendMessage('saveCapture', { tabId: view.tabId, draft: current() }));
  const addTo = useAction((cardId: string) =>
    sendMessage('addToCard', { tabId: view.tabId, cardId, draft: current() }),
  );
  const field = (key: 'name' | 'company' | 'title', label: string) => (
    <label>
      {label}
      <input
        dir="auto"
        data-testid={`panel-capture-${key}`}
        value={draft[key] ?? ''}
        onInput={(event) => setDraft({ ...draft, [key]: event.currentTarget.value })}
      />
    </label>
  );
  const error = save.error ?? addTo.error;
  return (
    <form
      class="capture-form"
      data-testid="panel-capture-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <h2>{view.card ? t('panel.unknown') : t('panel.captureTitle')}</h2>
      <p class="muted">{t(`panel.from.${draft.from}`)}</p>
      {view.duplicates.length > 0 ? (
        <div role="note" class="duplicates">
          <p>{t('panel.duplicates')}</p>
          {view.duplicates.map((card: Pick<Card, 'id' | 'name'>) => (
            <button
              type="button"
              key={card.id}
              data-testid="panel-add-to-existing"
              disabled={addTo.pending}
              onClick={() => void addTo.run(card.id)}
            >
              {t('panel.addToExisting', { name: card.name })}
            </button>
          ))}
        </div>
      ) : null}
      {field('name', t('panel.name'))}
      <label>
        {t('panel.kind')}
        <select
          data-testid="panel-capture-kind"
          value={draft.kind}
          onChange={(event) =>
            setDraft({ ...draft, kind: event.currentTarget.value as CaptureDraft['kind'] })
          }
        >
          <option value="person">{t('kind.person')}</option>
          <option value="company">{t('kind.company')}</option>
        </select>
      </label>
      {field('company', t('panel.company'))}
      {field('title', t('panel.jobTitle'))}
      <label>
        {t('panel.emails')}
        <input
          dir="ltr"
          data-testid="panel-capture-emails"
          value={emails}
          onInput={(event) => setEmails(event.currentTarget.value)}
        />
      </label>
      <label>
        {t('panel.phones')}
        <input
          dir="ltr"
          data-testid="panel-capture-phones"
          value={phones}
          onInput={(event) => setPhones(event.currentTarget.value)}
        />
      </label>
      <p class="muted source">
        {t('panel.source')}: <bdi>{draft.sourceTitle || draft.sourceUrl}</bdi>
      </p>
      {error ? <p role="alert">{error.message}</p> : null}
      <button type="submit" data-testid="panel-capture-save" disabled={save.pending}>
        {t('panel.save')}
      </button>
    </form>
  );
}
