/**
 * Phone-system behaviour a user sees: pops only where the phone rings, "answered by" closing the others,
 * and click-to-call through the real bridge process talking AMI to a scripted Asterisk (a recording).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedAmiServer } from '../helpers/ami-server';
import { type BridgeProcess, postCall, startBridge } from '../helpers/bridge-process';
import { type ExtensionBrowser, launchWithExtension, pair, popFor, popPages } from '../helpers/browser';

let ami: ScriptedAmiServer;
let bridge: BridgeProcess;
let browser: ExtensionBrowser;

/** Waits for a condition in a hook (expect.poll works only inside tests). */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function amiState(): Promise<string | undefined> {
  const response = await fetch(`${bridge.httpUrl}/health`, {
    headers: { authorization: `Bearer ${bridge.token}` },
  });
  const health = (await response.json()) as { sources: Array<{ name: string; state: string }> };
  return health.sources.find((source) => source.name === 'ami')?.state;
}

beforeAll(async () => {
  ami = new ScriptedAmiServer({ script: 'originate', secret: 'sekret', maxChunk: 512 });
  const amiPort = await ami.listen();
  bridge = await startBridge({ extraArgs: ['--ami', `ami://bridge:sekret@127.0.0.1:${amiPort}`] });
  await until(async () => (await amiState()) === 'ready', 'AMI login');
  browser = await launchWithExtension();
  await browser.worker();
  const settings = await pair(browser.context, bridge.wsUrl, bridge.token);
  const connected = settings.locator('[data-testid="settings-link-state"][data-state="connected"]');
  await connected.waitFor();
  await settings.getByTestId('settings-extensions').fill('100');
  await settings.getByTestId('settings-save').click();
  await settings.getByText('Saved').waitFor();
  await connected.waitFor();
  await settings.close();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
  await ami?.close();
});

describe('who gets the pop', () => {
  it("pops only when this user's extension rings, and closes when another phone answers", async () => {
    const elsewhere = `ring-${Date.now()}-a`;
    await postCall(bridge, { callId: elsewhere, state: 'ringing', from: '0541234567', extension: '102' });
    const mine = `ring-${Date.now()}-b`;
    const pop = popFor(browser.context, mine);
    // A ring group: 102 and 100 ring for the same call.
    await postCall(bridge, { callId: mine, state: 'ringing', from: '0527654321', extension: '102' });
    await postCall(bridge, { callId: mine, state: 'ringing', from: '0527654321', extension: '100' });
    const page = await pop;
    await page.getByTestId('pop-unknown-caller').waitFor();
    // The call that rang only 102 never popped here (the later pop proves the link delivered it).
    expect(popPages(browser.context, elsewhere)).toHaveLength(0);

    const closed = page.waitForEvent('close', { timeout: 15_000 });
    await postCall(bridge, { callId: mine, state: 'answered', from: '0527654321', answeredBy: '102' });
    await expect.poll(() => page.getByTestId('pop-answered-elsewhere').textContent()).toBe('Answered by 102');
    await closed;
  });
});

describe('click-to-call', () => {
  it('"Call back" rings the user\'s phone through AMI Originate and shows each step', async () => {
    const callId = `missed-${Date.now()}`;
    const pop = popFor(browser.context, callId);
    await postCall(bridge, { callId, state: 'ringing', from: '+493012345678', extension: '100' });
    const page = await pop;
    await postCall(bridge, { callId, state: 'ended', from: '+493012345678' });
    await expect.poll(() => page.locator('.call-state').textContent()).toBe('Missed call');
    await page.getByRole('button', { name: 'Call +493012345678' }).click();
    const status = page.getByTestId('call-status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/Ringing your phone|answered/);
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toBe('Your phone answered: dialling the customer…');
    const originate = ami.received.find((message) => message.Action === 'Originate');
    expect(originate).toMatchObject({ Channel: 'PJSIP/100', Exten: '+493012345678' });
  });
});
