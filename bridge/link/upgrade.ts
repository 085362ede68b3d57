/**
 * The extension link's authentication, before any WebSocket exists: the path, the Host, the Origin (only
 * the allowed extension), and the token offered as a subprotocol. Anything else is refused at the upgrade.
 */
import type { IncomingMessage } from 'node:http';
import { TOKEN_SUBPROTOCOL_PREFIX } from '../../shared/protocol';
import type { Guard } from '../http/guard';
import { sameSecret } from '../secret';

/** `office`: the office's pairing token; `user`: a user's own token, to be looked up in the store. */
export type UpgradeVerdict =
  | { ok: true; who: 'office' }
  | { ok: true; who: 'user'; token: string }
  | { ok: false; status: number; reason: string };

export function checkUpgrade(
  request: Pick<IncomingMessage, 'url' | 'headers'> & { socket?: { remoteAddress?: string } },
  guard: Guard,
  token: string,
): UpgradeVerdict {
  const path = new URL(request.url ?? '/', 'http://bridge').pathname;
  if (path !== '/ws') return { ok: false, status: 404, reason: 'Not Found' };
  if (!guard.allowedHost(request.headers.host))
    return { ok: false, status: 421, reason: 'Misdirected Request' };
  if (!guard.allowedOrigin(request.headers.origin)) return { ok: false, status: 403, reason: 'Forbidden' };
  const offered = String(request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((item) => item.trim());
  const given = offered
    .find((item) => item.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
    ?.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  if (!given) return { ok: false, status: 401, reason: 'Unauthorized' };
  if (sameSecret(given, token)) {
    // On the office network the single token opens nothing from another machine: pair as a user.
    if (!guard.officeTokenFrom(request.socket?.remoteAddress))
      return { ok: false, status: 403, reason: 'Forbidden: pair this desk as a user' };
    return { ok: true, who: 'office' };
  }
  if (given.startsWith('kesher_')) return { ok: true, who: 'user', token: given };
  return { ok: false, status: 401, reason: 'Unauthorized' };
}
