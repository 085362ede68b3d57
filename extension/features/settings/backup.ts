/** The settings a JSON backup carries and restores (owned here, with the rest of the settings). */
import {
  bridgeUrlItem,
  defaultCountryItem,
  languageItem,
  myExtensionsItem,
  outsideLinePrefixItem,
} from './items';

/** The settings a backup carries (never the pairing token: a backup file travels). */
export async function settingsSnapshot(): Promise<Record<string, unknown>> {
  return {
    bridgeUrl: await bridgeUrlItem.getValue(),
    defaultCountry: await defaultCountryItem.getValue(),
    outsideLinePrefix: await outsideLinePrefixItem.getValue(),
    myExtensions: await myExtensionsItem.getValue(),
    language: await languageItem.getValue(),
  };
}

export async function restoreSettings(settings: Record<string, unknown>): Promise<void> {
  const text = (key: string) => (typeof settings[key] === 'string' ? (settings[key] as string) : undefined);
  if (text('bridgeUrl')) await bridgeUrlItem.setValue(text('bridgeUrl')!);
  if (text('defaultCountry')) await defaultCountryItem.setValue(text('defaultCountry')!);
  if (text('outsideLinePrefix') !== undefined)
    await outsideLinePrefixItem.setValue(text('outsideLinePrefix')!);
  if (text('myExtensions') !== undefined) await myExtensionsItem.setValue(text('myExtensions')!);
  if (text('language')) await languageItem.setValue(text('language')!);
}
