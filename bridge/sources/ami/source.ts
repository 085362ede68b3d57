/**
 * The Asterisk source: AMI client → call tracker → the bridge's one entrance for call events. Also the
 * dialer behind click-to-call (Originate).
 */
import { randomUUID } from 'node:crypto';
import { type CallEventInput, EXTENSION_PATTERN } from '../../../shared/protocol';
import type { SourceHooks } from '../types';
import { AmiCallTracker, type TrackerMeta } from './call-tracker';
import { type AmiClientOptions, AmiClient, parseAmiUrl } from './client';
import { type AmiMessage, field } from './parse';

export interface AmiSourceConfig {
  url: string;
  /** The channel that rings the user's phone for click-to-call; {extension} is replaced. */
  originateChannel?: string;
  /** The dialplan context the customer's number is dialled in. */
  originateContext?: string;
  includeInternal?: boolean;
  /**
   * The caller id the customer's phone shows for click-to-call, e.g. "\"Office\" <035550100>". Default: none
   * set, so the PBX uses the extension's own outbound caller id. Never the customer's number.
   */
  originateCallerId?: string;
}

export interface DialOutcome {
  ok: boolean;
  message: string;
  callId?: string;
}

export type AmiSourceHooks = SourceHooks;

/** How long a ringing call may wait for the PBX to say whether its caller id may be shown. */
const PRESENTATION_TIMEOUT_MS = 500;
/** After the PBX link drops, calls not seen again within this long are ended (at the drop, approximate). */
const LOST_CALLS_GRACE_MS = 60_000;
/** Calls whose presentation is remembered (the most recent ones). */
const MAX_PRESENTATIONS = 5000;

/** Asterisk's CALLERID(pres) values: "allowed_not_screened", "prohib_not_screened", "prohib"… */
export function presentationWithheld(value: string | undefined): boolean {
  return /^prohib/i.test(value?.trim() ?? '');
}

/**
 * What may reach the PBX's dialplan as the number to call: digits with an optional leading +, nothing else.
 * A feature code or any other prefix a card or caller id carries ("*72 0541234567", "#31#…") is refused
 * rather than dialled glued to the number.
 */
export function dialableNumber(number: string): string | null {
  const cleaned = number.trim().replace(/[\s().\-/]/g, '');
  return /^\+?[0-9]{2,32}$/.test(cleaned) ? cleaned : null;
}

export class AmiSource {
  readonly client: AmiClient;
  readonly tracker: AmiCallTracker;
  private readonly dialing = new Map<
    string,
    { callId: string; channelId: string; number: string; extension: string }
  >();
  /** Per inbound call: whether its caller id may be shown, and its events held until the PBX says. */
  private readonly presentation = new Map<
    string,
    { state: 'pending' | 'allowed' | 'withheld'; held: CallEventInput[] }
  >();
  /** False once the PBX refused Getvar (the AMI user lacks write = reporting): warned once per login. */
  private canReadPresentation = true;
  private wasReady = false;
  private lostAt?: number;
  private lostTimer?: NodeJS.Timeout;
  private readonly listings = new Map<string, (message: AmiMessage) => void>();

  constructor(
    private readonly config: AmiSourceConfig,
    private readonly hooks: AmiSourceHooks,
    options: AmiClientOptions = {},
  ) {
    this.tracker = new AmiCallTracker((event, meta) => this.fromTracker(event, meta), {
      includeInternal: config.includeInternal,
    });
    this.client = new AmiClient(
      parseAmiUrl(config.url),
      {
        onEvent: (event) => {
          // Our own Originate's verdict names the channel: link it before the call's next events are read
          // (they may sit in the same TCP chunk, ahead of any promise callback).
          const actionId = field(event, 'ActionID');
          const dial = actionId ? this.dialing.get(actionId) : undefined;
          if (dial && field(event, 'Event') === 'OriginateResponse') {
            const uniqueid = field(event, 'Uniqueid');
            if (uniqueid && uniqueid !== dial.channelId) {
              // An Asterisk older than 13 ignores ChannelId: follow the id it chose instead.
              this.tracker.aliasOriginate(uniqueid, dial.callId, dial.number, dial.extension);
            }
          }
          const listing = actionId ? this.listings.get(actionId) : undefined;
          if (listing) {
            listing(event);
            return;
          }
          this.tracker.handle(event);
        },
        onStatus: (status) => {
          this.linkChanged(status.state === 'ready');
          hooks.status({ name: 'ami', state: status.state, detail: this.describe(status.detail) });
        },
        onWarning: (message) => hooks.warn(message),
      },
      options,
    );
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    clearTimeout(this.lostTimer);
    this.client.stop();
  }

  private describe(detail: string): string {
    return this.canReadPresentation
      ? detail
      : `${detail}; cannot read caller-id presentation (withheld numbers would show): add "reporting" to write = in manager.conf [${parseAmiUrl(this.config.url).username}]`;
  }

  /**
   * Withheld callers: Asterisk's events carry the number even when its presentation is prohibited (a
   * carrier's Privacy: id, a dialplan's Set(CALLERID(pres)=prohib)); only Getvar CALLERID(pres) tells.
   * An inbound call's events wait for that answer (one round trip to the PBX) before any leaves here.
   */
  private fromTracker(event: CallEventInput, meta: TrackerMeta): void {
    let known = this.presentation.get(event.callId);
    if (!known) {
      if ((event.direction ?? 'inbound') !== 'inbound' || !meta.channel || !this.canReadPresentation) {
        this.hooks.ingest(event);
        return;
      }
      known = { state: 'pending', held: [] };
      // Kept after the call ends (late events of it are still judged by the same answer); bounded.
      this.presentation.set(event.callId, known);
      if (this.presentation.size > MAX_PRESENTATIONS) {
        const oldest = this.presentation.keys().next().value;
        if (oldest !== undefined) this.presentation.delete(oldest);
      }
      void this.askPresentation(event.callId, meta.channel, known);
    }
    if (known.state === 'pending') {
      known.held.push(event);
      return;
    }
    this.hooks.ingest(known.state === 'withheld' ? { ...event, withheld: true } : event);
  }

  private async askPresentation(
    callId: string,
    channel: string,
    known: { state: 'pending' | 'allowed' | 'withheld'; held: CallEventInput[] },
  ): Promise<void> {
    let state: 'allowed' | 'withheld' = 'allowed';
    try {
      const response = await this.client.action(
        { Action: 'Getvar', Channel: channel, Variable: 'CALLERID(pres)' },
        PRESENTATION_TIMEOUT_MS,
      );
      if (field(response, 'Response') === 'Success') {
        state = presentationWithheld(field(response, 'Value')) ? 'withheld' : 'allowed';
      } else if (/permission denied/i.test(field(response, 'Message') ?? '')) {
        if (this.canReadPresentation) {
          this.canReadPresentation = false;
          this.hooks.warn(
            `AMI: the PBX refused Getvar CALLERID(pres) (permission denied): withheld numbers cannot be recognised; add "reporting" to write = in manager.conf`,
          );
          this.hooks.status({
            name: 'ami',
            state: 'ready',
            detail: this.describe(this.client.current.detail),
          });
        }
      }
      // Any other error (the channel already hung up): nothing says the number is withheld.
    } catch (error) {
      this.hooks.warn(
        `AMI: no answer about caller-id presentation for ${callId}: ${(error as Error).message}`,
      );
    }
    known.state = state;
    const held = known.held.splice(0);
    for (const event of held) this.hooks.ingest(state === 'withheld' ? { ...event, withheld: true } : event);
  }

  /**
   * After the PBX link drops, no Hangup may ever come for the calls in flight (Asterisk killed). Once
   * logged in again, the calls whose inbound channel the PBX no longer lists are ended at the drop, marked
   * approximate; where the PBX will not list its channels (the user lacks "reporting"), or the link stays
   * down, all of them are.
   */
  private linkChanged(ready: boolean): void {
    if (!ready) {
      if (this.wasReady && this.lostAt === undefined && this.tracker.inFlight().length > 0) {
        this.lostAt = Date.now();
        clearTimeout(this.lostTimer);
        this.lostTimer = setTimeout(() => this.endLostCalls(), LOST_CALLS_GRACE_MS);
        this.lostTimer.unref();
      }
      this.wasReady = false;
      return;
    }
    this.wasReady = true;
    this.canReadPresentation = true;
    if (this.lostAt !== undefined) void this.reconcile();
  }

  private endLostCalls(stillLive?: ReadonlySet<string>): void {
    const at = this.lostAt;
    this.lostAt = undefined;
    clearTimeout(this.lostTimer);
    if (at === undefined) return;
    const ended = this.tracker.endLost(at, stillLive);
    if (ended > 0)
      this.hooks.warn(
        `AMI: ended ${ended} call(s) the PBX lost while the link was down (end time approximate)`,
      );
  }

  private async reconcile(): Promise<void> {
    const actionId = `kesher-channels-${randomUUID()}`;
    const live = new Set<string>();
    const complete = new Promise<void>((resolve) => {
      this.listings.set(actionId, (message) => {
        const event = field(message, 'Event');
        if (event === 'CoreShowChannel') {
          const channel = field(message, 'Channel');
          if (channel) live.add(channel);
        } else if (event === 'CoreShowChannelsComplete') resolve();
      });
    });
    try {
      const response = await this.client.action({ Action: 'CoreShowChannels' }, 5_000, actionId);
      if (field(response, 'Response') !== 'Success') {
        this.endLostCalls();
        return;
      }
      const finished = await Promise.race([
        complete.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
      ]);
      this.endLostCalls(finished ? live : undefined);
    } catch {
      this.endLostCalls();
    } finally {
      this.listings.delete(actionId);
    }
  }

  /** Ring the user's own phone, then dial the customer from it. */
  async dial(number: string, extension: string): Promise<DialOutcome> {
    const dialable = dialableNumber(number);
    if (!dialable) return { ok: false, message: `"${number}" is not a number the phone system can dial` };
    if (!EXTENSION_PATTERN.test(extension))
      return { ok: false, message: `"${extension}" is not an extension` };
    const channelId = `kesher-${randomUUID()}`;
    const callId = `dial-${channelId}`;
    const actionId = `kesher-orig-${channelId}`;
    this.tracker.expectOriginate(channelId, callId, dialable, extension);
    this.dialing.set(actionId, { callId, channelId, number: dialable, extension });
    this.hooks.ingest({
      callId,
      state: 'ringing',
      direction: 'outbound',
      from: extension,
      to: dialable,
      extension,
    });
    const result = await this.client.originate({
      actionId,
      channel: (this.config.originateChannel ?? 'PJSIP/{extension}').replaceAll('{extension}', extension),
      context: this.config.originateContext ?? 'from-internal',
      exten: dialable,
      callerId: this.config.originateCallerId,
      channelId,
    });
    this.dialing.delete(actionId);
    if (!result.ok) {
      this.hooks.ingest({ callId, state: 'ended', direction: 'outbound', from: extension, to: dialable });
      return { ok: false, message: `Could not call: ${result.message}`, callId };
    }
    return { ok: true, message: 'Your phone answered: dialling the customer…', callId };
  }
}
