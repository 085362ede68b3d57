/** What every extension page does first: pick the language (setting, else the browser) and its direction. */
import { languageItem } from '../settings/items';
import '../../locales/all';
import { resolveLocale, setLocale } from '../../ui/i18n';

export async function startPage(): Promise<void> {
  setLocale(resolveLocale(await languageItem.getValue(), navigator.languages));
}
