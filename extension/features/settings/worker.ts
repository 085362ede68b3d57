/** The settings as the worker lives by them: read once, followed on every change. */
import type { PhoneOptions } from '../../../shared/phone';
import '../../locales/all';
import { resolveLocale, setLocale } from '../../ui/i18n';
import {
  defaultCountryItem,
  languageItem,
  myExtensionsItem,
  outsideLinePrefixItem,
  parseExtensions,
  phoneOptions,
} from './items';

export function installSettings() {
  let phone: PhoneOptions = { defaultCountry: 'IL' };
  const loadPhone = () => phoneOptions().then((options) => (phone = options));
  defaultCountryItem.watch(() => void loadPhone());
  outsideLinePrefixItem.watch(() => void loadPhone());

  let myExtensions: string[] = [];
  const loadExtensions = () =>
    myExtensionsItem.getValue().then((value) => (myExtensions = parseExtensions(value)));
  const extensionListeners: Array<() => void> = [];
  myExtensionsItem.watch(
    () =>
      void loadExtensions().then(() => {
        for (const listener of extensionListeners) listener();
      }),
  );

  const loadLocale = () =>
    languageItem.getValue().then((value) => setLocale(resolveLocale(value, navigator.languages)));
  languageItem.watch(() => void loadLocale());

  return {
    phone: () => phone,
    myExtensions: () => myExtensions,
    ready: Promise.all([loadPhone(), loadExtensions(), loadLocale()]),
    onExtensionsChanged: (listener: () => void) => void extensionListeners.push(listener),
  };
}
