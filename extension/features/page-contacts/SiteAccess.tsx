/**
 * The popup's word on the current site: allow Kesher there (Chrome asks for that one site), stop, scan the
 * page once, capture it as a lead, open the side panel.
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendMessage, type SiteAccess as Access } from '../../doors/page';
import { t } from '../../ui/i18n';
import { patternOf } from './sites';

export function SiteAccess() {
  const [access, setAccess] = useState<Access | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    sendMessage('getSiteAccess', {}).then(setAccess, (error: Error) => setMessage(error.message));
  }, []);
  if (!access) return message ? <p role="alert">{message}</p> : null;
  const { site, tabId } = access;
  const fail = (error: Error) => setMessage(error.message);
  const openPanel = () => {
    // Inside the click: Chrome lets the side panel open only from a user gesture.
    if (tabId !== undefined) {
      void browser.sidePanel.setOptions({ tabId, path: `sidepanel.html?tab=${tabId}`, enabled: true });
      void browser.sidePanel.open({ tabId }).catch(fail);
    }
  };
  return (
    <section class="site-access" aria-label={site ?? ''}>
      {site === null ? (
        <p class="muted">{t('site.unavailable')}</p>
      ) : (
        <>
          <p data-testid="site-state">
            {access.allowed ? t('site.allowed', { site }) : t('site.notAllowed', { site })}
          </p>
          {access.allowed ? (
            <button
              type="button"
              data-testid="site-forget"
              onClick={() => sendMessage('forgetSite', { site, tabId }).then(setAccess, fail)}
            >
              {t('site.forget')}
            </button>
          ) : (
            <button
              type="button"
              data-testid="site-allow"
              onClick={() => {
                // The permission request must be the first thing the click does.
                browser.permissions
                  .request({ origins: [patternOf(site)] })
                  .then((granted) => {
                    if (!granted) throw new Error(t('site.denied', { site }));
                    return sendMessage('allowSite', { site, tabId });
                  })
                  .then(setAccess, fail);
              }}
            >
              {t('site.allow')}
            </button>
          )}
          {!access.allowed && tabId !== undefined ? (
            <button
              type="button"
              data-testid="site-scan-once"
              onClick={() => sendMessage('scanTabOnce', { tabId }).then(() => window.close(), fail)}
            >
              {t('site.scanOnce')}
            </button>
          ) : null}
          {tabId !== undefined ? (
            <button
              type="button"
              data-testid="site-capture"
              onClick={() => {
                openPanel();
                sendMessage('captureTab', { tabId }).catch(fail);
              }}
            >
              {t('site.capture')}
            </button>
          ) : null}
        </>
      )}
      {tabId !== undefined ? (
        <button type="button" data-testid="site-open-panel" onClick={openPanel}>
          {t('site.openPanel')}
        </button>
      ) : null}
      {message ? <p role="alert">{message}</p> : null}
    </section>
  );
}
