/**
 * What every feature's worker side is given: the worker's one database handle, the live settings, a log,
 * and one "cards changed" signal that open pops, pages, chips and side panels follow.
 */
import type { PhoneOptions } from '../../shared/phone';
import { createDb, type KesherDb } from '../db/db';
import { broadcast } from '../doors/page';
import { installSettings } from '../features/settings/worker';

export interface WorkerContext {
  db: KesherDb;
  log(message: string): void;
  /** The phone options in force (default country, outside-line prefix); read once `ready` settles. */
  phone(): PhoneOptions;
  /** This user's own extensions (empty: takes every call). */
  myExtensions(): string[];
  /** Settings read from storage: the link connects, pops pop and numbers parse only after it. */
  ready: Promise<unknown>;
  /** Run after this user's extensions changed (the bridge learns them in the hello). */
  onExtensionsChanged(listener: () => void): void;
  /** Cards, tasks or interactions changed: everything that shows them follows. */
  changed(cardId?: string): Promise<void>;
  onChanged(listener: (cardId?: string) => Promise<void> | void): void;
  /** The database was written without anything on screen to refresh (the call log): the outbox may grow. */
  written(): void;
  onWritten(listener: () => void): void;
  /** A call is ringing here: the pop's lookup goes first. */
  ringing(): void;
  /** Resolves once no call has rung for a moment: background writes (office sync) wait for it. */
  afterRinging(): Promise<void>;
}

/** How long after a call rang background writes keep off the cards table (the pop takes ~100–250 ms). */
const RING_QUIET_MS = 600;

/** A call rang: background writes wait until none has rung for RING_QUIET_MS. */
export class RingGate {
  private rangAt = Number.NEGATIVE_INFINITY;

  ringing(): void {
    this.rangAt = performance.now();
  }

  async quiet(): Promise<void> {
    for (let left = this.rangAt + RING_QUIET_MS - performance.now(); left > 0; ) {
      await new Promise((resolve) => setTimeout(resolve, left));
      left = this.rangAt + RING_QUIET_MS - performance.now();
    }
  }
}

export function createWorkerContext(): WorkerContext {
  const log = (message: string) => console.warn(`[kesher] ${message}`);
  // Opened once and kept: the bridge's keep-alive keeps this worker, so ring-time lookups stay warm.
  const db = createDb();
  void db.open().catch((error: Error) => log(`database failed to open: ${error.message}`));
  const settings = installSettings();
  const listeners: Array<(cardId?: string) => Promise<void> | void> = [];
  const writeListeners: Array<() => void> = [];
  const written = () => {
    for (const listener of writeListeners) listener();
  };
  const gate = new RingGate();
  return {
    db,
    log,
    phone: settings.phone,
    myExtensions: settings.myExtensions,
    ready: settings.ready,
    onExtensionsChanged: settings.onExtensionsChanged,
    async changed(cardId) {
      for (const listener of listeners) {
        try {
          await listener(cardId);
        } catch (error) {
          log(`after a change: ${(error as Error).message}`);
        }
      }
      broadcast('dataChanged', { cardId });
      written();
    },
    onChanged: (listener) => void listeners.push(listener),
    written,
    onWritten: (listener) => void writeListeners.push(listener),
    ringing: () => gate.ringing(),
    afterRinging: () => gate.quiet(),
  };
}
