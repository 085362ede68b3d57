/**
 * Address-book rows → contact drafts: guessing what each CSV column holds from its header (Google
 * Contacts, Outlook, Thunderbird, and hand-made sheets in English, Hebrew and Greek), and decoding files
 * saved as UTF-8 (with or without a BOM), Windows-1255 (Hebrew) or Windows-1253 (Greek).
 */
import { notesWithNonEmails, sortEmails } from './email';
import { foldText } from './text';

export interface ContactDraft {
  name: string;
  company?: string;
  title?: string;
  phones: Array<{ label: string; raw: string }>;
  emails: string[];
  photo?: string;
  notes?: string;
  tags: string[];
}

export type ColumnKind =
  | 'ignore'
  | 'name'
  | 'firstName'
  | 'middleName'
  | 'lastName'
  /** An honorific before the name ("Dr.", "Mrs."): Outlook's "Title" beside its "Job Title". */
  | 'prefix'
  | 'suffix'
  | 'company'
  | 'title'
  | 'email'
  | 'phone'
  | 'notes'
  | 'tags';

export interface ColumnMapping {
  kind: ColumnKind;
  /** For phones: the label the number gets ("mobile", "work"…). */
  label?: string;
}

/** The end of a word in any script (JavaScript's \b only knows ASCII letters). */
const END = '(?![\\p{L}\\p{N}])';

/** Patterns are written as words are spelt; their letters are folded as headers are (accents, finals, hamza…). */
function foldPattern(pattern: string): string {
  return pattern.replace(/[\u0080-\uFFFF]+/g, (letters) => foldText(letters));
}

const PHONE_WORD = `(phone|telephone|tel|telefon|telefono|teléfono|téléphone|телефон|тел|هاتف|טלפון|τηλεφωνο)`;

/**
 * Header text → what it holds, for the headers Outlook, Google Contacts and Thunderbird write in English,
 * Hebrew, Greek, Arabic, Russian, German, French, Spanish and Italian (the export's header follows the
 * exporting program's language) and hand-made sheets. Written as spelt, folded like the headers. The first
 * pattern that matches wins.
 */
const RULES: Array<[RegExp, ColumnKind, string?]> = (
  [
    [
      `^((primary |secondary |other )?e-?mail( \\d+)?( address| - value)?|email address|דוא"?ל|דואר אלקטרוני|אימייל|מייל|ηλ\\.? ?ταχυδρομειο|ηλεκτρονικο ταχυδρομειο` +
        `|(primäre |sekundäre )?e-?mail(-adresse)?( \\d+)?(: adresse| - wert)?|adresse de messagerie|adresse (e-?mail|électronique)|courriel|e-?mail( \\d+)? - valeur` +
        `|(dirección de )?correo( electrónico)?|e-?mail( \\d+)? - valor|(indirizzo )?(posta elettronica|e-?mail)|e-?mail( \\d+)? - valore` +
        `|(адрес )?(эл\\. ?почты|электронной почты|электронная почта|эл\\. ?почта)|e-?mail( \\d+)? - значение` +
        `|(عنوان )?البريد الإلكتروني|البريد الالكتروني)$`,
      'email',
    ],
    [
      `(^|\\s)(mobile|cell|נייד|סלולרי|κινητο|mobil|mobiltelefon|handy|portable|móvil|celular|cellulare|мобильный|сотовый|جوال|الجوال|محمول|المحمول)${END}`,
      'phone',
      'mobile',
    ],
    [`^(business|work|company main|עבודה|εργασια|рабочий).*(phone|טלפונ|τηλεφωνο|телефон)`, 'phone', 'work'],
    [
      `^(?=.*${PHONE_WORD})(?=.*(geschäftlich|dienstlich|bureau|professionnel|trabajo|ufficio|lavoro|العمل)).*`,
      'phone',
      'work',
    ],
    [`^(home.*phone|טלפונ בבית|τηλεφωνο οικιας|домашний телефон)`, 'phone', 'home'],
    [`^(?=.*${PHONE_WORD})(?=.*(privat|domicile|particular|abitazione|casa|المنزل)).*`, 'phone', 'home'],
    [`(fax|פקס|φαξ|télécopie|факс|فاكس)${END}`, 'phone', 'fax'],
    [
      `^(phone|telephone|tel|טלפונ|מספר טלפונ|τηλεφωνο|τηλ|telefon|téléphone|teléfono|telefono|телефон|тел|هاتف|الهاتف|رقم الهاتف)${END}|^phone \\d+ - (value|wert|valeur|valor|valore|значение)$|^(primary|other) phone$`,
      'phone',
      'phone',
    ],
    [`^(first name|given name|שמ פרטי|ονομα|vorname|prénom|nombre|nome|имя|الاسم الأول)$`, 'firstName'],
    [
      `^(middle name|additional name|שמ אמצעי|μεσαιο ονομα|weitere vornamen|zweiter vorname|deuxième prénom|segundo nombre|secondo nome|отчество|الاسم الأوسط)$`,
      'middleName',
    ],
    [
      `^(last name|family name|surname|שמ משפחה|επωνυμο|nachname|nom|nom de famille|apellidos?|cognome|фамилия|اسم العائلة|الكنية)$`,
      'lastName',
    ],
    [
      `^(name prefix|prefix|salutation|honorific|תואר|προσφωνηση|anrede|civilité|tratamiento|обращение|اللقب)$`,
      'prefix',
    ],
    [`^(name suffix|suffix|סיומת|επιθημα|suffixe|sufijo|suffisso|суффикс|لاحقة)$`, 'suffix'],
    [
      `^(name|full name|display name|contact|שמ|שמ מלא|איש קשר|ονοματεπωνυμο|πληρες ονομα|anzeigename|vollständiger name|nom complet|nom d'affichage|nombre completo|nome completo|полное имя|фио|الاسم|الاسم الكامل)$`,
      'name',
    ],
    [
      `^(company|organization|organisation|organization name|organization 1 - name|חברה|ארגונ|שמ החברה|εταιρεια|εταιρια|οργανισμος|firma|unternehmen|société|entreprise|organización|compañía|empresa|società|azienda|organizzazione|организация|компания|الشركة|المؤسسة)$`,
      'company',
    ],
    [
      `^(job title|title|position|organization title|organization 1 - title|תפקיד|θεση|τιτλος|ιδιοτητα|arbeitstitel|berufsbezeichnung|fonction|poste|titre|puesto|cargo|título|posizione|qualifica|mansione|titolo|должность|المسمى الوظيفي|الوظيفة)$`,
      'title',
    ],
    [
      `^(notes|note|comments|הערות|הערה|σημειωσεις|σχολια|notizen|notas|заметки|примечания|ملاحظات)$`,
      'notes',
    ],
    [
      `^(labels|group membership|categories|tags|תגיות|קבוצות|ετικετες|κατηγοριες|kategorien|catégories|categorías|categorie|категории|الفئات|التصنيفات)$`,
      'tags',
    ],
  ] as Array<[string, ColumnKind, string?]>
).map(([pattern, kind, label]) => [new RegExp(foldPattern(pattern), 'u'), kind, label]);

export function guessColumn(header: string): ColumnMapping {
  const folded = foldText(header.trim()).replace(/\s+/g, ' ');
  for (const [pattern, kind, label] of RULES) if (pattern.test(folded)) return { kind, label };
  return { kind: 'ignore' };
}

/** Google's "Phone 1 - Value" takes its label from the "Phone 1 - Label" (or "- Type") column beside it. */
export function guessMapping(headers: readonly string[]): ColumnMapping[] {
  const mappings = headers.map((header): ColumnMapping => {
    const mapping = guessColumn(header);
    // "E-mail 1 - Type" / "Phone 1 - Label" columns describe their neighbours, they hold no value.
    if (/ - (type|label)$/i.test(header.trim())) return { kind: 'ignore' };
    return mapping;
  });
  // Outlook writes the honorific as "Title" (Hebrew "תואר", Greek "Τίτλος") beside its "Job Title": when a
  // file has both, the bare one is the honorific, never glued to the job title ("Dr. Position").
  const bare = (header: string) => /^(title|τιτλοσ|titre|titolo|titulo)$/u.test(foldText(header.trim()));
  const titles = mappings.filter((mapping) => mapping.kind === 'title').length;
  if (titles > 1) {
    return mappings.map((mapping, index) =>
      mapping.kind === 'title' && bare(headers[index] ?? '') ? { kind: 'prefix' } : mapping,
    );
  }
  return mappings;
}

export interface RowResult {
  draft?: ContactDraft;
  error?: string;
}

/** Google writes several values in one cell separated by " ::: ". */
function values(cell: string): string[] {
  return cell
    .split(/\s+:::\s+/)
    .map((value) => value.trim())
    .filter(Boolean);
}

export function rowToDraft(
  row: readonly string[],
  headers: readonly string[],
  mapping: readonly ColumnMapping[],
): RowResult {
  const parts: Partial<Record<ColumnKind, string[]>> = {};
  const phones: ContactDraft['phones'] = [];
  for (let index = 0; index < mapping.length; index++) {
    const column = mapping[index]!;
    const cell = row[index]?.trim() ?? '';
    if (!cell || column.kind === 'ignore') continue;
    if (column.kind === 'phone') {
      // A label column beside Google's "Phone N - Value": "Phone N - Label" or "- Type".
      const header = headers[index] ?? '';
      const valueHeader = header.toLowerCase();
      const labelColumn = headers.findIndex(
        (other) =>
          other !== header && other.toLowerCase().replace(/ - (label|type)$/, ' - value') === valueHeader,
      );
      const label =
        (labelColumn >= 0 ? row[labelColumn]?.replace(/^\*\s*/, '').trim() : '') || column.label || 'phone';
      // A value with no digit ("Handy", "Organization": a label in the wrong column) is not a phone.
      for (const raw of values(cell))
        if (/\p{Nd}/u.test(raw)) phones.push({ label: label.toLowerCase(), raw });
      continue;
    }
    parts[column.kind] = [...(parts[column.kind] ?? []), ...values(cell)];
  }
  const joined = (kind: ColumnKind, separator = ' ') => parts[kind]?.join(separator).trim() || undefined;
  const { emails, notEmails } = sortEmails(parts.email ?? []);
  const given = [joined('firstName'), joined('middleName'), joined('lastName')].filter(Boolean).join(' ');
  // Honorific and suffix frame a name made of parts, as a vCard's N does ("Dr. Max Mustermann jr.").
  const personal = given ? [joined('prefix'), given, joined('suffix')].filter(Boolean).join(' ') : '';
  const company = joined('company', ', ');
  const name = joined('name') ?? (personal || company || emails[0] || phones[0]?.raw);
  if (!name) return { error: 'no name, company, email or phone in this row' };
  const tags = (parts.tags ?? [])
    .flatMap((tag) => tag.split(/[,;]/))
    .map((tag) => tag.replace(/^\*\s*/, '').trim())
    .filter((tag) => tag && !/^mycontacts$/i.test(tag));
  return {
    draft: {
      name,
      company,
      title: joined('title'),
      phones,
      emails,
      notes: notesWithNonEmails(joined('notes', '\n'), notEmails),
      tags: [...new Set(tags)],
    },
  };
}

// A letter of the script that does not sit inside a Latin word: in a wrong decoding, a Western "ü" turns
// into a Greek or Hebrew letter glued to Latin ones ("Mόller"), while real Hebrew and Greek stand in words
// of their own. Accented Latin letters count only inside Latin words.
const HEBREW = /(?<![A-Za-z])[\u05D0-\u05EA](?![A-Za-z])/g;
const GREEK = /(?<![A-Za-z])[\u0386-\u03CE](?![A-Za-z])/g;
const WESTERN = /(?<=[A-Za-z])[\u00C0-\u00FF]|[\u00C0-\u00FF](?=[A-Za-z])/g;

/**
 * Bytes of an address-book file → text. UTF-8 when it decodes cleanly (BOM or not); UTF-16 with its BOM;
 * otherwise the legacy Windows code page whose letters make sense: 1255 for Hebrew, 1253 for Greek, 1252
 * for Western European ("ANSI" exports of Outlook and Thunderbird in German, French, Spanish…).
 */
export function decodeContactsFile(bytes: Uint8Array, forced?: string): { text: string; encoding: string } {
  if (forced) return { text: new TextDecoder(forced).decode(bytes).replace(/^\uFEFF/, ''), encoding: forced };
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes).replace(/^\uFEFF/, ''), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes).replace(/^\uFEFF/, ''), encoding: 'utf-16be' };
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''),
      encoding: 'utf-8',
    };
  } catch {
    const score = (text: string, letters: RegExp) => (text.match(letters) ?? []).length;
    const candidates = [
      { encoding: 'windows-1255', letters: HEBREW },
      { encoding: 'windows-1253', letters: GREEK },
      { encoding: 'windows-1252', letters: WESTERN },
    ].map(({ encoding, letters }) => {
      const text = new TextDecoder(encoding).decode(bytes);
      return { text, encoding, score: score(text, letters) };
    });
    // Highest score wins; a tie keeps the earlier (Hebrew first: most of our offices).
    const best = candidates.reduce((best, candidate) => (candidate.score > best.score ? candidate : best));
    return { text: best.text, encoding: best.encoding };
  }
}
