/**
 * Asterisk channels → Kesher call events. One call is several channels sharing a Linkedid: the inbound leg
 * (Uniqueid = Linkedid) and one leg per ringing phone. The recordings in ../shared/fixtures/ami show that the
 * order of events varies between runs, so every rule here reads what the event itself carries and falls
 * back to what earlier events of the same call said; the bridge's call book merges the rest.
 *
 *   DialBegin                → ringing (the ringing extension from DestCallerIDNum / DialString)
 *   DialEnd ANSWER           → answered (answeredBy: that extension)
 *   Hangup of the inbound leg → ended (missed when nobody answered)
 *
 * A DialBegin without a calling channel is an Originate ringing the user's own phone (click-to-call): it
 * is not an inbound call and pops nothing.
 */
import type { CallEventInput } from '../../../shared/protocol';
import { type AmiMessage, field } from './parse';

const UNKNOWN = new Set(['', '<unknown>', 'unknown']);
const MAX_CALLS = 5000;

interface Leg {
  callerNum?: string;
  callerName?: string;
  exten?: string;
}

interface TrackedCall {
  callId: string;
  /** The inbound leg's channel name (Uniqueid = Linkedid). */
  channel?: string;
  /** The inbound leg's caller, once seen. */
  inbound?: Leg;
  direction?: CallEventInput['direction'];
  customer?: string;
  customerName?: string;
  dialled?: string;
  /** Set for calls this bridge originated (click-to-call). */
  originate?: { number: string; extension: string };
  answered: boolean;
  /** The inbound leg hung up. Kept a while: late events of the call (order varies) still find it. */
  ended: boolean;
}

export interface TrackerOptions {
  /** Report extension-to-extension calls too (default: no, they pop nothing and clutter the log). */
  includeInternal?: boolean;
  now?: () => number;
}

function known(value: string | undefined): string | undefined {
  return value === undefined || UNKNOWN.has(value.trim()) ? undefined : value.trim();
}

/** An internal extension: a few digits, no country code. */
export function isExtension(value: string | undefined): boolean {
  return value !== undefined && /^[0-9*#]{1,6}$/.test(value);
}

/**
 * "SIP/100", "PJSIP/carrier/493012345678", "carrier-out/493012345678", "100@default", and Local channels
 * with options ("Local/100@ext-local/n", "100@ext-local/nj": FreePBX ring groups) → the number part.
 */
export function dialledNumber(dialString: string | undefined): string | undefined {
  if (!dialString) return undefined;
  const first = dialString.split('&')[0]!;
  // A Local channel's "/n" (or "/j", "/m", "/b"…) after exten@context is options, not the number.
  const parts = first.replace(/(@[^/]*)\/[a-zA-Z]+$/, '$1').split('/');
  const last = parts[parts.length - 1]!;
  return known(last.split('@')[0]);
}

/** A Local channel's ;2 half carries the original caller as its own caller id (FreePBX ring groups). */
function isLocalHalf(channel: string | undefined): boolean {
  return channel !== undefined && /^Local\//i.test(channel);
}

/** What the source needs besides the event: the inbound channel, to ask the PBX about presentation. */
export interface TrackerMeta {
  /** The inbound (customer's) channel of the call, e.g. "SIP/carrier-00000003". */
  channel?: string;
}

export class AmiCallTracker {
  private readonly calls = new Map<string, TrackedCall>();
  private readonly aliases = new Map<string, string>();

  constructor(
    private readonly emit: (event: CallEventInput, meta: TrackerMeta) => void,
    private readonly options: TrackerOptions = {},
  ) {}

  /** A click-to-call this bridge asked for: its events belong to `callId`. */
  expectOriginate(linkedid: string, callId: string, number: string, extension: string): void {
    this.aliases.set(linkedid, callId);
    const call = this.group(linkedid);
    call.callId = callId;
    call.originate = { number, extension };
  }

  /** OriginateResponse told us the Uniqueid Asterisk gave the originated channel. */
  aliasOriginate(uniqueid: string, callId: string, number: string, extension: string): void {
    this.expectOriginate(uniqueid, callId, number, extension);
  }

  handle(message: AmiMessage): void {
    switch (field(message, 'Event')) {
      case 'Newchannel':
        this.newChannel(message);
        break;
      case 'DialBegin':
        this.dialBegin(message);
        break;
      case 'DialEnd':
        this.dialEnd(message);
        break;
      case 'Hangup':
        this.hangup(message);
        break;
    }
  }

  /** Calls whose inbound leg has not hung up yet. */
  get activeCount(): number {
    let count = 0;
    for (const call of this.calls.values()) if (!call.ended) count++;
    return count;
  }

  private at(message: AmiMessage): number {
    // "Timestamp: 1795435921.123456" when manager.conf has timestampevents=yes.
    const stamp = Number(field(message, 'Timestamp'));
    return Number.isFinite(stamp) && stamp > 0 ? Math.round(stamp * 1000) : (this.options.now ?? Date.now)();
  }

  private group(linkedid: string): TrackedCall {
    let call = this.calls.get(linkedid);
    if (!call) {
      call = { callId: this.aliases.get(linkedid) ?? `ami-${linkedid}`, answered: false, ended: false };
      this.calls.set(linkedid, call);
      if (this.calls.size > MAX_CALLS) {
        const oldest = this.calls.keys().next().value;
        if (oldest !== undefined) this.calls.delete(oldest);
      }
    }
    return call;
  }

  private newChannel(message: AmiMessage): void {
    const uniqueid = field(message, 'Uniqueid');
    const linkedid = field(message, 'Linkedid');
    if (!uniqueid || !linkedid || uniqueid !== linkedid) return;
    const call = this.group(linkedid);
    call.channel ??= field(message, 'Channel');
    call.inbound ??= {
      callerNum: known(field(message, 'CallerIDNum')),
      callerName: known(field(message, 'CallerIDName')),
      exten: known(field(message, 'Exten')),
    };
  }

  private dialBegin(message: AmiMessage): void {
    const linkedid = field(message, 'Linkedid') ?? field(message, 'DestLinkedid');
    if (!linkedid) return;
    const call = this.group(linkedid);
    const ringing = known(field(message, 'DestCallerIDNum'));
    const dialString = field(message, 'DialString');
    const callerChannel = field(message, 'Channel');
    if (call.originate) {
      // Our click-to-call: the first DialBegin rings the user's phone, the next one the customer.
      return;
    }
    if (!callerChannel) return; // an Originate we did not ask for (a call file, another tool)
    const uniqueid = field(message, 'Uniqueid');
    const isInboundLeg = uniqueid === linkedid;
    if (isInboundLeg) call.channel ??= callerChannel;
    const callerNum = known(field(message, 'CallerIDNum'));
    // The inbound leg says who called. A DialBegin from another leg can come first (a Local channel's ;2
    // half ringing a phone before the carrier → Local;1 DialBegin: see local-channel-n.annotated.txt): its
    // own caller id is the customer, while its connected line is the dialled DID.
    const localHalf = !isInboundLeg && isLocalHalf(callerChannel);
    const customer = isInboundLeg
      ? callerNum
      : (call.inbound?.callerNum ??
        (localHalf ? callerNum : (known(field(message, 'ConnectedLineNum')) ?? callerNum)));
    const customerName = isInboundLeg
      ? known(field(message, 'CallerIDName'))
      : (call.inbound?.callerName ??
        (localHalf ? known(field(message, 'CallerIDName')) : known(field(message, 'ConnectedLineName'))));
    const target = isExtension(ringing) ? ringing : dialledNumber(dialString);

    if (call.direction === undefined) {
      if (isExtension(customer) && isExtension(target)) call.direction = 'internal';
      else if (isExtension(customer)) call.direction = 'outbound';
      else call.direction = 'inbound';
    }
    if (call.direction === 'internal' && !this.options.includeInternal) return;
    if (call.direction === 'outbound') {
      call.customer ??= dialledNumber(dialString) ?? ringing;
      this.emit(
        {
          callId: call.callId,
          state: 'ringing',
          direction: 'outbound',
          from: customer ?? '',
          to: call.customer,
          extension: customer,
          at: this.at(message),
        },
        { channel: call.channel },
      );
      return;
    }
    call.customer ??= customer;
    call.customerName ??= customerName;
    this.emit(
      {
        callId: call.callId,
        state: 'ringing',
        direction: call.direction,
        from: call.customer ?? '',
        fromName: call.customerName,
        to: call.inbound?.exten ?? known(field(message, 'Exten')),
        extension: target,
        at: this.at(message),
      },
      { channel: call.channel },
    );
  }

  private dialEnd(message: AmiMessage): void {
    const linkedid = field(message, 'Linkedid') ?? field(message, 'DestLinkedid');
    if (!linkedid || field(message, 'DialStatus') !== 'ANSWER') return;
    const call = this.calls.get(linkedid) ?? this.group(linkedid);
    if (call.direction === 'internal' && !this.options.includeInternal) return;
    if (call.originate) {
      // The user's phone answering is not the call being answered; the customer's leg answering is.
      if (!field(message, 'Channel')) return;
      call.answered = true;
      this.emit(
        {
          callId: call.callId,
          state: 'answered',
          direction: 'outbound',
          from: call.originate.extension,
          to: call.originate.number,
          at: this.at(message),
        },
        {},
      );
      return;
    }
    call.answered = true;
    const by = known(field(message, 'DestCallerIDNum'));
    this.emit(
      {
        callId: call.callId,
        state: 'answered',
        direction: call.direction ?? 'inbound',
        from: call.direction === 'outbound' ? (call.inbound?.callerNum ?? '') : (call.customer ?? ''),
        answeredBy: call.direction !== 'outbound' && isExtension(by) ? by : undefined,
        at: this.at(message),
      },
      { channel: call.channel },
    );
  }

  private hangup(message: AmiMessage): void {
    const uniqueid = field(message, 'Uniqueid');
    const linkedid = field(message, 'Linkedid');
    if (!uniqueid || uniqueid !== linkedid) return;
    const call = this.calls.get(linkedid);
    if (!call || call.ended) return;
    call.ended = true;
    this.aliases.delete(linkedid);
    if (call.direction === undefined && !call.originate) return; // never rang anyone: nothing to log
    if (call.direction === 'internal' && !this.options.includeInternal) return;
    this.emit(
      {
        callId: call.callId,
        state: 'ended',
        direction: call.originate ? 'outbound' : call.direction,
        from: call.originate ? call.originate.extension : (call.customer ?? ''),
        at: this.at(message),
      },
      { channel: call.channel },
    );
  }

  /** Calls in flight (ringing or answered, not ended), with their inbound channel. */
  inFlight(): Array<{ callId: string; channel?: string }> {
    const live: Array<{ callId: string; channel?: string }> = [];
    for (const call of this.calls.values())
      if (!call.ended && (call.direction !== undefined || call.originate)) live.push(call);
    return live;
  }

  /**
   * The PBX link dropped and these calls' ends were never told (Asterisk killed: no Hangup ever comes).
   * End them at `at` (the drop), marked approximate. `stillLive`: inbound channels the PBX still lists.
   */
  endLost(at: number, stillLive?: ReadonlySet<string>): number {
    let ended = 0;
    for (const [linkedid, call] of this.calls) {
      if (call.ended) continue;
      if (stillLive && call.channel && stillLive.has(call.channel)) continue;
      call.ended = true;
      this.aliases.delete(linkedid);
      if (call.direction === undefined && !call.originate) continue;
      if (call.direction === 'internal' && !this.options.includeInternal) continue;
      ended++;
      this.emit(
        {
          callId: call.callId,
          state: 'ended',
          direction: call.originate ? 'outbound' : call.direction,
          from: call.originate ? call.originate.extension : (call.customer ?? ''),
          at,
          endApproximate: true,
        },
        { channel: call.channel },
      );
    }
    return ended;
  }
}
