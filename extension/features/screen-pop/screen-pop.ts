/**
 * The hot path in the worker: a ringing call becomes one pop window (never two for one call, whatever
 * arrives twice) plus a system notification; later events of the call update the same window.
 */
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import { customerNumber } from '../../../shared/caller-id';
import { type PhoneOptions, parsePhone, strongKeys } from '../../../shared/phone';
import type { CallSnapshot } from '../../../shared/protocol';
import type { KesherDb } from '../../db/db';
import { broadcast, type PopView } from '../../doors/page';
import { type Locale, MESSAGES, t } from '../../ui/i18n';
import { buildPopView } from './pop-view';

/** Calls that already had their pop, kept across worker restarts (chrome.storage.session). */
const poppedItem = storage.defineItem<string[]>('session:poppedCalls', { fallback: [] });

/** A replayed call that started ringing longer ago than this is history, not a pop. */
const LATE_POP_LIMIT_MS = 60_000;
const POP_SIZE = { width: 440, height: 680 };
const REMEMBERED_POPS = 200;

export function popUrl(callId: string): string {
  return browser.runtime.getURL(`/pop.html?callId=${encodeURIComponent(callId)}`);
}

/**
 * A ringing inbound call pops for a user whose extension rings (ring groups ring several), or for a user
 * who takes all calls (no extensions set: the receptionist).
 */
export function shouldPop(
  call: CallSnapshot,
  replay: boolean,
  myExtensions: readonly string[],
  now = Date.now(),
): boolean {
  if (call.status !== 'ringing' || call.direction !== 'inbound') return false;
  if (replay && now - call.startedAt >= LATE_POP_LIMIT_MS) return false;
  if (myExtensions.length === 0) return true;
  const ringing = call.extensions ?? (call.extension ? [call.extension] : []);
  return ringing.some((extension) => myExtensions.includes(extension));
}

export class ScreenPop {
  /** callId → the pop window's id (a promise while it is being created, so a second event waits). */
  private readonly windows = new Map<string, Promise<number | undefined>>();
  private readonly views = new Map<string, Promise<PopView>>();
  private popped: string[] = [];
  /** Office mode's users by extension ("102" → "Dana Levi"), as the bridge last said. */
  private people = new Map<string, string>();
  /** Calls answered and not ended yet, anywhere in the office: who talks with which number, since when. */
  private readonly live = new Map<string, { extension: string; since: number; keys: string[] }>();

  constructor(
    private readonly db: KesherDb,
    private readonly phone: () => PhoneOptions,
    private readonly myExtensions: () => string[],
    private readonly log: (message: string) => void,
    private readonly locale: () => Locale = () => 'en',
  ) {
    browser.windows.onRemoved.addListener((windowId) => {
      for (const [callId, pending] of this.windows) {
        void pending.then((id) => {
          if (id !== windowId) return;
          this.windows.delete(callId);
          // A closed pop's view could be stale by the time anyone asks again: build it then.
          this.views.delete(callId);
        });
      }
    });
    browser.notifications?.onClicked.addListener((notificationId) => {
      if (notificationId.startsWith('call:')) void this.focus(notificationId.slice('call:'.length));
    });
  }

  /** Load what survives a worker restart; call before the link delivers calls. */
  async restore(): Promise<void> {
    this.popped = [...(await poppedItem.getValue()), ...this.popped];
  }

  /** A call frame arrived (live or replayed). Resolves when the pop is open or updated. */
  async onCall(call: CallSnapshot, replay: boolean): Promise<void> {
    if (call.status !== 'ringing') this.track(call);
    const pops =
      shouldPop(call, replay, this.myExtensions()) &&
      !this.windows.has(call.callId) &&
      !this.popped.includes(call.callId);
    // A call with nothing on screen (most catch-up frames) only goes to the call log.
    if (!pops && !this.views.has(call.callId)) return;
    const view = this.build(call);
    this.views.set(call.callId, view);
    this.forgetOldViews();
    if (pops) {
      this.remember(call.callId);
      const windowId = this.open(call.callId);
      this.windows.set(call.callId, windowId);
      // The system notification waits for the pop's first paint (see shown()): created at the same time,
      // it held the browser's UI thread long enough to delay the window by ~8 ms (measured in bench).
      if ((await windowId) === undefined) void this.notify(await view);
      return;
    }
    await view;
    broadcast('callUpdated', { callId: call.callId });
    if (call.status !== 'ringing') void browser.notifications?.clear(`call:${call.callId}`).catch(() => {});
  }

  /** The pop page painted its card: now the notification, for a user who is looking elsewhere. */
  async shown(callId: string): Promise<void> {
    const view = await this.views.get(callId);
    if (view && (view.call.status === 'ringing' || view.call.status === 'answered')) await this.notify(view);
  }

  view(callId: string): Promise<PopView> | undefined {
    return this.views.get(callId);
  }

  /** Data behind a pop changed (lead created, note added): rebuild its view and tell the page. */
  async refresh(callId: string): Promise<void> {
    const current = await this.views.get(callId);
    if (!current) return;
    this.views.set(callId, this.build(current.call));
    await this.views.get(callId);
    broadcast('callUpdated', { callId });
  }

  /** Data changed: rebuild the views of the pops still open (cached views of closed ones rebuild on demand). */
  async refreshOpen(): Promise<void> {
    await Promise.all([...this.windows.keys()].map((callId) => this.refresh(callId)));
  }

  /** Keep the office's live calls (answered, not ended); say so when that changes. */
  private track(call: CallSnapshot): void {
    const talking =
      call.status === 'answered' && call.answeredBy !== undefined && call.direction !== 'internal';
    if (!talking) {
      if (this.live.delete(call.callId)) broadcast('presenceChanged', {});
      return;
    }
    if (this.live.has(call.callId)) return;
    // Only the number's strong keys: a customer who shares the last digits with another is someone else.
    const keys = strongKeys(parsePhone(customerNumber(call), this.phone()).keys);
    this.live.set(call.callId, { extension: call.answeredBy!, since: call.answeredAt ?? Date.now(), keys });
    broadcast('presenceChanged', {});
  }

  /** Who is on a call now with a customer whose numbers have these match keys. */
  presence(keys: readonly string[]): Array<{ who: string; since: number }> {
    const mine = new Set(keys);
    return [...this.live.values()]
      .filter((call) => call.keys.some((key) => mine.has(key)))
      .map((call) => ({ who: this.who(call.extension)!, since: call.since }));
  }

  /** Every live call of the office: which extension talks, since when (the colleagues' list). */
  talking(): Array<{ extension: string; since: number }> {
    return [...this.live.values()].map((call) => ({ extension: call.extension, since: call.since }));
  }

  setPeople(people: ReadonlyArray<{ name: string; extensions: string[] }>): void {
    this.people = new Map(people.flatMap((person) => person.extensions.map((ext) => [ext, person.name])));
    void this.refreshOpen();
  }

  /** "Dana Levi (102)" for a colleague's extension; the extension alone for one nobody is paired on. */
  private who(extension: string | undefined): string | undefined {
    if (extension === undefined) return undefined;
    const name = this.people.get(extension);
    return name ? `${name} (${extension})` : extension;
  }

  build(call: CallSnapshot): Promise<PopView> {
    const mine = this.myExtensions();
    return buildPopView(this.db, call, this.phone()).then((view) => ({
      ...view,
      answeredBy: this.who(call.answeredBy),
      answeredElsewhere: call.answeredBy !== undefined && !mine.includes(call.answeredBy),
      myExtension: mine[0],
      locale: this.locale(),
      messages: this.locale() === 'en' ? undefined : MESSAGES[this.locale()],
    }));
  }

  private async open(callId: string): Promise<number | undefined> {
    try {
      const created = await browser.windows.create({
        url: popUrl(callId),
        type: 'popup',
        focused: true,
        ...POP_SIZE,
      });
      return created?.id;
    } catch (error) {
      this.log(`could not open the pop window for ${callId}: ${(error as Error).message}`);
      this.windows.delete(callId);
      return undefined;
    }
  }

  private async focus(callId: string): Promise<void> {
    const windowId = await this.windows.get(callId);
    if (windowId !== undefined) await browser.windows.update(windowId, { focused: true }).catch(() => {});
  }

  private async notify(view: PopView): Promise<void> {
    const card = view.card?.card;
    const title = card?.name ?? (view.numberKind === 'withheld' ? t('pop.withheld') : t('pop.unknown'));
    const message = [view.display, card?.company].filter(Boolean).join(' · ') || t('pop.incoming');
    try {
      await browser.notifications.create(`call:${view.call.callId}`, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icons/128.png'),
        title,
        message,
        priority: 2,
      });
    } catch (error) {
      this.log(`notification failed: ${(error as Error).message}`);
    }
  }

  private remember(callId: string): void {
    this.popped.push(callId);
    if (this.popped.length > REMEMBERED_POPS) this.popped.shift();
    void poppedItem.setValue(this.popped);
  }

  private forgetOldViews(): void {
    while (this.views.size > REMEMBERED_POPS) {
      const oldest = this.views.keys().next().value;
      if (oldest === undefined || this.windows.has(oldest)) break;
      this.views.delete(oldest);
    }
  }
}
