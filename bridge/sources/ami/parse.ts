/**
 * AMI wire format: "Key: Value" lines, a blank line ends a message, the server's first line is a banner.
 * Pure and incremental: feed it chunks of any size (UTF-8 split across chunks included) and it hands out
 * whole messages. A message larger than the limit is reported and skipped, never buffered without end.
 */
import { StringDecoder } from 'node:string_decoder';

/** Repeated keys (Variable, ChanVariable…) keep every value, in order. */
export type AmiMessage = Record<string, string | string[]>;

export const MAX_MESSAGE_BYTES = 64 * 1024;

export interface AmiParserEvents {
  banner(text: string): void;
  message(message: AmiMessage): void;
  error(reason: string): void;
}

export function field(message: AmiMessage, key: string): string | undefined {
  const value = message[key];
  return Array.isArray(value) ? value[0] : value;
}

export function parseBlock(block: string): AmiMessage {
  const message: AmiMessage = {};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trimStart();
    const existing = message[key];
    if (existing === undefined) message[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else message[key] = [existing, value];
  }
  return message;
}

export class AmiParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private sawBanner = false;
  /** Skipping the rest of an oversized message, up to its blank line. */
  private discarding = false;

  constructor(private readonly on: AmiParserEvents) {}

  feed(chunk: Buffer | string): void {
    // Asterisk ends lines with CRLF; a bare LF is accepted too. Values never hold a CR.
    const text = (typeof chunk === 'string' ? chunk : this.decoder.write(chunk)).replaceAll('\r', '');
    this.pending += text;
    if (!this.sawBanner) {
      const newline = this.pending.indexOf('\n');
      if (newline < 0) {
        this.checkSize();
        return;
      }
      const first = this.pending.slice(0, newline);
      if (first.includes(':') && !first.startsWith('Asterisk Call Manager')) {
        this.on.error(`expected the AMI banner, got "${first.slice(0, 80)}"`);
      } else {
        this.on.banner(first);
        this.pending = this.pending.slice(newline + 1);
      }
      this.sawBanner = true;
    }
    let start = 0;
    for (;;) {
      const end = this.pending.indexOf('\n\n', start);
      if (end < 0) break;
      const block = this.pending.slice(start, end);
      start = end + 2;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (block.trim() === '') continue;
      if (block.length > MAX_MESSAGE_BYTES) {
        this.on.error(`AMI message of ${block.length} bytes exceeds ${MAX_MESSAGE_BYTES}; skipped`);
        continue;
      }
      this.on.message(parseBlock(block));
    }
    this.pending = this.pending.slice(start);
    this.checkSize();
  }

  private checkSize(): void {
    if (this.pending.length <= MAX_MESSAGE_BYTES) return;
    this.on.error(`AMI message exceeds ${MAX_MESSAGE_BYTES} bytes without an end; skipped`);
    this.pending = '';
    this.discarding = true;
  }
}
