/**
 * A card's status lights and stages, apart from the database module: pages that only show them (the pop
 * window above all) must not pull Dexie into their bundle.
 */
export type StatusLight = 'green' | 'yellow' | 'red' | 'none';
export const STATUS_LIGHTS: readonly StatusLight[] = ['green', 'yellow', 'red', 'none'];
export type Stage = 'lead' | 'prospect' | 'customer' | 'inactive';
export const STAGES: readonly Stage[] = ['lead', 'prospect', 'customer', 'inactive'];
