/**
 * A desk joining the office with cards of its own: before anything is uploaded, the hub says which of them
 * are the office's cards already — the same email, or the same phone with the same name — so the desk can
 * show what will merge and what stays separate. Nothing is written here; the desk's join then pushes its
 * cards and one `merge` change per match (the hub applies each: nothing is lost, tasks and timeline move).
 */
import * as v from 'valibot';
import { keyConfidence } from '../../shared/phone';
import { foldText } from '../../shared/text';
import type { OfficeStore } from './store';

/** Desk cards per preview request (a bigger desk asks in several). */
export const MAX_JOIN_CARDS = 2000;

export const JoinRequestSchema = v.object({
  cards: v.pipe(
    v.array(
      v.object({
        id: v.pipe(v.string(), v.maxLength(300)),
        name: v.pipe(v.string(), v.maxLength(500)),
        emails: v.pipe(v.array(v.pipe(v.string(), v.maxLength(320))), v.maxLength(50)),
        phoneKeys: v.pipe(v.array(v.pipe(v.string(), v.maxLength(40))), v.maxLength(100)),
      }),
    ),
    v.maxLength(MAX_JOIN_CARDS, `a preview asks about at most ${MAX_JOIN_CARDS} cards at once`),
  ),
});
export type JoinRequest = v.InferOutput<typeof JoinRequestSchema>;

export interface JoinMatch {
  deskId: string;
  officeId: string;
  officeName: string;
  reason: 'email' | 'phone-and-name';
  /** The email or number they share, as the office card has it. */
  detail: string;
}

export interface JoinPreview {
  matches: JoinMatch[];
  /** Desk cards the office has under the same id already (this desk was in the office before). */
  already: string[];
}

const sameName = (a: string, b: string) =>
  foldText(a).trim() !== '' && foldText(a).trim() === foldText(b).trim();

export async function joinPreview(store: OfficeStore, request: JoinRequest): Promise<JoinPreview> {
  const ids = request.cards.map((card) => card.id);
  const existing = new Set(
    (
      await store.sql.query<{ id: string }>(
        `SELECT id FROM kesher_records WHERE tbl = 'cards' AND NOT deleted
         AND id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
        [JSON.stringify(ids)],
      )
    ).map((row) => row.id),
  );
  const asking = request.cards.filter((card) => !existing.has(card.id));
  const emails = [
    ...new Set(asking.flatMap((card) => card.emails.map((email) => email.trim().toLowerCase()))),
  ];
  const byEmail = new Map<string, { id: string; name: string; email: string }>();
  if (emails.length > 0) {
    const rows = await store.sql.query<{ id: string; name: string | null; email: string }>(
      `SELECT r.id, r.data->>'name' AS name, e.email
       FROM kesher_records r, jsonb_array_elements_text(
         CASE WHEN jsonb_typeof(r.data->'emails') = 'array' THEN r.data->'emails' ELSE '[]'::jsonb END) AS e(email)
       WHERE r.tbl = 'cards' AND NOT r.deleted
         AND lower(trim(e.email)) IN (SELECT jsonb_array_elements_text($1::jsonb))
       ORDER BY r.id`,
      [JSON.stringify(emails)],
    );
    for (const row of rows) {
      const key = row.email.trim().toLowerCase();
      if (!byEmail.has(key)) byEmail.set(key, { id: row.id, name: row.name ?? '', email: row.email });
    }
  }
  const matches: JoinMatch[] = [];
  for (const card of asking) {
    const email = card.emails.map((item) => byEmail.get(item.trim().toLowerCase())).find(Boolean);
    if (email) {
      matches.push({
        deskId: card.id,
        officeId: email.id,
        officeName: email.name,
        reason: 'email',
        detail: email.email,
      });
      continue;
    }
    // A shared number alone is not enough (a switchboard, a family phone): the name must be the same too.
    const strong = card.phoneKeys.filter((key) => keyConfidence(key) !== 'suffix');
    if (strong.length === 0) continue;
    const found = (await store.cardsByKeys(strong)).find(
      (match) => match.card.id !== card.id && sameName(match.card.name ?? '', card.name),
    );
    if (found)
      matches.push({
        deskId: card.id,
        officeId: found.card.id,
        officeName: found.card.name,
        reason: 'phone-and-name',
        detail: found.card.phones?.[0]?.raw ?? '',
      });
  }
  return { matches, already: [...existing] };
}
