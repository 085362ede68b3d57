import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeContactsFile, guessColumn, guessMapping, rowToDraft } from '../../../shared/contacts';
import { CsvError, parseCsv, toCsv } from '../../../shared/csv';
import { parseVCards, toVCard } from '../../../shared/vcard';

const fixture = (folder: string, name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures', folder, name));

function importCsv(text: string) {
  const [headers, ...rows] = parseCsv(text);
  const mapping = guessMapping(headers!);
  return rows.map((row) => rowToDraft(row, headers!, mapping));
}

describe('CSV', () => {
  it.each([
    [
      'a,b\r\n1,2\r\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      '\uFEFFa;b\n"x;y";"say ""hi"""\n',
      [
        ['a', 'b'],
        ['x;y', 'say "hi"'],
      ],
    ],
    [
      'a\tb\n1\t"two\nlines"\n\n',
      [
        ['a', 'b'],
        ['1', 'two\nlines'],
      ],
    ],
    [
      'a,b\n1,\n',
      [
        ['a', 'b'],
        ['1', ''],
      ],
    ],
  ])('%j', (text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });

  it('names the row of an unclosed quote', () => {
    expect(() => parseCsv('a,b\n1,2\n3,"never closed\n')).toThrow(CsvError);
    expect(() => parseCsv('a,b\n1,2\n3,"never closed\n')).toThrow(/row 3/);
  });

  it('writes what it reads', () => {
    const rows = [
      ['name', 'note'],
      ['דנה, לוי', 'said "hi"\nand left'],
      [' padded ', ''],
    ];
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });
});

describe('column guessing', () => {
  it.each([
    ['First Name', 'firstName'],
    ['Family Name', 'lastName'],
    ['שם פרטי', 'firstName'],
    ['שם משפחה', 'lastName'],
    ['שם', 'name'],
    ['טלפון נייד', 'phone'],
    ['נייד', 'phone'],
    ['דוא"ל', 'email'],
    ['חברה', 'company'],
    ['תפקיד', 'title'],
    ['Όνομα', 'firstName'],
    ['Επώνυμο', 'lastName'],
    ['Κινητό', 'phone'],
    ['Τηλέφωνο', 'phone'],
    ['Εταιρεία', 'company'],
    // Greek words ending in a final sigma (ς folds to σ).
    ['Οργανισμός', 'company'],
    ['Σημειώσεις', 'notes'],
    ['Ετικέτες', 'tags'],
    ['Κατηγορίες', 'tags'],
    ['Name Prefix', 'prefix'],
    ['Suffix', 'suffix'],
    ['E-mail Address', 'email'],
    ['Mobile Phone', 'phone'],
    ['Business Phone', 'phone'],
    ['Phone 1 - Value', 'phone'],
    ['Organization Name', 'company'],
    ['Favourite colour', 'ignore'],
  ])('%s → %s', (header, kind) => {
    expect(guessColumn(header).kind).toBe(kind);
  });
});

describe('real address-book exports', () => {
  it('Outlook 365', () => {
    const [first] = importCsv(fixture('csv', 'Outlook365.csv').toString('utf8'));
    expect(first?.draft).toMatchObject({
      name: 'Anita Jorgensen',
      company: 'Contoso',
      emails: ['Anita@contoso.com'],
    });
    expect(first?.draft?.phones).toContainEqual({ label: 'work', raw: '555-555-1212' });
  });

  it('Outlook\'s honorific "Title" frames the name and is never glued to the job title', () => {
    const [first] = importCsv(fixture('csv', 'GoogleCreatedOutlook.csv').toString('latin1'));
    expect(first?.draft).toMatchObject({
      name: 'Dr. Max Middle Name Mustermann jr.',
      title: 'Position',
      company: 'Firma',
    });
    // A hand-made sheet's lone "Title" is still the job title.
    expect(importCsv('Name,Title\r\nDana,Sales manager\r\n')[0]?.draft?.title).toBe('Sales manager');
    // Hebrew and Greek Outlook headers too.
    expect(importCsv('תואר,שם פרטי,שם משפחה,תפקיד\r\nד"ר,דנה,לוי,מנהלת\r\n')[0]?.draft).toMatchObject({
      name: 'ד"ר דנה לוי',
      title: 'מנהלת',
    });
    expect(importCsv('Τίτλος,Όνομα,Επώνυμο,Θέση\r\nΔρ.,Ελένη,Παππά,Διευθύντρια\r\n')[0]?.draft).toMatchObject(
      {
        name: 'Δρ. Ελένη Παππά',
        title: 'Διευθύντρια',
      },
    );
  });

  it('Google (old export, ::: multi-values)', () => {
    const results = importCsv(fixture('csv', 'Google.csv').toString('utf8'));
    const draft = results[0]!.draft!;
    expect(draft.name).toBe('Dr. Max Middle Name Mustermann jr.');
    expect(draft.emails).toContain('privat@folker-kinzel.de');
    expect(draft.emails).toContain('business2@folker.de');
    expect(draft.notes).toContain('ÄÄÄÄÄÄ');
  });

  it('Thunderbird in German: every column guessed from its German header', () => {
    const [headers, row] = parseCsv(fixture('csv', 'ThunderbirdUtf8.csv').toString('utf8'));
    const { draft } = rowToDraft(row!, headers!, guessMapping(headers!));
    expect(draft).toMatchObject({
      name: 'Dr. Max Middle Name Mustermann jr.',
      emails: ['privat@folker-kinzel.de', 'business@folker-kinzel.de'],
      company: 'Firma',
      title: 'Position',
      notes: 'Kommentar für Maxl',
    });
  });

  it('a phone written in Arabic-Indic digits is a phone', () => {
    const [row] = importCsv('الاسم,الجوال\r\nأحمد,٠٥٤-٣٣٣-٣٣٣٣\r\n');
    expect(row?.draft?.phones).toEqual([{ label: 'mobile', raw: '٠٥٤-٣٣٣-٣٣٣٣' }]);
  });

  it.each([
    // Outlook, Google Contacts and Thunderbird headers as each language's version writes them.
    [
      'de',
      [
        'Vorname',
        'Nachname',
        'Anrede',
        'Firma',
        'Position',
        'E-Mail-Adresse',
        'Telefon geschäftlich',
        'Mobiltelefon',
        'Notizen',
        'Kategorien',
      ],
    ],
    [
      'fr',
      [
        'Prénom',
        'Nom',
        'Civilité',
        'Société',
        'Fonction',
        'Adresse de messagerie',
        'Téléphone bureau',
        'Tél. mobile',
        'Notes',
        'Catégories',
      ],
    ],
    [
      'es',
      [
        'Nombre',
        'Apellidos',
        'Tratamiento',
        'Organización',
        'Puesto',
        'Dirección de correo electrónico',
        'Teléfono del trabajo',
        'Móvil',
        'Notas',
        'Categorías',
      ],
    ],
    [
      'it',
      [
        'Nome',
        'Cognome',
        'Titolo',
        'Società',
        'Posizione',
        'Indirizzo posta elettronica',
        'Telefono ufficio',
        'Cellulare',
        'Note',
        'Categorie',
      ],
    ],
    [
      'ru',
      [
        'Имя',
        'Фамилия',
        'Обращение',
        'Организация',
        'Должность',
        'Адрес эл. почты',
        'Рабочий телефон',
        'Мобильный телефон',
        'Заметки',
        'Категории',
      ],
    ],
    [
      'ar',
      [
        'الاسم الأول',
        'اسم العائلة',
        'اللقب',
        'الشركة',
        'المسمى الوظيفي',
        'عنوان البريد الإلكتروني',
        'هاتف العمل',
        'الهاتف المحمول',
        'ملاحظات',
        'الفئات',
      ],
    ],
  ] as const)('%s export headers', (_language, headers) => {
    expect(guessMapping(headers).map((mapping) => [mapping.kind, mapping.label])).toEqual([
      ['firstName', undefined],
      ['lastName', undefined],
      ['prefix', undefined],
      ['company', undefined],
      ['title', undefined],
      ['email', undefined],
      ['phone', 'work'],
      ['phone', 'mobile'],
      ['notes', undefined],
      ['tags', undefined],
    ]);
  });

  it('a Hebrew sheet saved as Windows-1255 with Hebrew headers', () => {
    const text = 'שם פרטי,שם משפחה,נייד,דוא"ל,חברה\r\nנועה,כהן,054-765-4321,noa@example.co.il,פרדס\r\n';
    const encoded = encodeWindows1255(text);
    const decoded = decodeContactsFile(encoded);
    expect(decoded.encoding).toBe('windows-1255');
    const [row] = importCsv(decoded.text);
    expect(row?.draft).toMatchObject({
      name: 'נועה כהן',
      company: 'פרדס',
      emails: ['noa@example.co.il'],
      phones: [{ label: 'mobile', raw: '054-765-4321' }],
    });
  });

  it.each([
    [
      'German',
      'First Name;Last Name;E-mail Address\r\nJürgen;Müller;juergen@example.de\r\nÄnne;Größ;a@example.de\r\n',
      'Jürgen Müller',
    ],
    [
      'French',
      'First Name;Last Name;Company\r\nFrançois;Lefèvre;Crème & Brûlée SARL\r\n',
      'François Lefèvre',
    ],
  ])('a %s "ANSI" export (Windows-1252) is read as Windows-1252', (_language, text, name) => {
    const decoded = decodeContactsFile(encodeWith(text, 'windows-1252'));
    expect(decoded.encoding).toBe('windows-1252');
    expect(decoded.text).toBe(text);
    expect(importCsv(decoded.text)[0]?.draft?.name ?? '').toContain(name.split(' ')[0]);
  });

  it('UTF-16 with its byte-order mark', () => {
    const text = 'Name,Phone\r\nנועה כהן,054-765-4321\r\n';
    const body = new Uint8Array(text.length * 2);
    for (let index = 0; index < text.length; index++) {
      body[index * 2] = text.charCodeAt(index) & 0xff;
      body[index * 2 + 1] = text.charCodeAt(index) >> 8;
    }
    const decoded = decodeContactsFile(new Uint8Array([0xff, 0xfe, ...body]));
    expect(decoded).toEqual({ text, encoding: 'utf-16le' });
  });

  it('a phone column holding words ("Handy", "Organization") gives no phone', () => {
    const [row] = importCsv('Name,Phone 1 - Value,Phone 2 - Value\r\nDana Levi,Handy,054-765-4321\r\n');
    expect(row?.draft?.phones.map((phone) => phone.raw)).toEqual(['054-765-4321']);
  });

  it('a Greek sheet saved as Windows-1253', () => {
    const decoded = decodeContactsFile(
      encodeWindows1253('Όνομα;Επώνυμο;Κινητό\r\nΕλένη;Παππά;6912345678\r\n'),
    );
    expect(decoded.encoding).toBe('windows-1253');
    expect(importCsv(decoded.text)[0]?.draft).toMatchObject({
      name: 'Ελένη Παππά',
      phones: [{ raw: '6912345678' }],
    });
  });

  it('reports a row without anything to make a card of', () => {
    const results = importCsv('Name,Email\r\n,x@y.z\r\n,\r\n');
    expect(results.map((result) => result.error)).toEqual([
      undefined,
      'no name, company, email or phone in this row',
    ]);
  });

  it('one email rule for CSV and vCard: a value that is not an address is kept in the notes, never lost or a reason to lose the card', () => {
    const [csv] = importCsv('Name,Email,Notes\r\nDana,not-an-email,VIP\r\n');
    const { cards } = parseVCards(
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana\r\nEMAIL:not-an-email\r\nNOTE:VIP\r\nEND:VCARD\r\n',
    );
    for (const draft of [csv!.draft!, cards[0]!]) {
      expect(draft.emails).toEqual([]);
      expect(draft.notes).toBe('VIP\nEmail (not an address): not-an-email');
    }
    // The same addresses are taken by both: display names and mailto: come off, a domain needs a dot.
    const values = [
      'Dana Levi <dana@acme.co.il>',
      'mailto:noa@acme.co.il',
      'x@localhost',
      'a@b@c.com',
      'dana @acme.co.il',
    ];
    const [csvMany] = importCsv(`Name,Email\r\nDana,${values.join(' ::: ')}\r\n`);
    const vcard = parseVCards(
      `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana\r\n${values.map((value) => `EMAIL:${value}`).join('\r\n')}\r\nEND:VCARD\r\n`,
    ).cards[0]!;
    expect(csvMany!.draft!.emails).toEqual(['dana@acme.co.il', 'noa@acme.co.il']);
    expect(vcard.emails).toEqual(csvMany!.draft!.emails);
    expect(vcard.notes).toBe(csvMany!.draft!.notes);
  });
});

describe('vCard', () => {
  it('a base64 photo ending in "=" as the last property keeps its card and the next one', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N:Levi;Dana',
      'FN:Dana Levi',
      'TEL;CELL:054-765-4321',
      'PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'FN:Noa Cohen',
      'NOTE;ENCODING=QUOTED-PRINTABLE:first=',
      'line',
      'END:VCARD',
    ].join('\r\n');
    const { cards, errors } = parseVCards(text);
    expect(errors).toEqual([]);
    expect(cards.map((card) => card.name)).toEqual(['Dana Levi', 'Noa Cohen']);
    expect(cards[0]?.photo).toBe('data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==');
    expect(cards[1]?.notes).toBe('firstline');
  });

  it('PHOTO;BASE64: (a bare parameter, as Apple writes it) is read', () => {
    const { cards } = parseVCards(
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana Levi\r\nPHOTO;BASE64:iVBORw0KGgo=\r\nEND:VCARD\r\n',
    );
    expect(cards[0]?.photo).toBe('data:image/jpeg;base64,iVBORw0KGgo=');
  });

  it.each([
    ['gmail-list.vcf', 3],
    ['contactsio-v3.vcf', 2],
    ['contactsio-v4.vcf', 2],
    ['rfc6350-example.vcf', 1],
    ['John_Doe_IPHONE.vcf', 1],
  ])('%s has %i cards', (name, count) => {
    const { cards, errors } = parseVCards(fixture('vcard', name).toString('utf8'));
    expect(errors).toEqual([]);
    expect(cards).toHaveLength(count);
  });

  it('reads labelled phones, the organisation and the photo', () => {
    const [john] = parseVCards(fixture('vcard', 'John_Doe_IPHONE.vcf').toString('utf8')).cards;
    expect(john).toMatchObject({ name: 'Mr. John Richter James Doe Sr.', company: 'IBM, Accounting' });
    expect(john!.phones).toContainEqual({ label: 'mobile', raw: '905-555-1234' });
    expect(john!.phones).toContainEqual({ label: 'fax', raw: '905-888-1234' });
    expect(john!.photo).toMatch(/^data:image\/jpeg;base64,\/9j\//);
  });

  it('round-trips Hebrew and Greek through export and import', () => {
    const contact = {
      name: 'נועה כהן; Ελένη',
      company: 'פרדס, בע"מ',
      title: 'מנהלת',
      phones: [{ label: 'mobile', raw: '054-765-4321' }],
      emails: ['noa@example.co.il'],
      notes: 'שורה\nשנייה',
      tags: ['vip', 'לקוח'],
    };
    const { cards } = parseVCards(toVCard(contact));
    expect(cards[0]).toEqual({ ...contact, photo: undefined });
  });

  it('says which card is broken', () => {
    const { cards, errors } = parseVCards(
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ok\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nothing\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:cut',
    );
    expect(cards.map((card) => card.name)).toEqual(['Ok']);
    expect(errors).toEqual([
      'card 2: no name, organisation, phone or email',
      'card 3: the file ends before END:VCARD',
    ]);
  });
});

function encodeWith(text: string, decoderLabel: string): Uint8Array {
  // Build the code page's table from its own decoder: byte → character, then invert it.
  const decoder = new TextDecoder(decoderLabel);
  const table = new Map<string, number>();
  for (let byte = 0; byte < 256; byte++) table.set(decoder.decode(new Uint8Array([byte])), byte);
  return new Uint8Array([...text].map((char) => table.get(char) ?? 63));
}
const encodeWindows1255 = (text: string) => encodeWith(text, 'windows-1255');
const encodeWindows1253 = (text: string) => encodeWith(text, 'windows-1253');

describe('email addresses', () => {
  it("a mailto: link's query is not part of the address", async () => {
    const { parseEmailAddress } = await import('../../../shared/email');
    expect(parseEmailAddress('mailto:dana@acme.co.il?subject=Quote%20please')).toBe('dana@acme.co.il');
    expect(parseEmailAddress('dana@acme.co.il?subject=x')).toBeUndefined();
  });
});
