/**
 * Deals' settings, in a module of their own: the pop page (the ring-time hot path) reads the default
 * currency without loading every other setting's item (./items.ts pulls in the link's protocol too).
 */
import { storage } from 'wxt/utils/storage';
import { DEFAULT_RULES, type DealRules } from '../../../shared/deals';
import type { Currency } from '../../../shared/records';
import { DEAL_CURRENCY_KEY } from './deal-keys';

/** chrome.storage.local key "dealRules": what a deal does to its card's stage (shared/deals.ts). */
export const dealRulesItem = storage.defineItem<DealRules>('local:dealRules', {
  fallback: DEFAULT_RULES,
  version: 1,
});
/** chrome.storage.local key "dealCurrency": the currency new deals start in (ILS, EUR or USD). */
export const dealCurrencyItem = storage.defineItem<Currency>(`local:${DEAL_CURRENCY_KEY}`, {
  fallback: 'ILS',
  version: 1,
});
