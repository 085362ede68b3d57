/** What every phone-system source and the bridge agree on. */
import type { CallEventInput, CallSnapshot } from '../../shared/protocol';

/** A source's state, for /health and the doctor. */
export interface SourceStatus {
  name: string;
  state: string;
  detail?: string;
}

/** What a source reports into. */
export interface SourceHooks {
  ingest(event: CallEventInput): void;
  status(status: SourceStatus): void;
  warn(message: string): void;
}

/** Places a call from the user's own phone (click-to-call); provided by a source that can, like AMI. */
export type Dialer = (
  number: string,
  extension: string,
) => Promise<{ ok: boolean; message: string; callId?: string }>;

export interface IngestResult {
  call: CallSnapshot;
  changed: boolean;
  seq?: number;
}
