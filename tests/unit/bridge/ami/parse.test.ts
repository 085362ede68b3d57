import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AmiMessage, AmiParser, field, MAX_MESSAGE_BYTES } from '../../../../bridge/sources/ami/parse';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/ami', name));

function collect(chunks: Array<Buffer | string>) {
  const messages: AmiMessage[] = [];
  const errors: string[] = [];
  let banner = '';
  const parser = new AmiParser({
    banner: (text) => {
      banner = text;
    },
    message: (message) => messages.push(message),
    error: (reason) => errors.push(reason),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return { messages, errors, banner };
}

function split(data: Buffer, size: (index: number) => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0, index = 0; offset < data.length; index++) {
    const length = Math.max(1, size(index));
    chunks.push(data.subarray(offset, offset + length));
    offset += length;
  }
  return chunks;
}

describe('AMI parser', () => {
  it.each(['answered.raw', 'missed-caller-cancel.raw', 'originate.raw'])(
    '%s parses the same in one piece, byte by byte, and in odd chunks',
    (name) => {
      const data = fixture(name);
      const whole = collect([data]);
      expect(whole.banner).toBe('Asterisk Call Manager/9.0.0');
      expect(whole.errors).toEqual([]);
      expect(whole.messages.length).toBeGreaterThan(20);
      expect(collect(split(data, () => 1)).messages).toEqual(whole.messages);
      expect(collect(split(data, (index) => (index * 7919) % 97)).messages).toEqual(whole.messages);
    },
  );

  it('keeps a UTF-8 name whole when a chunk splits its bytes', () => {
    const message = Buffer.from(
      'Asterisk Call Manager/9.0.0\r\nEvent: Newchannel\r\nCallerIDName: דנה לוי Ελένη\r\n\r\n',
    );
    for (let cut = 1; cut < message.length; cut++) {
      const { messages } = collect([message.subarray(0, cut), message.subarray(cut)]);
      expect(field(messages[0]!, 'CallerIDName')).toBe('דנה לוי Ελένη');
    }
  });

  it('keeps every value of a repeated key', () => {
    const { messages } = collect([
      'Asterisk Call Manager/9.0.0\r\nEvent: X\r\nVariable: a=1\r\nVariable: b=2\r\n\r\n',
    ]);
    expect(messages[0]!.Variable).toEqual(['a=1', 'b=2']);
    expect(field(messages[0]!, 'Variable')).toBe('a=1');
  });

  it('reports a 1 MB line, skips it, and reads the next message', () => {
    const huge = `Asterisk Call Manager/9.0.0\r\nEvent: Huge\r\nValue: ${'x'.repeat(1024 * 1024)}\r\n\r\nEvent: After\r\n\r\n`;
    const { messages, errors } = collect(split(Buffer.from(huge), () => 4096));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(String(MAX_MESSAGE_BYTES));
    expect(messages.map((message) => field(message, 'Event'))).toEqual(['After']);
  });

  it('survives garbage and a stream without a banner', () => {
    const { messages, errors } = collect([
      'Response: Success\r\n\r\n\x00\x01 garbage line\r\nEvent: Hangup\r\n\r\n',
    ]);
    expect(errors[0]).toMatch(/banner/);
    expect(messages.map((message) => field(message, 'Response') ?? field(message, 'Event'))).toEqual([
      'Success',
      'Hangup',
    ]);
  });
});
