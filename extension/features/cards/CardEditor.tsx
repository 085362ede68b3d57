/** The card form: every field of a card editable, saved with Enter or Ctrl+Enter, deleted with undo. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Card, StatusLight as Light } from '../../../shared/records';
import { buildCard, deleteCardWithUndo, saveCard } from '../../db/cards';
import { Avatar, Ltr, StageOptions, StatusOptions } from '../../ui/components';
import { t } from '../../ui/i18n';
import { showToast } from '../../ui/toast';
import { useAction } from '../../ui/use-action';
import { db, phoneOptions } from '../app-shell/page-db';
import { CallButton } from '../click-to-call/CallButton';
import { type Draft, draftOf, inputOf } from './draft';
import { ListEditor } from './ListEditor';

export function CardEditor({ card, onSaved }: { card?: Card; onSaved: () => Promise<void> }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(card));
  const [error, setError] = useState('');
  const name = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    if (!card) name.current?.focus();
  }, [card]);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  const save = useAction(async () => {
    const input = inputOf(draft);
    if (!input.name) throw new Error(t('card.needsName'));
    const phone = await phoneOptions();
    const built = buildCard(card ? { ...card, ...input, id: card.id } : input, phone);
    await saveCard(db, built);
    await onSaved();
    if (!card) {
      showToast(t('card.created'));
      location.hash = `#/cards/${built.id}`;
    } else {
      showToast(t('card.saved'));
    }
  });
  useEffect(() => setError(save.error?.message ?? ''), [save.error]);

  const remove = async () => {
    if (!card) return;
    const undo = await deleteCardWithUndo(db, card);
    await onSaved();
    location.hash = '#/cards';
    showToast(t('card.deleted', { name: card.name }), {
      label: t('common.undo'),
      run: async () => {
        await undo();
        await onSaved();
        location.hash = `#/cards/${card.id}`;
      },
    });
  };

  const readPhoto = (file: File | undefined) => {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => set('photo', String(reader.result));
    reader.readAsDataURL(file);
  };

  return (
    <form
      class="card-editor"
      data-testid="card-editor"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          void save.run();
        }
      }}
    >
      <div class="editor-head">
        <Avatar card={{ name: draft.name || '?', photo: draft.photo }} />
        <label class="grow">
          {t('card.name')}
          <input
            ref={name}
            data-testid="card-name"
            dir="auto"
            value={draft.name}
            onInput={(e) => set('name', e.currentTarget.value)}
            required
          />
        </label>
        <label>
          {t('card.kind')}
          <select value={draft.kind} onChange={(e) => set('kind', e.currentTarget.value as Card['kind'])}>
            <option value="person">{t('kind.person')}</option>
            <option value="company">{t('kind.company')}</option>
          </select>
        </label>
      </div>
      <div class="grid">
        <label>
          {t('card.company')}
          <input dir="auto" value={draft.company} onInput={(e) => set('company', e.currentTarget.value)} />
        </label>
        <label>
          {t('card.title')}
          <input dir="auto" value={draft.title} onInput={(e) => set('title', e.currentTarget.value)} />
        </label>
        <ListEditor
          legend={t('card.phones')}
          class="phones-editor"
          items={draft.phones}
          columns={[
            { key: 'label', label: t('card.phoneLabel'), class: 'label-input' },
            { key: 'raw', label: t('card.phoneNumber'), dir: 'ltr', inputMode: 'tel', testId: 'card-phone' },
          ]}
          onChange={(phones) => set('phones', phones)}
          empty={() => ({ label: 'mobile', raw: '' })}
          addLabel={t('card.addPhone')}
          removeLabel={t('card.removePhone')}
          after={(phone) => (card && phone.raw ? <CallButton number={phone.raw} /> : null)}
        />
        <ListEditor
          legend={t('card.emails')}
          class="emails-editor"
          items={draft.emails.map((address) => ({ address }))}
          columns={[
            { key: 'address', label: t('card.email'), dir: 'ltr', inputMode: 'email', testId: 'card-email' },
          ]}
          onChange={(rows) =>
            set(
              'emails',
              rows.map((row) => row.address),
            )
          }
          empty={() => ({ address: '' })}
          addLabel={t('card.addEmail')}
          removeLabel={t('card.removeEmail')}
        />
        <label>
          {t('card.stage')}
          <select
            data-testid="card-stage"
            value={draft.stage}
            onChange={(e) => set('stage', e.currentTarget.value as Card['stage'])}
          >
            <StageOptions />
          </select>
        </label>
        <label>
          {t('card.status')}
          <select value={draft.status} onChange={(e) => set('status', e.currentTarget.value as Light)}>
            <StatusOptions />
          </select>
        </label>
        <label>
          {t('card.statusNote')}
          <input
            dir="auto"
            value={draft.statusNote}
            onInput={(e) => set('statusNote', e.currentTarget.value)}
          />
        </label>
        <label>
          {t('card.tags')}
          <input dir="auto" value={draft.tags} onInput={(e) => set('tags', e.currentTarget.value)} />
        </label>
        <label>
          {t('card.photo')}
          <input type="file" accept="image/*" onChange={(e) => readPhoto(e.currentTarget.files?.[0])} />
        </label>
        {draft.photo ? (
          <button type="button" onClick={() => set('photo', undefined)}>
            {t('card.removePhoto')}
          </button>
        ) : null}
        <ListEditor
          legend={t('card.fields')}
          class="fields-editor"
          items={draft.fields}
          columns={[
            { key: 'key', label: t('card.fieldName') },
            { key: 'value', label: t('card.fieldValue') },
          ]}
          onChange={(fields) => set('fields', fields)}
          empty={() => ({ key: '', value: '' })}
          addLabel={t('card.addField')}
          removeLabel={t('card.removeField')}
        />
      </div>
      {card?.source ? <p class="muted">{t('card.source', { url: card.source.url })}</p> : null}
      <div class="row">
        <button type="submit" data-testid="card-save" disabled={save.pending}>
          {t('common.save')}
        </button>
        {card ? (
          <button type="button" class="danger" data-testid="card-delete" onClick={() => void remove()}>
            {t('common.delete')}
          </button>
        ) : null}
        {card?.phones[0] ? (
          <span class="muted">
            <Ltr>{card.phones[0].raw}</Ltr>
          </span>
        ) : null}
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
