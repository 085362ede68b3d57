import { browser } from 'wxt/browser';
import type { LinkState } from '../settings/items';

/**
 * The toolbar badge says when the link is down; while all is well it shows `idle` (the count of calls that
 * rang while it was down, until the user looks) or nothing.
 */
export async function showLinkOnBadge(link: LinkState, idle = ''): Promise<void> {
  const down = link.state !== 'connected' && link.state !== 'connecting';
  await browser.action.setBadgeText({ text: down ? (link.state === 'not-paired' ? '?' : '!') : idle });
  if (down || idle)
    await browser.action.setBadgeBackgroundColor({
      color: down && link.state === 'not-paired' ? '#5f6368' : down ? '#d93025' : '#b06000',
    });
  await browser.action.setTitle({ title: down ? `Kesher: ${link.detail ?? link.state}` : 'Kesher' });
}
