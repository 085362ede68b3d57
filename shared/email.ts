/**
 * Email addresses: their domain, whether it is a free-mail provider, and the company a work address
 * suggests. Kept apart from the text parsers so the pop page and the database layer stay small.
 */

const FREE_MAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'hotmail.com',
  'hotmail.co.il',
  'hotmail.co.uk',
  'hotmail.gr',
  'outlook.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.gr',
  'ymail.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'mail.com',
  'mail.ru',
  'yandex.com',
  'yandex.ru',
  'zoho.com',
  'fastmail.com',
  'hey.com',
  'tutanota.com',
  'walla.co.il',
  'walla.com',
  'zahav.net.il',
  'netvision.net.il',
  'bezeqint.net',
  '012.net.il',
  'otenet.gr',
  'freemail.gr',
  'in.gr',
  'free.fr',
  'orange.fr',
  'libero.it',
  'qq.com',
  '163.com',
]);
/** Providers with many country domains (yahoo.co.jp, outlook.fr…). */
const FREE_MAIL_BRANDS =
  /^(?:gmail|googlemail|hotmail|outlook|live|yahoo|ymail|aol|gmx|yandex|protonmail|icloud)$/;
/** Second-level public suffixes common among our users: the company is the label before them. */
const TWO_LEVEL_SUFFIX =
  /\.(?:co|org|net|ac|gov|muni|k12|com|edu|ltd|plc|gen|biz)\.(?:il|uk|gr|au|nz|za|jp|br|in|tr|cy)$/;

export function emailDomain(email: string): string {
  return (email.split('@')[1] ?? '').trim().toLowerCase();
}

export function isFreeMail(email: string): boolean {
  const domain = emailDomain(email);
  if (FREE_MAIL.has(domain)) return true;
  const brand = domain.split('.')[0] ?? '';
  return FREE_MAIL_BRANDS.test(brand);
}

/** Names reserved for examples and tests (RFC 2606, RFC 6761): nobody's company. */
const RESERVED_DOMAIN = /(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost)$/;

/** "dana@mail.acme-tools.co.il" → "Acme Tools"; never a company for a free-mail address. */
export function companyFromEmail(email: string): string | undefined {
  const domain = emailDomain(email);
  if (!domain.includes('.') || isFreeMail(email) || RESERVED_DOMAIN.test(domain)) return undefined;
  const withoutSuffix = TWO_LEVEL_SUFFIX.test(domain)
    ? domain.replace(TWO_LEVEL_SUFFIX, '')
    : domain.replace(/\.[^.]+$/, '');
  const label = withoutSuffix.split('.').pop() ?? '';
  if (!label || /^\d+$/.test(label)) return undefined;
  return label
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u;

/**
 * An address as address books write it → the address, or undefined when it is not one. Takes off
 * `mailto:` and a display name (`Dana Levi <dana@acme.co.il>`); an address needs one `@` and a domain with a
 * dot. One rule for every import (CSV, vCard) and capture.
 */
export function parseEmailAddress(raw: string): string | undefined {
  let text = raw.trim();
  // A mailto: link's query (`?subject=…`) is not part of the address.
  if (/^mailto:/i.test(text)) text = text.slice(7).split('?')[0] ?? '';
  const open = text.lastIndexOf('<');
  if (open >= 0 && text.endsWith('>')) text = text.slice(open + 1, -1);
  text = text.trim();
  return text.length <= 254 && ADDRESS.test(text) ? text : undefined;
}

/**
 * Emails of one contact, split into addresses and values that are not addresses. The latter are never
 * dropped: the importers keep them in the card's notes (see `notesWithNonEmails`).
 */
export function sortEmails(values: readonly string[]): { emails: string[]; notEmails: string[] } {
  const emails: string[] = [];
  const notEmails: string[] = [];
  for (const value of values) {
    if (!value.trim()) continue;
    const address = parseEmailAddress(value);
    if (address) emails.push(address);
    else notEmails.push(value.trim());
  }
  return { emails: [...new Set(emails)], notEmails };
}

/** A contact's notes with the email values that were not addresses appended, so nothing typed is lost. */
export function notesWithNonEmails(
  notes: string | undefined,
  notEmails: readonly string[],
): string | undefined {
  if (notEmails.length === 0) return notes;
  const kept = notEmails.map((value) => `Email (not an address): ${value}`).join('\n');
  return notes ? `${notes}\n${kept}` : kept;
}
