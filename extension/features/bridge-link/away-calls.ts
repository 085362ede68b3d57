/**
 * Calls that rang while this desk's link was down (the worker stopped, the bridge away, the browser closed)
 * reach the call log in the catch-up; the user must also hear of them: when the catch-up is done, a
 * notification ("2 calls rang while Kesher was not connected") and the count on the toolbar badge, until she
 * looks (clicks the notification, or dismisses it).
 */
import type { CallSnapshot } from '../../../shared/protocol';
import { t } from '../../ui/i18n';

export const AWAY_NOTIFICATION = 'kesher-away-calls';

export interface AwayCallsDeps {
  notify(title: string, message: string): Promise<void>;
  badge(text: string): Promise<void>;
  /** Opens where the user sees them (the app's Today page: its missed calls). */
  show(): Promise<void>;
  log(message: string): void;
}

export class AwayCalls {
  private readonly rang = new Set<string>();
  private readonly missed = new Set<string>();
  /** Calls already told of: a second catch-up of the same absence (two links at a start) says nothing new. */
  private readonly told = new Set<string>();
  private shown = 0;

  /** What the badge shows while the link is up: the count not yet seen, or nothing. */
  get badgeText(): string {
    return this.shown > 0 ? String(this.shown) : '';
  }

  constructor(private readonly deps: AwayCallsDeps) {}

  /** Every call frame: a replayed inbound call is one that rang while the link was down. */
  onCall(call: CallSnapshot, replay: boolean): void {
    if (!replay || call.direction !== 'inbound' || this.told.has(call.callId)) return;
    this.rang.add(call.callId);
    if (call.status === 'missed') this.missed.add(call.callId);
    else this.missed.delete(call.callId);
  }

  /** The catch-up is complete: say what rang meanwhile, once. */
  async caughtUp(): Promise<void> {
    const count = this.rang.size;
    const missed = this.missed.size;
    for (const callId of this.rang) this.told.add(callId);
    // Bounded: the oldest told calls go first (a set iterates in insertion order).
    for (const callId of this.told) {
      if (this.told.size <= 1000) break;
      this.told.delete(callId);
    }
    this.rang.clear();
    this.missed.clear();
    if (count === 0) return;
    this.shown += count;
    try {
      await this.deps.badge(this.badgeText);
      await this.deps.notify(
        t('away.calls', { count }),
        missed === 0 ? t('away.noneMissed') : t('away.missed', { count: missed }),
      );
    } catch (error) {
      this.deps.log(`away calls: ${(error as Error).message}`);
    }
  }

  /** The user looked (clicked or dismissed the notification): the badge's count goes. */
  async seen(open: boolean): Promise<void> {
    this.shown = 0;
    await this.deps.badge('').catch(() => {});
    if (open) await this.deps.show().catch((error: Error) => this.deps.log(`away calls: ${error.message}`));
  }
}
