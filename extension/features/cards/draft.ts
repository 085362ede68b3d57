/**
 * The card editor's model, apart from its screen: a card as the form edits it (lists as rows, tags as text)
 * and back to what the repository saves. Pure and tested (tests/unit/extension/card-draft.test.ts).
 */
import type { CardInput } from '../../db/cards';
import type { Card, CardPhone, StatusLight } from '../../../shared/records';

export interface Draft {
  name: string;
  kind: Card['kind'];
  company: string;
  title: string;
  photo?: string;
  emails: string[];
  phones: CardPhone[];
  status: StatusLight;
  statusNote: string;
  stage: Card['stage'];
  tags: string;
  fields: Array<{ key: string; value: string }>;
}

/** A new card's form starts with one empty phone row (name, phone, Enter: the secretary test). */
export function draftOf(card?: Card): Draft {
  return {
    name: card?.name ?? '',
    kind: card?.kind ?? 'person',
    company: card?.company ?? '',
    title: card?.title ?? '',
    photo: card?.photo,
    emails: card?.emails.length ? [...card.emails] : [''],
    phones: card?.phones.length ? card.phones : [{ label: 'mobile', raw: '' }],
    status: card?.status ?? 'none',
    statusNote: card?.statusNote ?? '',
    stage: card?.stage ?? 'lead',
    tags: card?.tags.join(', ') ?? '',
    fields: Object.entries(card?.fields ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/** What the form holds, as the repository takes it: empty rows dropped, text trimmed, tags once each. */
export function inputOf(draft: Draft): Omit<CardInput, 'id'> {
  return {
    name: draft.name.trim(),
    kind: draft.kind,
    company: draft.company,
    title: draft.title,
    photo: draft.photo,
    // A row may hold several pasted addresses ("a@x.com, b@y.com").
    emails: [
      ...new Set(
        draft.emails
          .flatMap((row) => row.split(/[\n,;]+/))
          .map((email) => email.trim())
          .filter(Boolean),
      ),
    ],
    phones: draft.phones
      .map((phone) => ({ label: phone.label.trim() || 'phone', raw: phone.raw.trim() }))
      .filter((phone) => phone.raw),
    status: draft.status,
    statusNote: draft.statusNote,
    stage: draft.stage,
    tags: [
      ...new Set(
        draft.tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean),
      ),
    ],
    fields: Object.fromEntries(
      draft.fields.filter((field) => field.key.trim()).map((field) => [field.key.trim(), field.value]),
    ),
  };
}

/** One row of a list replaced (a list editor's edit). */
export function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  return items.map((current, i) => (i === index ? item : current));
}

/** One row of a list removed. */
export function removeAt<T>(items: readonly T[], index: number): T[] {
  return items.filter((_, i) => i !== index);
}
