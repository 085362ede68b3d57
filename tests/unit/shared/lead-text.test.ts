import { describe, expect, it } from 'vitest';
import { companyFromEmail, isFreeMail, parseLeadText } from '../../../shared/lead-text';

const IL = { defaultCountry: 'IL' };
const GR = { defaultCountry: 'GR' };
const US = { defaultCountry: 'US' };

describe('companyFromEmail', () => {
  it.each([
    ['dana@acme.co.il', 'Acme'],
    ['dana@mail.acme-tools.co.il', 'Acme Tools'],
    ['nikos@olympic-foods.gr', 'Olympic Foods'],
    ['j.smith@sales.globex.com', 'Globex'],
    ['a@hamashbir.org.il', 'Hamashbir'],
    ['someone@gmail.com', undefined],
    ['someone@yahoo.co.jp', undefined],
    ['someone@walla.co.il', undefined],
    ['someone@otenet.gr', undefined],
    ['broken-address', undefined],
  ])('%s → %s', (email, company) => {
    expect(companyFromEmail(email)).toBe(company);
  });

  it('knows free mail providers by their brand in any country', () => {
    expect(isFreeMail('x@hotmail.fr')).toBe(true);
    expect(isFreeMail('x@acme.com')).toBe(false);
  });
});

describe('parseLeadText', () => {
  it.each([
    [
      'English signature with labels',
      'Best regards,\nDana Levi\nHead of Sales | Acme Ltd\nTel: +972 3-555-1234\nMobile: 054-123-4567\ndana@acme.co.il',
      IL,
      {
        name: 'Dana Levi',
        title: 'Head of Sales',
        company: 'Acme Ltd',
        emails: ['dana@acme.co.il'],
        phones: [
          { label: 'work', raw: '+972 3-555-1234' },
          { label: 'mobile', raw: '054-123-4567' },
        ],
      },
    ],
    [
      'Hebrew signature',
      'בברכה,\nיוסי כהן\nמנכ״ל\nכהן ובניו בע״מ\nנייד: 052-765-4321\nyossi@cohen-sons.co.il',
      IL,
      {
        name: 'יוסי כהן',
        title: 'מנכ״ל',
        company: 'כהן ובניו בע״מ',
        emails: ['yossi@cohen-sons.co.il'],
        phones: [{ label: 'mobile', raw: '052-765-4321' }],
      },
    ],
    [
      'Greek signature',
      'Με εκτίμηση,\nΝίκος Παπαδόπουλος\nΔιευθυντής Πωλήσεων\nΟλυμπιακά Τρόφιμα Α.Ε.\nΤηλ.: 210 123 4567\nΚιν.: 691 234 5678\nnikos@olympic-foods.gr',
      GR,
      {
        name: 'Νίκος Παπαδόπουλος',
        title: 'Διευθυντής Πωλήσεων',
        company: 'Ολυμπιακά Τρόφιμα Α.Ε.',
        emails: ['nikos@olympic-foods.gr'],
        phones: [
          { label: 'work', raw: '210 123 4567' },
          { label: 'mobile', raw: '691 234 5678' },
        ],
      },
    ],
    [
      'a selection on a staff page, company from the address',
      'John Carter\nSenior Engineer\n(408) 714-1489\njohn.carter@globex.com',
      US,
      {
        name: 'John Carter',
        title: 'Senior Engineer',
        company: 'Globex',
        emails: ['john.carter@globex.com'],
        phones: [{ label: 'phone', raw: '(408) 714-1489' }],
      },
    ],
    [
      'labelled fields',
      'Name: Maria Georgiou\nCompany: Aegean Tech\nRole: CTO\nEmail: maria@gmail.com',
      GR,
      {
        name: 'Maria Georgiou',
        title: 'CTO',
        company: 'Aegean Tech',
        emails: ['maria@gmail.com'],
        phones: [],
      },
    ],
    [
      'a free-mail address gives no company',
      'Ron Bar\nron.bar@gmail.com',
      IL,
      { name: 'Ron Bar', emails: ['ron.bar@gmail.com'], phones: [] },
    ],
  ])('%s', (_, text, phone, expected) => {
    const draft = parseLeadText(text, phone);
    expect(draft).toEqual({ company: undefined, title: undefined, ...expected });
  });

  it('never takes dates, prices or order numbers for phones', () => {
    const draft = parseLeadText('Order #0541234567\nInvoice date 23/11/2024\nTotal ₪1,299.00\nDana Levi', IL);
    expect(draft.phones).toEqual([]);
    expect(draft.name).toBe('Dana Levi');
  });
});

describe("a signature's company line", () => {
  it('beats a guess, and a person is never their own company', () => {
    // The name beside the title ("name | title"), then the company line.
    const split = parseLeadText('יוסי כהן | מנכ״ל\nכהן ובניו בע״מ\nנייד: 052-765-4321', IL, 'יוסי כהן');
    expect(split).toMatchObject({ name: 'יוסי כהן', title: 'מנכ״ל', company: 'כהן ובניו בע״מ' });
    // A bilingual signature: the name again in Latin letters before the company line.
    const bilingual = parseLeadText('יוסי כהן\nמנכ״ל\nYossi Cohen\nכהן ובניו בע״מ', IL, 'Yossi Cohen');
    expect(bilingual.company).toBe('כהן ובניו בע״מ');
    // No company line at all: the sender's name is not taken for one.
    const none = parseLeadText('מנכ״ל\nYossi Cohen', IL, 'Yossi Cohen');
    expect(none.company).toBeUndefined();
  });
});

describe('signatures in Russian and Arabic', () => {
  it('a Russian signature: name, title, company, labelled phones and email', () => {
    const draft = parseLeadText(
      'С уважением,\nАлёна Смирнова\nМенеджер по продажам\nООО «Ромашка»\nтел.: +7 495 123-45-67\nмоб.: +7 916 123-45-67\nalena@romashka.ru',
      { defaultCountry: 'RU' },
    );
    expect(draft).toMatchObject({
      name: 'Алёна Смирнова',
      title: 'Менеджер по продажам',
      company: 'ООО «Ромашка»',
      emails: ['alena@romashka.ru'],
    });
    expect(draft.phones).toEqual([
      { label: 'work', raw: '+7 495 123-45-67' },
      { label: 'mobile', raw: '+7 916 123-45-67' },
    ]);
  });

  it('an Arabic signature, with Arabic-Indic digits', () => {
    const draft = parseLeadText(
      'مع تحياتي،\nأحمد خليل\nمدير المبيعات\nشركة النور للتجارة\nهاتف: ٠٤-٨٥٥-١٢٣٤\nجوال: ٠٥٠-٧٦٥-٤٣٢١\nahmad@alnoor.co.il',
      IL,
    );
    expect(draft).toMatchObject({
      name: 'أحمد خليل',
      title: 'مدير المبيعات',
      company: 'شركة النور للتجارة',
      emails: ['ahmad@alnoor.co.il'],
    });
    expect(draft.phones.map((phone) => phone.label)).toEqual(['work', 'mobile']);
  });
});
