/**
 * CSV as spreadsheets and address books write it (RFC 4180 plus the usual deviations): quoted fields with
 * commas, quotes and line breaks inside, CRLF or LF, a byte-order mark, and comma, semicolon or tab as the
 * delimiter (Excel in Hebrew and Greek locales writes semicolons). Incremental: feed text in chunks.
 */

export class CsvError extends Error {
  constructor(
    message: string,
    readonly row: number,
  ) {
    super(message);
  }
}

export function detectDelimiter(firstLine: string): string {
  const counts = [',', ';', '\t'].map((delimiter) => {
    let count = 0;
    let quoted = false;
    for (const char of firstLine) {
      if (char === '"') quoted = !quoted;
      else if (char === delimiter && !quoted) count++;
    }
    return [delimiter, count] as const;
  });
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

export class CsvParser {
  private field = '';
  private row: string[] = [];
  private quoted = false;
  /** The last character was the closing quote of a quoted field (or an escaped quote's first half). */
  private afterQuote = false;
  private started = false;
  private rowNumber = 1;
  private delimiter: string | undefined;
  private pendingCR = false;

  constructor(
    private readonly onRow: (row: string[], rowNumber: number) => void,
    delimiter?: string,
  ) {
    this.delimiter = delimiter;
  }

  feed(text: string): void {
    let input = text;
    if (!this.started) {
      input = input.replace(/^\uFEFF/, '');
      if (input.length === 0) return;
      this.started = true;
      if (!this.delimiter) {
        const end = input.search(/\r?\n/);
        this.delimiter = detectDelimiter(end < 0 ? input : input.slice(0, end));
      }
    }
    const delimiter = this.delimiter!;
    for (let index = 0; index < input.length; index++) {
      const char = input[index]!;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (char === '\n') continue;
      }
      if (this.quoted) {
        if (char === '"') {
          this.quoted = false;
          this.afterQuote = true;
        } else {
          this.field += char;
        }
        continue;
      }
      if (char === '"') {
        if (this.afterQuote) {
          // "" inside a quoted field: one literal quote, still inside.
          this.field += '"';
          this.quoted = true;
          this.afterQuote = false;
        } else if (this.field.trim() === '') {
          this.field = '';
          this.quoted = true;
        } else {
          this.field += char; // a stray quote inside an unquoted field: keep it
        }
        continue;
      }
      this.afterQuote = false;
      if (char === delimiter) {
        this.row.push(this.field);
        this.field = '';
      } else if (char === '\n' || char === '\r') {
        this.endRow();
        if (char === '\r') this.pendingCR = true;
      } else {
        this.field += char;
      }
    }
  }

  /** Flush the last row; an unclosed quote is an error that names the row where it began. */
  end(): void {
    if (this.quoted)
      throw new CsvError(`row ${this.rowNumber}: a quoted field is never closed`, this.rowNumber);
    if (this.field !== '' || this.row.length > 0) this.endRow();
  }

  private endRow(): void {
    this.row.push(this.field);
    this.field = '';
    this.afterQuote = false;
    const row = this.row;
    this.row = [];
    const number = this.rowNumber++;
    if (row.length === 1 && row[0]!.trim() === '') return; // blank line
    this.onRow(row, number);
  }
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const parser = new CsvParser((row) => rows.push(row));
  parser.feed(text);
  parser.end();
  return rows;
}

export function csvField(value: string): string {
  return /[",\r\n;]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
