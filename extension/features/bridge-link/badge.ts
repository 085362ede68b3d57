import { browser } from 'wxt/browser';
import type { LinkState } from '../settings/items';

/** The toolbar badge says when the link is down; nothing shows while all is well. */
export async function showLinkOnBadge(link: LinkState): Promise<void> {
  const down = link.state !== 'connected' && link.state !== 'connecting';
  await browser.action.setBadgeText({ text: down ? (link.state === 'not-paired' ? '?' : '!') : '' });
  if (down)
    await browser.action.setBadgeBackgroundColor({
      color: link.state === 'not-paired' ? '#5f6368' : '#d93025',
    });
  await browser.action.setTitle({ title: down ? `Kesher: ${link.detail ?? link.state}` : 'Kesher' });
}
