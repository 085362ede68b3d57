import { describe, expect, it } from 'vitest';
import { buildCard } from '../../../extension/db/cards';
import { phoneDigitsOf } from '../../../extension/features/search/search';

describe('phone digits a search finds a card by', () => {
  it('as written (in any digits), national and international', () => {
    const card = buildCard(
      { name: 'أحمد', phones: [{ label: 'mobile', raw: '٠٥٤-٣٣٣-٣٣٣٣' }] },
      { defaultCountry: 'IL' },
    );
    expect(phoneDigitsOf(card).sort()).toEqual(['0543333333', '543333333', '972543333333'].sort());
  });
});
