/**
 * Every language, registered with the i18n module. Imported once by each context that may speak any of them
 * (the worker, the app pages, the content scripts); the pop window gets its one language from the worker.
 */
import { LOCALES, type Locale, type Messages, registerMessages } from '../ui/i18n';
import { ar } from './ar';
import { el } from './el';
import { en } from './en';
import { he } from './he';
import { ru } from './ru';

export const ALL_MESSAGES: Record<Locale, Messages> = { en, he, ar, ru, el };
for (const locale of LOCALES) registerMessages(locale, ALL_MESSAGES[locale]);
