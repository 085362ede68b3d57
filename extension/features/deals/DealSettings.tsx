/** Settings → Deals: what a deal does to its card, and the currency new deals start in. */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_RULES, type DealRules } from '../../../shared/deals';
import { CURRENCIES, type Currency } from '../../../shared/records';
import { t } from '../../ui/i18n';
import { dealCurrencyItem, dealRulesItem } from '../settings/items';

export function DealSettings() {
  const [rules, setRules] = useState<DealRules>(DEFAULT_RULES);
  const [currency, setCurrency] = useState<Currency>('ILS');
  useEffect(() => {
    void dealRulesItem.getValue().then(setRules);
    void dealCurrencyItem.getValue().then(setCurrency);
  }, []);
  const rule = (key: keyof DealRules, label: string) => (
    <label>
      <input
        type="checkbox"
        data-testid={`settings-${key}`}
        checked={rules[key]}
        onChange={(event) => {
          const next = { ...rules, [key]: event.currentTarget.checked };
          setRules(next);
          void dealRulesItem.setValue(next);
        }}
      />{' '}
      {label}
    </label>
  );
  return (
    <section class="link-box">
      <h2>{t('settings.deals')}</h2>
      <p>{rule('leadToProspect', t('settings.leadToProspect'))}</p>
      <p>{rule('wonToCustomer', t('settings.wonToCustomer'))}</p>
      <label>
        {t('settings.dealCurrency')}{' '}
        <select
          data-testid="settings-deal-currency"
          value={currency}
          onChange={(event) => {
            const next = event.currentTarget.value as Currency;
            setCurrency(next);
            void dealCurrencyItem.setValue(next);
          }}
        >
          {CURRENCIES.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </label>
    </section>
  );
}
