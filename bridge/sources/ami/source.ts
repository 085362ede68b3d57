/**
 * The Asterisk source: AMI client → call tracker → the bridge's one entrance for call events. Also the
 * dialer behind click-to-call (Originate).
 */
import { randomUUID } from 'node:crypto';
import type { CallEventInput } from '../../../shared/protocol';
import type { SourceStatus } from '../../server';
import { AmiCallTracker } from './call-tracker';
import { type AmiClientOptions, AmiClient, parseAmiUrl } from './client';
import { field } from './parse';

export interface AmiSourceConfig {
  url: string;
  /** The channel that rings the user's phone for click-to-call; {extension} is replaced. */
  originateChannel?: string;
  /** The dialplan context the customer's number is dialled in. */
  originateContext?: string;
  includeInternal?: boolean;
}

export interface DialOutcome {
  ok: boolean;
  message: string;
  callId?: string;
}

export interface AmiSourceHooks {
  ingest(event: CallEventInput): void;
  status(status: SourceStatus): void;
  warn(message: string): void;
}

export function dialableNumber(number: string): string | null {
  const cleaned = number.trim().replace(/[\s().\-/]/g, '');
  return /^\+?[0-9*#]{2,32}$/.test(cleaned) ? cleaned : null;
}

export class AmiSource {
  readonly client: AmiClient;
  readonly tracker: AmiCallTracker;
  private readonly dialing = new Map<
    string,
    { callId: string; channelId: string; number: string; extension: string }
  >();

  constructor(
    private readonly config: AmiSourceConfig,
    private readonly hooks: AmiSourceHooks,
    options: AmiClientOptions = {},
  ) {
    this.tracker = new AmiCallTracker((event) => hooks.ingest(event), {
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
          this.tracker.handle(event);
        },
        onStatus: (status) => hooks.status({ name: 'ami', state: status.state, detail: status.detail }),
        onWarning: (message) => hooks.warn(message),
      },
      options,
    );
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.client.stop();
  }

  /** Ring the user's own phone, then dial the customer from it. */
  async dial(number: string, extension: string): Promise<DialOutcome> {
    const dialable = dialableNumber(number);
    if (!dialable) return { ok: false, message: `"${number}" is not a number the phone system can dial` };
    if (!/^[0-9*#]{1,20}$/.test(extension))
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
      callerId: `"Kesher" <${dialable}>`,
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
