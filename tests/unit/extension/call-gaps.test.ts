import { describe, expect, it } from 'vitest';
import { recordCallGap } from '../../../extension/features/call-log/call-log';
import type { CallGap } from '../../../extension/features/settings/items';

function memoryItem() {
  let value: CallGap[] = [];
  return {
    getValue: async () => value,
    setValue: async (next: CallGap[]) => {
      value = next;
    },
  };
}

describe('call-log gaps', () => {
  it('keeps a gap once, however often the bridge repeats it before the catch-up completes', async () => {
    const item = memoryItem();
    await recordCallGap({ reason: 'expired', since: 100, until: 500 }, 1_000, item);
    await recordCallGap({ reason: 'expired', since: 100, until: 500 }, 2_000, item);
    await recordCallGap({ reason: 'new-journal', until: 900 }, 3_000, item);
    expect(await item.getValue()).toEqual([
      { reason: 'expired', since: 100, until: 500, noticedAt: 1_000 },
      { reason: 'new-journal', until: 900, noticedAt: 3_000 },
    ]);
  });

  it('keeps only the newest twenty', async () => {
    const item = memoryItem();
    for (let index = 0; index < 25; index++)
      await recordCallGap({ reason: 'expired', until: index }, index, item);
    const gaps = await item.getValue();
    expect(gaps).toHaveLength(20);
    expect(gaps[0]!.until).toBe(5);
  });
});
