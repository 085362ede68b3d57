/**
 * A lead from free text: an email signature or a selection on a web page, in English, Hebrew or Greek.
 * Lines are sorted into name, title, company, phones and emails by what they look like and by the words
 * people put there ("Tel:", "נייד", "Τηλ."; "CEO", "מנכ״ל", "Διευθυντής"; "Ltd", "בע״מ", "Α.Ε.").
 */
import { findContactsInText } from './page-contacts';
import type { PhoneOptions } from './phone';
import { companyFromEmail } from './email';
import { foldText } from './text';

export { companyFromEmail, emailDomain, isFreeMail } from './email';

export interface LeadDraft {
  name: string;
  company?: string;
  title?: string;
  emails: string[];
  phones: Array<{ label: string; raw: string }>;
}

/** A capture form's prefill (built by the extension's capture feature from a page or a mail). */
export interface CaptureDraft extends LeadDraft {
  kind: 'person' | 'company';
  sourceUrl: string;
  sourceTitle?: string;
  /** Where the prefill came from, shown as a hint ("from the selection", "from the page's data"). */
  from: 'selection' | 'structured' | 'vcard' | 'links' | 'email' | 'page';
  companyId?: string;
}

const fold = (text: string) => foldText(text.replace(/["'״׳`]/g, ''));

const TITLE_WORDS = [
  // English
  'ceo',
  'cto',
  'cfo',
  'coo',
  'cmo',
  'vp',
  'founder',
  'cofounder',
  'co-founder',
  'owner',
  'president',
  'director',
  'manager',
  'head',
  'chief',
  'engineer',
  'developer',
  'designer',
  'consultant',
  'partner',
  'officer',
  'coordinator',
  'assistant',
  'accountant',
  'attorney',
  'lawyer',
  'analyst',
  'specialist',
  'representative',
  'administrator',
  'secretary',
  'receptionist',
  'agent',
  'architect',
  'executive',
  'advisor',
  'adviser',
  'lead',
  // Hebrew (folded: no quotes, no final letters)
  'מנכל',
  'סמנכל',
  'מנהל',
  'מנהלת',
  'ראש',
  'יועצ',
  'יועצת',
  'מהנדס',
  'מהנדסת',
  'מפתח',
  'מפתחת',
  'מעצב',
  'מעצבת',
  'בעלים',
  'מייסד',
  'מייסדת',
  'שותפ',
  'שותפה',
  'נציג',
  'נציגת',
  'רכז',
  'רכזת',
  'עוד',
  'רוח',
  'מזכירה',
  'אחראי',
  'אחראית',
  'יור',
  'סגנ',
  'סגנית',
  // Greek (folded: no accents, final sigma as σ)
  'διευθυντησ',
  'διευθυντρια',
  'διευθυνων',
  'υπευθυνοσ',
  'υπευθυνη',
  'προεδροσ',
  'μηχανικοσ',
  'συμβουλοσ',
  'ιδρυτησ',
  'ιδρυτρια',
  'ιδιοκτητησ',
  'ιδιοκτητρια',
  'συνεργατησ',
  'λογιστησ',
  'δικηγοροσ',
  'γραμματεασ',
  'προισταμενοσ',
  'προισταμενη',
  'αντιπροεδροσ',
  'σχεδιαστησ',
  'προγραμματιστησ',
  // Russian
  'директор',
  'генеральный',
  'руководитель',
  'менеджер',
  'начальник',
  'заместитель',
  'инженер',
  'разработчик',
  'дизайнер',
  'консультант',
  'бухгалтер',
  'юрист',
  'адвокат',
  'аналитик',
  'специалист',
  'основатель',
  'владелец',
  'партнер',
  'президент',
  'секретарь',
  'представитель',
  'администратор',
  'главный',
  // Arabic (folded: no hamza or tashkeel, taa marbuta as haa)
  'مدير',
  'مديرة',
  'المدير',
  'رئيس',
  'رئيسة',
  'نائب',
  'مهندس',
  'مهندسة',
  'مطور',
  'مصمم',
  'مستشار',
  'مستشارة',
  'محاسب',
  'محامي',
  'محامية',
  'محلل',
  'أخصائي',
  'مؤسس',
  'مؤسسة',
  'مالك',
  'شريك',
  'مندوب',
  'منسق',
  'سكرتيرة',
  'مسؤول',
  'مسؤولة',
];
const TITLE_SET = new Set(TITLE_WORDS.map(fold));

const COMPANY_MARK =
  /(?:^|[\s,(])(?:ltd\.?|limited|inc\.?|llc|llp|gmbh|s\.?a\.?|plc|corp\.?|corporation|co\.|company|group|technologies|solutions|בע"מ|בע״מ|בעמ|חברת|Α\.?Ε\.?|Ε\.?Π\.?Ε\.?|Ο\.?Ε\.?|Ι\.?Κ\.?Ε\.?|ΑΕΒΕ|ООО|ОАО|ЗАО|ПАО|АО|ИП|компания|группа|شركة|ش\.م\.م|ش\.م\.ع|م\.ض|مجموعة|مؤسسة)(?=$|[\s,)«»"])/iu;
const SIGN_OFF =
  /^(?:--+|—|best(?: regards)?|kind regards|regards|thanks(?: again)?|thank you|cheers|sincerely|yours|warm regards|sent from my|בברכה|ברכה|תודה(?: רבה)?|בתודה|שלך|με εκτιμηση|με εκτίμηση|ευχαριστω|ευχαριστώ|φιλικα|φιλικά|χαιρετισμουσ|χαιρετισμούς|с уважением|с наилучшими пожеланиями|спасибо|всего доброго|مع تحياتي|مع خالص التحية|تحياتي|شكرا|شكرًا|مع الشكر)[\s,.!:،]*$/iu;
/** "Tel:", "Mobile", "נייד:", "Τηλ.:" — the label a phone line starts with, and the label it gets. */
const PHONE_LABELS: Array<[RegExp, string]> = [
  [
    /^(?:m|mob|mobile|cell|cellphone|נייד|סלולרי|κιν|κινητο|κινητό|моб|мобильный|сот|сотовый|جوال|الجوال|موبايل|محمول|المحمول)(?!\p{L})/iu,
    'mobile',
  ],
  [/^(?:f|fax|פקס|φαξ|факс|فاكس)(?!\p{L})/iu, 'fax'],
  [
    /^(?:t|tel|phone|office|direct|טל|טלפון|משרד|τηλ|τηλεφωνο|τηλέφωνο|тел|телефон|раб|هاتف|الهاتف|تلفون|ت)(?!\p{L})/iu,
    'work',
  ],
];
const FIELD_LABEL =
  /^(?:name|שם|ονομα|όνομα|title|role|תפקיד|θεση|θέση|company|חברה|εταιρεια|εταιρεία|e-?mail|דוא"?ל|מייל|email|web|www|אתר|имя|должность|компания|организация|сайт|почта|эл\. ?почта|الاسم|المسمى|الوظيفة|الشركة|البريد|الموقع)\s*[:：]\s*/iu;

function labelled(line: string, labels: RegExp): string | undefined {
  const match = line.match(new RegExp(`^(?:${labels.source})\\s*[:：]\\s*(.+)$`, 'iu'));
  return match?.[1]?.trim();
}

function isTitleLine(line: string): boolean {
  const words = fold(line)
    .split(/[^\p{L}-]+/u)
    .filter(Boolean);
  return words.length > 0 && words.length <= 8 && words.some((word) => TITLE_SET.has(word.replace(/^ו/, '')));
}

function looksLikeName(line: string): boolean {
  if (/[\d@:/|]/.test(line) || SIGN_OFF.test(line)) return false;
  const words = line.split(/\s+/).filter(Boolean);
  return (
    words.length >= 1 &&
    words.length <= 4 &&
    words.every((word) => /^[\p{L}][\p{L}\p{M}'’".-]*$/u.test(word)) &&
    line.length <= 48
  );
}

/** Split "Head of Sales at Acme Ltd" / "CEO | Acme" / "מנכ״ל, אקמה בע״מ" into title and company. */
function splitTitle(line: string): { title: string; company?: string } {
  const parts = line.split(/\s+(?:at|@|\||·|–|-|στην|στη|στο)\s+|\s*[|,·]\s*/u).filter(Boolean);
  if (parts.length < 2) return { title: line };
  const titleIndex = parts.findIndex(isTitleLine);
  if (titleIndex < 0) return { title: line };
  const title = parts[titleIndex]!;
  const company = parts.filter((_, index) => index !== titleIndex).join(' ');
  return { title, company: company || undefined };
}

/**
 * `knownName`: the person's name as the message gave it (Gmail's sender): never taken for their company,
 * in whatever script the signature writes it.
 */
export function parseLeadText(text: string, phone: PhoneOptions, knownName?: string): LeadDraft {
  const draft: LeadDraft = { name: '', emails: [], phones: [] };
  // How sure the company is: a labelled or legally marked line ("… בע״מ", "Ltd") beats a guess.
  let companySure = false;
  const isOwnName = (value: string) =>
    [draft.name, knownName].some((name) => name && foldText(name) === foldText(value));
  const lines = text
    .replace(/\r\n?/g, '\n')
    // Table cells (a copied row, a row's text) are lines too.
    .split(/[\n\t]/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  for (const line of lines) {
    if (SIGN_OFF.test(line)) continue;
    const found = findContactsInText(line, phone);
    for (const item of found) {
      if (item.kind === 'email' && !draft.emails.includes(item.text)) draft.emails.push(item.text);
    }
    const phones = found.filter((item) => item.kind === 'phone');
    if (phones.length > 0) {
      const label = PHONE_LABELS.find(([pattern]) => pattern.test(line))?.[1] ?? 'phone';
      for (const item of phones) {
        if (!draft.phones.some((existing) => existing.raw === item.text))
          draft.phones.push({ label, raw: item.text });
      }
    }
    if (found.length > 0) continue;
    const named = labelled(line, /name|שם|ονομα|όνομα|имя|фио|الاسم/);
    if (named && !draft.name) {
      draft.name = named;
      continue;
    }
    const titled = labelled(line, /title|role|תפקיד|θεση|θέση|должность|المسمى|الوظيفة/);
    if (titled && !draft.title) {
      draft.title = titled;
      continue;
    }
    const company = labelled(line, /company|חברה|εταιρεια|εταιρεία|компания|организация|الشركة/);
    if (company && !companySure) {
      draft.company = company;
      companySure = true;
      continue;
    }
    if (FIELD_LABEL.test(line) || /^(?:https?:\/\/|www\.)/i.test(line)) continue;
    if (!draft.title && isTitleLine(line)) {
      const split = splitTitle(line);
      draft.title = split.title;
      // "יוסי כהן | מנכ״ל": the other half is the person, not a company.
      if (split.company && isOwnName(split.company)) {
        if (!draft.name) draft.name = split.company;
      } else if (split.company && !draft.company) {
        draft.company = split.company;
        companySure = COMPANY_MARK.test(split.company);
      }
      continue;
    }
    if (!companySure && COMPANY_MARK.test(line)) {
      draft.company = line;
      companySure = true;
      continue;
    }
    if (!draft.name && looksLikeName(line)) {
      draft.name = line;
      continue;
    }
    if (draft.name && !draft.company && looksLikeName(line) && draft.title && !isOwnName(line))
      draft.company = line;
  }
  // A person's own name is never their company.
  if (draft.company && isOwnName(draft.company)) draft.company = undefined;
  if (!draft.company && draft.emails[0]) draft.company = companyFromEmail(draft.emails[0]);
  return draft;
}
