/**
 * Interactions, and the call log: every call is exactly one interaction, keyed by its callId, merged with
 * the same fact rules as the bridge, so repeated or reordered events never create a second entry.
 */
import Dexie from 'dexie';
import { callInteraction, loggedOn } from '../../shared/call-log';
import type { PhoneOptions } from '../../shared/phone';
import type { CallSnapshot } from '../../shared/protocol';
import { findCardsByKeys, resolveCaller, touchLastContact } from './cards';
import { type Interaction, type InteractionKind, type KesherDb, newId, UNKNOWN_CARD } from './db';
import { markFromHub } from './outbox';
import { WRAP_OUTCOMES, type WrapOutcome } from '../../shared/records';
import { addTask, type TaskInput } from './tasks';

export { callInteractionId } from '../../shared/call-log';

/**
 * Log a call (or its next state). In office mode the hub logs calls for the whole office: `localOnly`
 * writes this desk's copy at once, for its screens, without an outbox entry (the hub's entry, under the same
 * id, replaces it when it arrives; five desks on a ring group push nothing).
 */
export async function logCall(
  db: KesherDb,
  incoming: CallSnapshot,
  phone: PhoneOptions,
  options: { localOnly?: boolean } = {},
): Promise<Interaction> {
  return db.transaction('rw', db.interactions, db.cards, async (tx) => {
    if (options.localOnly) markFromHub(tx.idbtrans);
    const existing = await db.interactions.where('callId').equals(incoming.callId).first();
    const interaction = callInteraction(existing, incoming, phone);
    if (interaction.cardId === UNKNOWN_CARD)
      interaction.cardId = loggedOn(
        await resolveCaller(db, await findCardsByKeys(db, interaction.numberKeys)),
      );
    await db.interactions.put(interaction);
    if (interaction.cardId !== UNKNOWN_CARD) await touchLastContact(db, interaction.cardId, interaction.at);
    return interaction;
  });
}

/**
 * "I'll call back" on a missed call: who (the desk's user; empty on the office's single token) and when.
 * In office mode it reaches every desk like any edit, so the queue shows it taken everywhere.
 */
export async function claimMissedCall(db: KesherDb, interactionId: string, by: string): Promise<void> {
  await db.transaction('rw', db.interactions, async () => {
    const call = await db.interactions.get(interactionId);
    if (call?.kind !== 'call') throw new Error('That call is no longer in the log.');
    await db.interactions.put({ ...call, claimedBy: by, claimedAt: Date.now() });
  });
}

export interface WrapUpInput {
  callId: string;
  outcome: WrapOutcome;
  note: string;
  /** The desk's user. */
  by: string;
  /** A follow-up: a task on the caller's card. */
  task?: Omit<TaskInput, 'cardId' | 'by'>;
}

/**
 * The wrap-up after an answered call, in one transaction: the outcome and note on the call's entry (which
 * every desk sees) and the follow-up task on the caller's card. A call nobody has a card for gets no task.
 */
export async function saveWrapUp(db: KesherDb, input: WrapUpInput): Promise<Interaction> {
  if (!(WRAP_OUTCOMES as readonly string[]).includes(input.outcome))
    throw new Error(`unknown outcome ${input.outcome}`);
  return db.transaction('rw', db.interactions, db.tasks, async () => {
    const call = await db.interactions.where('callId').equals(input.callId).first();
    if (!call) throw new Error('That call is not in the log yet.');
    const next: Interaction = {
      ...call,
      wrapUp: { outcome: input.outcome, note: input.note.trim(), by: input.by, at: Date.now() },
    };
    await db.interactions.put(next);
    if (input.task?.title.trim()) {
      if (call.cardId === UNKNOWN_CARD) throw new Error('Create a card for the caller to give them a task.');
      await addTask(db, { ...input.task, cardId: call.cardId, by: input.by });
    }
    return next;
  });
}

export interface EmailInput {
  cardId: string;
  subject: string;
  /** The message text, only when the user asked to keep it. */
  body?: string;
  at: number;
  direction: 'inbound' | 'outbound';
  url: string;
  /** Gmail's message id: the same message is logged once. */
  messageId?: string;
}

/** "Log this email": once per message and card; the card's last contact follows the message's date. */
export async function logEmail(db: KesherDb, input: EmailInput): Promise<Interaction | undefined> {
  return db.transaction('rw', db.interactions, db.cards, async () => {
    if (input.messageId && (await emailLogged(db, input.cardId, input.messageId))) return undefined;
    const interaction: Interaction = {
      id: newId(),
      cardId: input.cardId,
      kind: 'email',
      direction: input.direction,
      at: input.at,
      numberKeys: [],
      summary: input.body ? `${input.subject}\n\n${input.body}` : input.subject,
      url: input.url,
      messageId: input.messageId,
    };
    await db.interactions.add(interaction);
    await touchLastContact(db, input.cardId, input.at);
    return interaction;
  });
}

export async function emailLogged(db: KesherDb, cardId: string, messageId: string): Promise<boolean> {
  const logged = await db.interactions
    .where('[cardId+at]')
    .between([cardId, Dexie.minKey], [cardId, Dexie.maxKey])
    .filter((item) => item.messageId === messageId)
    .count();
  return logged > 0;
}

/** A lead captured from a page: the page on the card's timeline. */
export async function logCapture(
  db: KesherDb,
  cardId: string,
  source: { title?: string; url: string },
  at = Date.now(),
): Promise<Interaction> {
  const interaction: Interaction = {
    id: newId(),
    cardId,
    kind: 'capture',
    at,
    numberKeys: [],
    summary: source.title || source.url,
    url: source.url,
  };
  await db.interactions.add(interaction);
  return interaction;
}

export interface NoteInput {
  cardId: string;
  text: string;
  kind?: Extract<InteractionKind, 'note' | 'meeting' | 'email' | 'sms'>;
  at?: number;
  /** Only its author sees it (office mode: the hub keeps it from every other user). */
  private?: boolean;
  /** The desk's user. */
  author?: string;
}

export async function addNote(db: KesherDb, input: NoteInput): Promise<Interaction> {
  const text = input.text.trim();
  if (text === '') throw new Error('the note is empty');
  const interaction: Interaction = {
    id: newId(),
    cardId: input.cardId,
    kind: input.kind ?? 'note',
    at: input.at ?? Date.now(),
    numberKeys: [],
    summary: text,
    ...(input.author ? { author: input.author } : {}),
  };
  if (input.private) {
    if (!input.author) throw new Error('A private note needs a desk paired as a user.');
    interaction.private = true;
  }
  await db.interactions.add(interaction);
  return interaction;
}

/** Newest first. */
export async function recentInteractions(db: KesherDb, cardId: string, limit = 5): Promise<Interaction[]> {
  return db.interactions
    .where('[cardId+at]')
    .between([cardId, Dexie.minKey], [cardId, Dexie.maxKey])
    .reverse()
    .limit(limit)
    .toArray();
}

/** Calls no card has claimed yet, newest first. */
export async function unknownCalls(db: KesherDb, limit = 200): Promise<Interaction[]> {
  return recentInteractions(db, UNKNOWN_CARD, limit);
}
