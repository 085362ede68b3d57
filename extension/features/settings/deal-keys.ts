/**
 * The default deal currency's storage key, alone: the pop page reads that one value with chrome.storage
 * itself, without WXT's storage module (9 KB of the ring-time bundle).
 */
export const DEAL_CURRENCY_KEY = 'dealCurrency';
