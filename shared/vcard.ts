/**
 * vCard 2.1 / 3.0 / 4.0 (RFC 6350) in and out: several cards per file, folded lines, escapes, quoted-
 * printable (old phones), labelled phones and emails, photos inline (base64 or data: URI).
 */
import type { ContactDraft } from './contacts';
import { notesWithNonEmails, sortEmails } from './email';

export class VCardError extends Error {}

interface Property {
  name: string;
  params: Record<string, string[]>;
  value: string;
}

function unfold(text: string): string[] {
  // RFC 6350 §3.2: a line break followed by a space or tab continues the line.
  const lines = text
    .replace(/\r\n|\r/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n');
  // vCard 2.1 quoted-printable: a line ending in "=" (a soft line break) continues on the next, but only in
  // a quoted-printable property: a base64 photo ends in "=" too, and must not swallow END:VCARD.
  const out: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!;
    const head = line.slice(0, Math.max(0, line.indexOf(':')));
    if (/quoted-printable/i.test(head)) {
      while (line.endsWith('=') && index + 1 < lines.length && !/^END:VCARD/i.test(lines[index + 1]!))
        line = `${line}\n${lines[++index]}`;
    }
    out.push(line);
  }
  return out;
}

function parseProperty(line: string): Property | null {
  let quoted = false;
  let colon = -1;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '"') quoted = !quoted;
    else if (char === ':' && !quoted) {
      colon = index;
      break;
    }
  }
  if (colon <= 0) return null;
  const [rawName, ...rawParams] = line.slice(0, colon).split(';');
  const name = rawName!.replace(/^item\d+\./i, '').toUpperCase();
  const params: Record<string, string[]> = {};
  for (const param of rawParams) {
    const equals = param.indexOf('=');
    // vCard 2.1 writes bare types: TEL;CELL;VOICE:…
    const key = (equals < 0 ? 'TYPE' : param.slice(0, equals)).toUpperCase();
    const values = (equals < 0 ? param : param.slice(equals + 1)).replace(/^"|"$/g, '').split(',');
    // Pushed, not spread: a line of thousands of ";" (one bare TYPE each) stays linear.
    const list = params[key] ?? [];
    for (const value of values) list.push(value.trim());
    params[key] = list;
  }
  let value = line.slice(colon + 1);
  if (params.ENCODING?.some((encoding) => /^quoted-printable$/i.test(encoding))) {
    value = decodeQuotedPrintable(value, params.CHARSET?.[0]);
  }
  return { name, params, value };
}

function decodeQuotedPrintable(value: string, charset = 'utf-8'): string {
  const bytes: number[] = [];
  const text = value.replace(/=\n/g, '');
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(index + 1, index + 3))) {
      bytes.push(Number.parseInt(text.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(text.charCodeAt(index) & 0xff);
    }
  }
  try {
    return new TextDecoder(charset).decode(new Uint8Array(bytes));
  } catch {
    return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
  }
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? '\n' : char));
}

/** Split on unescaped separators (N and ORG are ;-lists, CATEGORIES a ,-list). */
function splitUnescaped(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (char === '\\' && index + 1 < value.length) {
      current += char + value[index + 1];
      index++;
    } else if (char === separator) {
      parts.push(unescapeText(current));
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(unescapeText(current));
  return parts;
}

/** The most telling type first: a "HOME,FAX" number is a fax. */
const LABELS: Array<[string, string]> = [
  ['CELL', 'mobile'],
  ['IPHONE', 'mobile'],
  ['FAX', 'fax'],
  ['PAGER', 'pager'],
  ['MAIN', 'main'],
  ['WORK', 'work'],
  ['HOME', 'home'],
  ['OTHER', 'other'],
];

function labelOf(params: Record<string, string[]>): string {
  const types = (params.TYPE ?? [])
    .map((type) => type.toUpperCase())
    .filter((type) => type !== 'VOICE' && type !== 'PREF' && type !== 'INTERNET');
  for (const [type, label] of LABELS) if (types.includes(type)) return label;
  return types[0]?.toLowerCase() ?? 'phone';
}

function photoOf(property: Property): string | undefined {
  const value = property.value.trim();
  if (value.startsWith('data:')) return value;
  const encoding = property.params.ENCODING?.[0]?.toUpperCase();
  // Apple writes the encoding as a bare parameter: PHOTO;BASE64:… (read as a TYPE here).
  const types = (property.params.TYPE ?? []).map((type) => type.toUpperCase());
  if (encoding === 'B' || encoding === 'BASE64' || types.includes('BASE64')) {
    const type = (property.params.TYPE?.find((item) => !/^(base64|b)$/i.test(item)) ?? 'jpeg')
      .toLowerCase()
      .replace(/^image\//, '');
    return `data:image/${type};base64,${value.replace(/\s/g, '')}`;
  }
  return undefined; // a URL: Kesher never fetches from the network
}

export function parseVCards(text: string): { cards: ContactDraft[]; errors: string[] } {
  const cards: ContactDraft[] = [];
  const errors: string[] = [];
  let current: Property[] | null = null;
  let index = 0;
  for (const line of unfold(text)) {
    if (line.trim() === '') continue;
    const property = parseProperty(line);
    if (!property) continue;
    if (property.name === 'BEGIN' && /^vcard$/i.test(property.value.trim())) {
      if (current) errors.push(`card ${index + 1}: BEGIN:VCARD inside another card`);
      current = [];
      continue;
    }
    if (property.name === 'END' && /^vcard$/i.test(property.value.trim())) {
      if (!current) continue;
      index++;
      const draft = toDraft(current);
      if (draft) cards.push(draft);
      else errors.push(`card ${index}: no name, organisation, phone or email`);
      current = null;
      continue;
    }
    current?.push(property);
  }
  if (current) errors.push(`card ${index + 1}: the file ends before END:VCARD`);
  return { cards, errors };
}

function toDraft(properties: Property[]): ContactDraft | null {
  const first = (name: string) => properties.find((property) => property.name === name);
  const fn = first('FN') ? unescapeText(first('FN')!.value).trim() : '';
  const n = first('N') ? splitUnescaped(first('N')!.value, ';') : [];
  const fromN = [n[3], n[1], n[2], n[0], n[4]]
    .filter((part) => part?.trim())
    .join(' ')
    .trim();
  const org = first('ORG') ? splitUnescaped(first('ORG')!.value, ';').filter(Boolean).join(', ') : '';
  const phones = properties
    .filter((property) => property.name === 'TEL')
    .map((property) => ({
      label: labelOf(property.params),
      raw: unescapeText(property.value).replace(/^tel:/i, '').trim(),
    }))
    .filter((phone) => phone.raw !== '');
  const { emails, notEmails } = sortEmails(
    properties
      .filter((property) => property.name === 'EMAIL')
      .map((property) => unescapeText(property.value)),
  );
  const name = fn || fromN || org || emails[0] || phones[0]?.raw || '';
  if (!name) return null;
  const photo = first('PHOTO') ? photoOf(first('PHOTO')!) : undefined;
  const note = first('NOTE') ? unescapeText(first('NOTE')!.value) : undefined;
  const tags = properties
    .filter((property) => property.name === 'CATEGORIES')
    .flatMap((property) => splitUnescaped(property.value, ','))
    .map((tag) => tag.trim())
    .filter(Boolean);
  return {
    name,
    company: org || undefined,
    title: first('TITLE') ? unescapeText(first('TITLE')!.value).trim() || undefined : undefined,
    phones,
    emails,
    photo,
    notes: notesWithNonEmails(note, notEmails),
    tags,
  };
}

function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

/** Lines longer than 75 octets are folded (RFC 6350 §3.2), never inside a UTF-8 character. */
function fold(line: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const char of line) {
    if (encoder.encode(current + char).length > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
    }
    current += char;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const TYPE_OF: Record<string, string> = {
  mobile: 'CELL',
  home: 'HOME',
  work: 'WORK',
  fax: 'FAX',
  main: 'MAIN',
};

export function toVCard(contact: ContactDraft): string {
  const lines = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `FN:${escapeText(contact.name)}`,
    `N:${escapeText(contact.name)};;;;`,
  ];
  if (contact.company) lines.push(`ORG:${escapeText(contact.company)}`);
  if (contact.title) lines.push(`TITLE:${escapeText(contact.title)}`);
  for (const phone of contact.phones) {
    const type = TYPE_OF[phone.label.toLowerCase()] ?? 'VOICE';
    lines.push(`TEL;TYPE=${type}:${escapeText(phone.raw)}`);
  }
  for (const email of contact.emails) lines.push(`EMAIL;TYPE=INTERNET:${escapeText(email)}`);
  if (contact.tags.length > 0) lines.push(`CATEGORIES:${contact.tags.map(escapeText).join(',')}`);
  if (contact.notes) lines.push(`NOTE:${escapeText(contact.notes)}`);
  const photo = /^data:image\/([a-z]+);base64,(.*)$/i.exec(contact.photo ?? '');
  if (photo) lines.push(`PHOTO;ENCODING=b;TYPE=${photo[1]!.toUpperCase()}:${photo[2]}`);
  lines.push('END:VCARD');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
