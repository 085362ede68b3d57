/**
 * Pairing with the bridge: URL and token, the link's state in words, and a test call.
 */
import { useMutation } from '@tanstack/preact-query';
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../../messaging';
import {
  bridgeTokenItem,
  bridgeUrlItem,
  defaultCountryItem,
  type LinkState,
  linkStateItem,
  myExtensionsItem,
  outsideLinePrefixItem,
  parseExtensions,
} from '../settings/items';

const LINK_TEXT: Record<LinkState['state'], string> = {
  'not-paired': 'Not paired yet',
  connecting: 'Connecting…',
  connected: 'Connected',
  'wrong-token': 'Wrong token',
  'origin-refused': 'This extension is not allowed by the bridge',
  unreachable: 'Bridge unreachable',
  'bad-url': 'The bridge URL is not valid',
  incompatible: 'Bridge version does not match',
};

const COUNTRIES: Array<[string, string]> = [
  ['IL', 'Israel'],
  ['GR', 'Greece'],
  ['CY', 'Cyprus'],
  ['US', 'United States'],
  ['GB', 'United Kingdom'],
  ['DE', 'Germany'],
  ['FR', 'France'],
];

function useLinkState(): LinkState | null {
  const [state, setState] = useState<LinkState | null>(null);
  useEffect(() => {
    void linkStateItem.getValue().then(setState);
    return linkStateItem.watch((next) => setState(next));
  }, []);
  return state;
}

export function SettingsView() {
  const link = useLinkState();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [country, setCountry] = useState('IL');
  const [prefix, setPrefix] = useState('');
  const [extensions, setExtensions] = useState('');
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void Promise.all([
      bridgeUrlItem.getValue(),
      bridgeTokenItem.getValue(),
      defaultCountryItem.getValue(),
      outsideLinePrefixItem.getValue(),
      myExtensionsItem.getValue(),
    ]).then(([u, t, c, p, e]) => {
      setExtensions(e);
      setUrl(u);
      setToken(t);
      setCountry(c);
      setPrefix(p);
    });
  }, []);

  const save = useMutation({
    mutationFn: async () => {
      await Promise.all([
        defaultCountryItem.setValue(country),
        outsideLinePrefixItem.setValue(prefix.replace(/\D/g, '')),
        myExtensionsItem.setValue(parseExtensions(extensions).join(', ')),
        bridgeUrlItem.setValue(url.trim()),
        bridgeTokenItem.setValue(token.trim()),
      ]);
      // Saving the same values changes nothing in storage: ask the worker to reconnect regardless.
      await sendMessage('reconnect');
    },
    onSuccess: () => setSaved(true),
  });
  const testCall = useMutation({ mutationFn: () => sendMessage('testCall') });

  return (
    <div class="page-body">
      <h1>Settings</h1>
      <section class="link-box" aria-live="polite">
        <h2>Bridge</h2>
        <p class="link-state" data-testid="settings-link-state" data-state={link?.state ?? 'unknown'}>
          <span
            class={`status-dot ${link?.state === 'connected' ? 'status-green' : link?.state === 'connecting' ? 'status-yellow' : 'status-red'}`}
          />{' '}
          {link ? LINK_TEXT[link.state] : '…'}
        </p>
        {link?.detail && link.state !== 'connected' ? <p class="muted">{link.detail}</p> : null}
      </section>
      <form
        class="stack settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(false);
          save.mutate();
        }}
      >
        <label>
          Bridge URL
          <input
            data-testid="settings-bridge-url"
            dir="ltr"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
            required
          />
        </label>
        <label>
          Pairing token (printed by the bridge; npm run bridge -- --print-token)
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
          Default country for numbers without a country code
          <select
            data-testid="settings-country"
            value={country}
            onChange={(e) => setCountry(e.currentTarget.value)}
          >
            {COUNTRIES.map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Your phone extension(s), e.g. 101 (empty: every call pops here, as for a receptionist; the first one
          rings for click-to-call)
          <input
            data-testid="settings-extensions"
            dir="ltr"
            inputMode="numeric"
            value={extensions}
            onInput={(e) => setExtensions(e.currentTarget.value)}
          />
        </label>
        <label>
          Outside-line prefix your PBX adds to caller ids (leave empty if none)
          <input
            dir="ltr"
            inputMode="numeric"
            value={prefix}
            onInput={(e) => setPrefix(e.currentTarget.value)}
          />
        </label>
        <div class="row">
          <button type="submit" data-testid="settings-save" disabled={save.isPending}>
            Save and connect
          </button>
          <button
            type="button"
            data-testid="settings-test-call"
            disabled={link?.state !== 'connected' || testCall.isPending}
            onClick={() => testCall.mutate()}
          >
            Test call
          </button>
          {saved ? <span class="muted">Saved</span> : null}
        </div>
        {save.isError ? <p class="error">{save.error.message}</p> : null}
        {testCall.isError ? <p class="error">{testCall.error.message}</p> : null}
      </form>
    </div>
  );
}
