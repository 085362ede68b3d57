/**
 * Settings → Deals, the office's: what a deal does to its card, the currency new deals start in, and the
 * office's own names for the stages (each field empty: the stage's name in the user's language).
 */
import { useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import type { DealRules } from '../../../shared/deals';
import { CURRENCIES, type Currency, DEAL_STAGES, MAX_STAGE_NAME } from '../../../shared/records';
import { type DealSettingsChange, saveDealSettings } from '../../db/settings';
import { t, translated } from '../../ui/i18n';
import { changed, db } from '../app-shell/page-db';
import { DEAL_SETTINGS_KEY } from './office-words';
import { useDealSettings } from './use-deal-settings';

export function DealSettings() {
  const client = useQueryClient();
  const settings = useDealSettings();
  const [error, setError] = useState('');
  const save = async (change: DealSettingsChange) => {
    setError('');
    try {
      await saveDealSettings(db, change);
      await client.invalidateQueries({ queryKey: DEAL_SETTINGS_KEY });
      // The board, the cards and the other desks name the stages anew; no card changed.
      await changed({ cards: false });
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  const rule = (key: keyof DealRules, label: string) => (
    <label>
      <input
        type="checkbox"
        data-testid={`settings-${key}`}
        checked={settings.rules[key]}
        onChange={(event) => void save({ [key]: event.currentTarget.checked } as DealSettingsChange)}
      />{' '}
      {label}
    </label>
  );
  return (
    <section class="link-box" data-testid="settings-deals">
      <h2>{t('settings.deals')}</h2>
      <p class="muted">{t('settings.dealsOffice')}</p>
      <p>{rule('leadToProspect', t('settings.leadToProspect'))}</p>
      <p>{rule('wonToCustomer', t('settings.wonToCustomer'))}</p>
      <label>
        {t('settings.dealCurrency')}{' '}
        <select
          data-testid="settings-deal-currency"
          value={settings.currency}
          onChange={(event) => void save({ dealCurrency: event.currentTarget.value as Currency })}
        >
          {CURRENCIES.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="stage-names">
        <legend>{t('settings.stageNames')}</legend>
        <p class="muted">{t('settings.stageNamesHint')}</p>
        {DEAL_STAGES.map((stage) => (
          <label key={stage}>
            <span>{translated(`dealStage.${stage}`)}</span>{' '}
            <input
              type="text"
              dir="auto"
              maxLength={MAX_STAGE_NAME}
              data-testid="settings-stage-name"
              data-stage={stage}
              placeholder={translated(`dealStage.${stage}`)}
              // Keyed by the saved name: a rename from another desk shows here once it arrives.
              key={settings.stageNames[stage] ?? ''}
              defaultValue={settings.stageNames[stage] ?? ''}
              onChange={(event) => void save({ stage, name: event.currentTarget.value })}
            />
          </label>
        ))}
      </fieldset>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
