/**
 * The office's deal settings on a page: read once for the page (app pages through the query cache, again
 * after any change; the pop and the side panel with the card they show) and its stage names made the
 * interface's words — a stage the office renamed shows its name wherever a stage is named (the board, the
 * card, the pop, the timeline, the dashboard), in every language; the others keep their translated names.
 */
import { type DealSettings, dealSettingsOf } from '../../../shared/deals';
import { DEAL_STAGES, MAX_STAGE_NAME } from '../../../shared/records';
import { type MessageKey, setOfficeWords } from '../../ui/i18n';

export const DEAL_SETTINGS_KEY = ['dealSettings'] as const;
export const DEFAULT_DEAL_SETTINGS: DealSettings = dealSettingsOf(undefined);

/** `names` as the office's record holds them (from another desk, through the hub: anything but a name is left out). */
export function applyStageNames(names: DealSettings['stageNames'] | undefined): void {
  const words: Partial<Record<MessageKey, string>> = {};
  for (const stage of DEAL_STAGES) {
    const name: unknown = names?.[stage];
    if (typeof name === 'string' && name.trim())
      words[`dealStage.${stage}`] = name.trim().slice(0, MAX_STAGE_NAME);
  }
  setOfficeWords(words);
}
