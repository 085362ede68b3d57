/**
 * Every message between the bridge and the extension, plus the bridge's call API input.
 * One schema per message, validated on both ends: a bad frame is rejected with a reason, never half-used.
 */
import * as v from 'valibot';

export const PROTOCOL_VERSION = 1;
/** WebSocket subprotocols: the version, and the token (browsers cannot set headers on a WebSocket). */
export const SUBPROTOCOL = 'kesher.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'kesher.token.';
/** The extension sends a keep-alive at least this often; Chrome ends an idle MV3 worker after 30 s. */
export const KEEPALIVE_INTERVAL_MS = 20_000;

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const callId = v.pipe(v.string(), v.minLength(1, 'callId is empty'), v.maxLength(200, 'callId is too long'));
const timestamp = v.pipe(v.number(), v.integer(), v.minValue(0));
const seq = v.pipe(v.number(), v.integer(), v.minValue(0));

export const CallDirectionSchema = v.picklist(['inbound', 'outbound', 'internal']);
export type CallDirection = v.InferOutput<typeof CallDirectionSchema>;

export const CallStatusSchema = v.picklist(['ringing', 'answered', 'ended', 'missed']);
export type CallStatus = v.InferOutput<typeof CallStatusSchema>;

/** A phone extension as a user types it and a PBX dials it: digits, * and #, up to 20. */
export const EXTENSION_PATTERN = /^[0-9*#]{1,20}$/;

/** Sizes a call's fields are cut to at the bridge's one door (shared/call-event.ts), whatever the source. */
export const CALL_LIMITS = { callId: 200, number: 64, name: 100, extension: 32, extensions: 32 } as const;

/**
 * POST /api/v1/calls: one thing a PBX said about one call. Lenient on sizes (a source's odd value is cut
 * to size at the door, never a reason to lose the call); strict on shape.
 */
export const CallEventInputSchema = v.strictObject({
  callId: v.pipe(v.string(), v.minLength(1, 'callId is empty'), v.maxLength(4096, 'callId is too long')),
  state: v.picklist(['ringing', 'answered', 'ended'], 'state must be "ringing", "answered" or "ended"'),
  from: text(4096),
  fromName: v.optional(text(4096)),
  to: v.optional(text(4096)),
  extension: v.optional(text(4096)),
  direction: v.optional(CallDirectionSchema),
  /** The extension that picked up (with state "answered"). */
  answeredBy: v.optional(text(4096)),
  /** The number the call was forwarded from (SIP Diversion). */
  forwardedFrom: v.optional(text(4096)),
  /** When it happened, ms since the epoch; defaults to the bridge's receipt (and is bounded by it). */
  at: v.optional(v.pipe(v.number(), v.finite('at must be a number of ms since the epoch'), v.minValue(0))),
  /** The caller asked for their number to be withheld (presentation prohibited): it is never kept. */
  withheld: v.optional(v.boolean()),
  /** The end was not told by the PBX but inferred (the PBX link dropped): its time is approximate. */
  endApproximate: v.optional(v.boolean()),
});
export type CallEventInput = v.InferOutput<typeof CallEventInputSchema>;

/** What the bridge knows of a call after merging every event it has seen for it. */
export const CallSnapshotSchema = v.object({
  callId,
  status: CallStatusSchema,
  direction: CallDirectionSchema,
  from: text(200),
  fromName: v.optional(text(200)),
  to: v.optional(text(200)),
  extension: v.optional(text(100)),
  /** Every extension that rang for this call (ring groups ring several). */
  extensions: v.optional(v.array(text(100))),
  answeredBy: v.optional(text(100)),
  forwardedFrom: v.optional(text(200)),
  startedAt: timestamp,
  answeredAt: v.optional(timestamp),
  endedAt: v.optional(timestamp),
  /** The end time was inferred (the PBX link dropped mid-call), not told. */
  endApproximate: v.optional(v.boolean()),
});
export type CallSnapshot = v.InferOutput<typeof CallSnapshotSchema>;

// ---- bridge → extension ----
export const ServerFrameSchema = v.variant('type', [
  v.object({
    type: v.literal('welcome'),
    protocol: v.number(),
    bridgeVersion: v.string(),
    /** Changes when the journal is started anew: the extension's lastSeq then means nothing. */
    journalId: v.string(),
    seq,
  }),
  v.object({
    type: v.literal('call'),
    seq,
    journalId: v.string(),
    call: CallSnapshotSchema,
    /** True when sent to catch up after a reconnect rather than as it happened. */
    replay: v.boolean(),
  }),
  v.object({ type: v.literal('caught-up'), seq }),
  /**
   * Sent before the catch-up when the journal no longer holds everything after the client's lastSeq (it was
   * away longer than the journal keeps, or the journal was started anew): calls from before `until` may be
   * missing from its call log.
   */
  v.object({
    type: v.literal('gap'),
    journalId: v.string(),
    reason: v.picklist(['expired', 'new-journal']),
    /** The client's lastSeq; the catch-up resumes at `resumeSeq`. */
    afterSeq: seq,
    resumeSeq: seq,
    /** When the oldest call the bridge still holds was recorded (or now, when it holds none). */
    until: timestamp,
  }),
  v.object({
    type: v.literal('dial-result'),
    requestId: v.string(),
    ok: v.boolean(),
    /** What the user reads: "Ringing your phone…" or the PBX's reason for failing. */
    message: v.string(),
    callId: v.optional(v.string()),
  }),
  v.object({ type: v.literal('heartbeat'), at: timestamp }),
  v.object({ type: v.literal('error'), reason: v.string() }),
  /** Office mode's users and the extensions they answer: desks name a colleague, not a number. */
  v.object({
    type: v.literal('people'),
    people: v.pipe(
      v.array(
        v.object({
          name: text(200),
          extensions: v.pipe(v.array(text(100)), v.maxLength(50)),
          /** A desk of theirs is connected to the office's bridges (this one, or another on the store). */
          online: v.optional(v.boolean()),
        }),
      ),
      v.maxLength(2000),
    ),
  }),
  // ---- office mode: the hub's store (shared/sync.ts) ----
  /** A push was applied: each change's seq (a change pushed before keeps its first seq). */
  v.object({
    type: v.literal('sync-ack'),
    requestId: v.string(),
    applied: v.array(v.object({ id: v.string(), seq, duplicate: v.boolean() })),
    headSeq: seq,
  }),
  /** A push or pull was refused whole: nothing of it was applied. */
  v.object({
    type: v.literal('sync-error'),
    requestId: v.string(),
    code: v.picklist(['store-replaced', 'ahead-of-hub', 'missing-record', 'bad-change', 'no-store', 'busy']),
    reason: v.string(),
  }),
  /** The hub's changes after the desk's cursor, in order (answer to a pull, and news after every push). */
  v.object({
    type: v.literal('sync-changes'),
    storeId: v.string(),
    changes: v.array(v.unknown()),
    headSeq: seq,
    /** More changes wait after these (pull again from the last one's seq). */
    more: v.boolean(),
    /**
     * The hub's order up to here is covered by this page, even where it holds no change: the rest were
     * other users' private notes. The desk's cursor moves to it.
     */
    through: v.optional(seq),
  }),
  /** A card's history from the hub's change log: who changed what and when, oldest first. */
  v.object({
    type: v.literal('sync-history'),
    requestId: v.string(),
    cardId: v.string(),
    entries: v.pipe(
      v.array(
        v.object({
          seq,
          /** When the hub took it (ms since the epoch). */
          at: timestamp,
          author: v.string(),
          op: v.picklist(['put', 'delete', 'restore', 'merge']),
          /** The fields it set or changed (names only: the card shows the values). */
          fields: v.array(v.string()),
          created: v.optional(v.boolean()),
        }),
      ),
      v.maxLength(1000),
    ),
  }),
  /** The office's deleted cards (tombstones), newest first: what can be restored. */
  v.object({
    type: v.literal('sync-deleted'),
    requestId: v.string(),
    cards: v.pipe(
      v.array(v.object({ id: v.string(), name: v.string(), deletedBy: v.string(), deletedAt: timestamp })),
      v.maxLength(1000),
    ),
  }),
]);
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;

// ---- extension → bridge ----
export const ClientFrameSchema = v.variant('type', [
  v.object({
    type: v.literal('hello'),
    protocol: v.number(),
    /** Null on first pairing: start from now rather than replaying the whole journal. */
    lastSeq: v.nullable(seq),
    journalId: v.nullable(v.string()),
    /** The phone extensions this user answers; absent or empty: all calls (the receptionist). */
    extensions: v.optional(v.array(text(100))),
  }),
  v.object({ type: v.literal('ack'), callId }),
  v.object({
    type: v.literal('dial'),
    requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
    number: v.pipe(v.string(), v.minLength(1, 'number is empty'), v.maxLength(100)),
    /** The user's own extension, whose phone rings first. */
    fromExtension: v.pipe(v.string(), v.regex(EXTENSION_PATTERN, 'fromExtension must be a phone extension')),
  }),
  v.object({ type: v.literal('keepalive') }),
  v.object({ type: v.literal('test-call') }),
  // ---- office mode ----
  /** This desk's writes since it last pushed; `storeId`/`baseSeq`: what it last had from the hub. */
  v.object({
    type: v.literal('sync-push'),
    requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
    storeId: v.nullable(v.string()),
    baseSeq: seq,
    changes: v.array(v.unknown()),
  }),
  /** The hub's changes after `afterSeq`; the desk then hears of every later change without asking. */
  v.object({
    type: v.literal('sync-pull'),
    requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
    storeId: v.nullable(v.string()),
    afterSeq: seq,
  }),
  /** A card's history (answered with sync-history). */
  v.object({
    type: v.literal('sync-history'),
    requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
    cardId: v.pipe(v.string(), v.minLength(1), v.maxLength(300)),
  }),
  /** The deleted cards (answered with sync-deleted). */
  v.object({
    type: v.literal('sync-deleted'),
    requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  }),
]);
export type ClientFrame = v.InferOutput<typeof ClientFrameSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function describe(issues: v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export function validate<S extends v.GenericSchema>(schema: S, input: unknown): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  return result.success ? { ok: true, value: result.output } : { ok: false, reason: describe(result.issues) };
}

/** Parse a text frame: JSON first, then the schema. */
export function parseFrame<S extends v.GenericSchema>(schema: S, data: string): Parsed<v.InferOutput<S>> {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  return validate(schema, json);
}

export const parseServerFrame = (data: string) => parseFrame(ServerFrameSchema, data);
export const parseClientFrame = (data: string) => parseFrame(ClientFrameSchema, data);
