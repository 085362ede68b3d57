import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCard, saveCard } from '../../../extension/db/cards';
import { createDb, type KesherDb } from '../../../extension/db/db';
import { logCall, unknownCalls } from '../../../extension/db/interactions';
import { describeInteraction } from '../../../extension/ui/components';

const IL = { defaultCountry: 'IL' };
let db: KesherDb;
let count = 0;
beforeEach(async () => {
  db = createDb(`outcomes-${++count}`);
  await db.open();
});

describe('call outcomes on the log', () => {
  it('a click-to-call nobody answered is an outbound attempt, never a missed call', async () => {
    await saveCard(db, buildCard({ name: 'Dana', phones: [{ label: 'mobile', raw: '0541234567' }] }, IL));
    const logged = await logCall(
      db,
      {
        callId: 'dial-1',
        status: 'missed',
        direction: 'outbound',
        from: '101',
        to: '0541234567',
        startedAt: 1_000,
        endedAt: 20_000,
      },
      IL,
    );
    expect(logged.outcome).toBe('not-answered');
    expect(describeInteraction(logged)).toBe('Outgoing call · not answered');
  });

  it('a withheld caller is logged without any number, on the unknown list', async () => {
    await logCall(
      db,
      {
        callId: 'w-1',
        status: 'missed',
        direction: 'inbound',
        from: 'anonymous',
        startedAt: 1_000,
        endedAt: 2_000,
      },
      IL,
    );
    const [entry] = await unknownCalls(db);
    expect(entry).toMatchObject({ number: '', numberKeys: [], outcome: 'missed' });
  });

  it('an end the bridge inferred says its time is approximate', async () => {
    const logged = await logCall(
      db,
      {
        callId: 'lost-1',
        status: 'ended',
        direction: 'inbound',
        from: '0541234567',
        startedAt: 1_000,
        answeredAt: 2_000,
        endedAt: 62_000,
        endApproximate: true,
      },
      IL,
    );
    expect(describeInteraction(logged)).toBe('Incoming call · 1:00 · end time approximate');
  });
});
