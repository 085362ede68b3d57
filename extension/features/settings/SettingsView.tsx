/**
 * Pairing with the bridge: URL and token, the link's state in words, and a test call.
 */
import { useMutation } from '@tanstack/preact-query';
import { useEffect, useState } from 'preact/hooks';
import { type JoinPreview, onEvent, sendMessage, type SyncStatus } from '../../doors/page';
import { formatDateTime } from '../../ui/format';
import { pairingCodeOf } from '../../../shared/pairing-code';
import { redeemPairingCode } from '../bridge-link/link';
import { DealSettings } from '../deals/DealSettings';
import { LANGUAGE_NAMES, LOCALES, locale, resolveLocale, t } from '../../ui/i18n';
import {
  bridgeTokenItem,
  bridgeUrlItem,
  defaultCountryItem,
  languageItem,
  type LinkState,
  linkStateItem,
  myExtensionsItem,
  outsideLinePrefixItem,
  parseExtensions,
  syncStatusItem,
  userNameItem,
} from './items';

/** The offices Kesher is made for first, then a few common ones; names in the interface's language. */
const COUNTRIES = ['IL', 'GR', 'CY', 'US', 'GB', 'DE', 'FR', 'IT', 'ES', 'TR', 'RU', 'UA'];

function countryName(code: string): string {
  return new Intl.DisplayNames([locale()], { type: 'region' }).of(code) ?? code;
}

function useLinkState(): LinkState | null {
  const [state, setState] = useState<LinkState | null>(null);
  useEffect(() => {
    void linkStateItem.getValue().then(setState);
    return linkStateItem.watch((next) => setState(next));
  }, []);
  return state;
}

function useSyncStatus(): SyncStatus | null {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  useEffect(() => {
    void syncStatusItem.getValue().then(setStatus);
    const offEvent = onEvent('syncChanged', setStatus);
    const offStorage = syncStatusItem.watch((next) => setStatus(next));
    return () => {
      offEvent();
      offStorage();
    };
  }, []);
  return status;
}

function syncText(status: SyncStatus): string {
  switch (status.state) {
    case 'off':
      return t('sync.off');
    case 'synced':
      return t('sync.synced');
    case 'waiting':
      return t('sync.waiting', { count: status.waiting });
    case 'offline':
      return [
        t('sync.offline', { time: formatDateTime(status.since ?? Date.now()) }),
        status.waiting > 0 ? t('sync.waiting', { count: status.waiting }) : '',
      ]
        .filter(Boolean)
        .join(' · ');
    case 'error':
      return t('sync.error', { reason: status.detail ?? '' });
  }
}

/** Matches listed by name; the rest are counted. */
const MATCHES_SHOWN = 50;

/** Before a desk with cards of its own joins: what goes up, what merges, what stays separate. */
function JoinPreviewPanel(props: {
  preview: JoinPreview;
  busy: boolean;
  onJoin: () => void;
  onCancel: () => void;
}) {
  const { preview } = props;
  return (
    <div class="join-preview" data-testid="join-preview">
      <h3>{t('join.title')}</h3>
      <p data-testid="join-upload">{t('join.upload', preview.upload)}</p>
      {preview.matches.length > 0 ? (
        <>
          <p>{t('join.merges', { count: preview.matches.length })}</p>
          <ul data-testid="join-matches">
            {preview.matches.slice(0, MATCHES_SHOWN).map((match) => (
              <li key={match.deskId} data-desk-id={match.deskId} data-office-id={match.officeId}>
                <bdi>
                  {t(match.reason === 'email' ? 'join.byEmail' : 'join.byPhone', {
                    desk: match.deskName,
                    office: match.officeName,
                    detail: match.detail,
                  })}
                </bdi>
              </li>
            ))}
          </ul>
          {preview.matches.length > MATCHES_SHOWN ? (
            <p class="muted">{t('join.more', { count: preview.matches.length - MATCHES_SHOWN })}</p>
          ) : null}
        </>
      ) : null}
      <p data-testid="join-separate">{t('join.separate', { count: preview.separate })}</p>
      <p class="muted">{t('join.safe')}</p>
      <div class="row">
        <button type="button" data-testid="join-confirm" disabled={props.busy} onClick={props.onJoin}>
          {t('join.confirm')}
        </button>
        <button type="button" class="secondary" disabled={props.busy} onClick={props.onCancel}>
          {t('join.cancel')}
        </button>
      </div>
    </div>
  );
}

/** Office mode: on or off at this desk, and how it stands with the office store. */
function OfficeMode() {
  const status = useSyncStatus();
  const [preview, setPreview] = useState<JoinPreview | null>(null);
  const toggle = useMutation({
    mutationFn: (input: { enabled: boolean; merges?: Array<{ deskId: string; officeId: string }> }) =>
      sendMessage('setOfficeMode', input),
    onSuccess: () => setPreview(null),
  });
  // Turning it on: a desk with records of its own sees the preview first; an empty desk joins at once.
  const ask = useMutation({
    mutationFn: () => sendMessage('previewJoin'),
    onSuccess: (result) => {
      const { cards, tasks, interactions } = result.upload;
      if (cards + tasks + interactions === 0) toggle.mutate({ enabled: true });
      else setPreview(result);
    },
  });
  const on = status !== null && status.state !== 'off';
  const download = status?.download;
  return (
    <section class="link-box" aria-live="polite">
      <h2>{t('office.title')}</h2>
      <label class="row">
        <input
          type="checkbox"
          data-testid="settings-office-mode"
          // Optimistic while the worker turns it on or off (a first join queues every card: a moment).
          checked={toggle.isPending ? toggle.variables.enabled : on || preview !== null || ask.isPending}
          disabled={status === null || toggle.isPending || ask.isPending}
          onChange={(e) => {
            if (!e.currentTarget.checked) {
              setPreview(null);
              toggle.mutate({ enabled: false });
            } else if (!on) ask.mutate();
          }}
        />
        {t('office.enable')}
      </label>
      <p class="muted">{t('office.help')}</p>
      {ask.isPending ? <p class="muted">{t('join.loading')}</p> : null}
      {preview ? (
        <JoinPreviewPanel
          preview={preview}
          busy={toggle.isPending}
          onJoin={() =>
            toggle.mutate({
              enabled: true,
              merges: preview.matches.map(({ deskId, officeId }) => ({ deskId, officeId })),
            })
          }
          onCancel={() => setPreview(null)}
        />
      ) : null}
      {status ? (
        <p data-testid="settings-sync-status" data-state={status.state} data-waiting={status.waiting}>
          {syncText(status)}
        </p>
      ) : null}
      {download ? (
        <p data-testid="settings-sync-download">
          <progress max={download.total} value={download.done} />{' '}
          {t('sync.downloading', {
            percent: Math.floor((100 * download.done) / Math.max(1, download.total)),
          })}
        </p>
      ) : null}
      {toggle.isError ? <p class="error">{toggle.error.message}</p> : null}
      {ask.isError ? <p class="error">{ask.error.message}</p> : null}
    </section>
  );
}

export function SettingsView() {
  const link = useLinkState();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [country, setCountry] = useState('IL');
  const [prefix, setPrefix] = useState('');
  const [extensions, setExtensions] = useState('');
  const [language, setLanguage] = useState('auto');
  const [saved, setSaved] = useState(false);
  const [pairedAs, setPairedAs] = useState('');
  // The form appears once the stored values are in: a choice made earlier would be overwritten by them.
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    void Promise.all([
      bridgeUrlItem.getValue(),
      bridgeTokenItem.getValue(),
      defaultCountryItem.getValue(),
      outsideLinePrefixItem.getValue(),
      myExtensionsItem.getValue(),
      languageItem.getValue(),
    ]).then(([u, token, c, p, e, l]) => {
      setExtensions(e);
      setLanguage(l);
      setLoaded(true);
      setUrl(u);
      setToken(token);
      setCountry(c);
      setPrefix(p);
    });
  }, []);

  const save = useMutation({
    mutationFn: async () => {
      // A pairing code from the admin ("user add") is exchanged for this desk's own token first.
      const code = pairingCodeOf(token);
      let secret = token.trim();
      // Who this desk is: the user a code paired it as; kept while the token stays; nobody by name with
      // any other token (the office's own).
      let name = secret === (await bridgeTokenItem.getValue()) ? await userNameItem.getValue() : '';
      let mine = extensions;
      if (code) {
        const paired = await redeemPairingCode(url.trim(), code);
        secret = paired.token;
        name = paired.name;
        setToken(secret);
        setPairedAs(paired.name);
        // The admin said which extensions the user answers: this desk takes them unless told otherwise.
        if (parseExtensions(mine).length === 0 && paired.extensions.length > 0) {
          mine = paired.extensions.join(', ');
          setExtensions(mine);
        }
      }
      await Promise.all([
        userNameItem.setValue(name),
        defaultCountryItem.setValue(country),
        outsideLinePrefixItem.setValue(prefix.replace(/\D/g, '')),
        myExtensionsItem.setValue(parseExtensions(mine).join(', ')),
        languageItem.setValue(language),
        bridgeUrlItem.setValue(url.trim()),
        bridgeTokenItem.setValue(secret),
      ]);
      // Saving the same values changes nothing in storage: ask the worker to reconnect regardless.
      await sendMessage('reconnect');
    },
    onSuccess: () => {
      setSaved(true);
      // A new language applies to the whole page at once.
      const next = resolveLocale(language, navigator.languages);
      if (next !== locale()) location.reload();
    },
  });
  const testCall = useMutation({ mutationFn: () => sendMessage('testCall') });

  return (
    <div class="page-body">
      <h1>{t('settings.title')}</h1>
      <section class="link-box" aria-live="polite">
        <h2>{t('settings.bridge')}</h2>
        <p class="link-state" data-testid="settings-link-state" data-state={link?.state ?? 'unknown'}>
          <span
            class={`status-dot ${link?.state === 'connected' ? 'status-green' : link?.state === 'connecting' ? 'status-yellow' : 'status-red'}`}
          />{' '}
          {link ? t(`link.${link.state}`) : '…'}
        </p>
        {link?.detail && link.state !== 'connected' ? <p class="muted">{link.detail}</p> : null}
      </section>
      {loaded ? (
        <form
          class="stack settings-form"
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(false);
            save.mutate();
          }}
        >
          <label>
            {t('settings.bridgeUrl')}
            <input
              data-testid="settings-bridge-url"
              dir="ltr"
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
              required
            />
          </label>
          <label>
            {t('settings.token')}
            <input
              data-testid="settings-token"
              type="password"
              dir="ltr"
              autoComplete="off"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('settings.country')}
            <select
              data-testid="settings-country"
              value={country}
              onChange={(e) => setCountry(e.currentTarget.value)}
            >
              {COUNTRIES.map((code) => (
                <option key={code} value={code}>
                  {countryName(code)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('settings.extensions')}
            <input
              data-testid="settings-extensions"
              dir="ltr"
              inputMode="numeric"
              value={extensions}
              onInput={(e) => setExtensions(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('settings.language')}
            <select
              data-testid="settings-language"
              value={language}
              onChange={(e) => setLanguage(e.currentTarget.value)}
            >
              <option value="auto">{t('settings.languageAuto')}</option>
              {LOCALES.map((code) => (
                <option key={code} value={code} lang={code}>
                  {LANGUAGE_NAMES[code]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('settings.prefix')}
            <input
              dir="ltr"
              inputMode="numeric"
              value={prefix}
              onInput={(e) => setPrefix(e.currentTarget.value)}
            />
          </label>
          <div class="row">
            <button type="submit" data-testid="settings-save" disabled={save.isPending}>
              {t('settings.save')}
            </button>
            <button
              type="button"
              data-testid="settings-test-call"
              disabled={link?.state !== 'connected' || testCall.isPending}
              onClick={() => testCall.mutate()}
            >
              {t('settings.testCall')}
            </button>
            {saved ? <span class="muted">{t('settings.saved')}</span> : null}
            {saved && pairedAs ? (
              <span class="muted" data-testid="settings-paired-as">
                {t('settings.pairedAs', { name: pairedAs })}
              </span>
            ) : null}
          </div>
          {save.isError ? <p class="error">{save.error.message}</p> : null}
          {testCall.isError ? <p class="error">{testCall.error.message}</p> : null}
        </form>
      ) : (
        <p class="loading">{t('common.loading')}</p>
      )}
      <OfficeMode />
      <DealSettings />
    </div>
  );
}
