/**
 * The office's settings for deals (shared/records.ts OfficeSettings): read resolved to their defaults, and
 * changed one setting at a time (in office mode each field is its own change: two desks changing two
 * different settings both keep theirs; the stages' names are one field, the last one saved wins).
 */
import { type DealSettings, dealSettingsOf } from '../../shared/deals';
import { DEAL_SETTINGS_ID, type DealStage, MAX_STAGE_NAME, type OfficeSettings } from '../../shared/records';
import type { KesherDb } from './db';

export function readDealSettings(db: KesherDb): Promise<DealSettings> {
  return db.settings.get(DEAL_SETTINGS_ID).then(dealSettingsOf);
}

export type DealSettingsChange =
  | { leadToProspect: boolean }
  | { wonToCustomer: boolean }
  | { dealCurrency: OfficeSettings['dealCurrency'] & string }
  /** A stage's own name; '' gives the stage its translated name back. */
  | { stage: DealStage; name: string };

export async function saveDealSettings(db: KesherDb, change: DealSettingsChange): Promise<DealSettings> {
  return db.transaction('rw', db.settings, async () => {
    const before = (await db.settings.get(DEAL_SETTINGS_ID)) ?? { id: DEAL_SETTINGS_ID, updatedAt: 0 };
    const next: OfficeSettings = { ...before, updatedAt: Date.now() };
    if ('stage' in change) {
      const name = change.name.trim();
      if (name.length > MAX_STAGE_NAME)
        throw new Error(`A stage's name is at most ${MAX_STAGE_NAME} characters.`);
      const names = { ...before.stageNames };
      if (name) names[change.stage] = name;
      else delete names[change.stage];
      next.stageNames = names;
    } else Object.assign(next, change);
    await db.settings.put(next);
    return dealSettingsOf(next);
  });
}
