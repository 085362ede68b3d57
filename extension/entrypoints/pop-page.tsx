/**
 * The screen-pop page's script. Built by WXT as an unlisted script: one self-contained file with its
 * styles inside, loaded by public/pop.html. A bundled page would load a stylesheet plus shared chunks
 * first, which measured ~20 ms slower to first paint; this page is the hot path.
 */
import { render } from 'preact';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { PopApp } from '../features/screen-pop/PopApp';
import { type PopView, sendMessage } from '../doors/page';
import styles from '../ui/base.css?inline';
import { registerMessages, setLocale, t } from '../ui/i18n';

export default defineUnlistedScript(() => {
  const style = document.createElement('style');
  style.textContent = styles;
  document.head.append(style);

  const callId = new URLSearchParams(location.search).get('callId') ?? '';
  const show = (initial: PopView | null) => {
    if (initial?.locale && initial.messages) registerMessages(initial.locale, initial.messages);
    setLocale(initial?.locale ?? 'en');
    render(
      callId ? <PopApp callId={callId} initial={initial} /> : <p class="error">{t('pop.noCall')}</p>,
      document.getElementById('root')!,
    );
  };
  // The first frame shows the card, not a "Loading…" placeholder: fetch the view, then render once.
  sendMessage('getPopView', callId).then(show, () => show(null));
});
