/** The office's deal settings in an app page (the query cache reads them again after any change). */
import { useQuery } from '@tanstack/preact-query';
import type { DealSettings } from '../../../shared/deals';
import { readDealSettings } from '../../db/settings';
import { db } from '../app-shell/page-db';
import { applyStageNames, DEAL_SETTINGS_KEY, DEFAULT_DEAL_SETTINGS } from './office-words';

export const loadDealSettings = (): Promise<DealSettings> =>
  readDealSettings(db).then((settings) => {
    // The words change before anything renders with the new settings.
    applyStageNames(settings.stageNames);
    return settings;
  });

export function useDealSettings(): DealSettings {
  return useQuery({ queryKey: DEAL_SETTINGS_KEY, queryFn: loadDealSettings }).data ?? DEFAULT_DEAL_SETTINGS;
}
