/**
 * The in-page chip: a `kesher-chip` element whose content lives in a closed shadow root. The page's styles
 * cannot reach inside (and `all: initial` on the host undoes inherited ones), and the page's scripts cannot
 * read what it shows. Everything is written with textContent: a name on a card is never HTML here.
 *
 * Content scripts have no `customElements` registry (it is null in Chrome's isolated world), so the
 * element stays undefined; a page that defines its own `kesher-chip` gets its constructor run on ours and
 * may take the shadow root first, in which case no chip is shown there.
 */
import type { ChipCard } from '../../doors/content';
import { t } from '../../ui/i18n';

const ours = new WeakSet<Element>();

export function isOurChip(node: Node): boolean {
  return node instanceof Element && ours.has(node);
}

const HOST_STYLE =
  'all: initial !important; display: inline-block !important; position: relative !important; ' +
  'vertical-align: middle !important; margin-inline-start: 4px !important; visibility: visible !important; ' +
  'opacity: 1 !important; width: auto !important; height: auto !important; z-index: 2147483000 !important;';

const SHADOW_CSS = `
:host { all: initial; }
button { all: unset; cursor: pointer; display: inline-flex; align-items: center; gap: 4px; font: 12px/1.4 system-ui, sans-serif;
  color: #1f2937; background: #f3f4f6; border: 1px solid #d1d5db; border-radius: 999px; padding: 0 6px; }
button:focus-visible { outline: 2px solid #2563eb; outline-offset: 1px; }
.light { width: 8px; height: 8px; border-radius: 50%; background: #9ca3af; flex: none; }
.green { background: #16a34a; } .yellow { background: #eab308; } .red { background: #dc2626; }
.card { display: none; position: absolute; inset-block-start: calc(100% + 4px); inset-inline-start: 0; min-width: 220px;
  max-width: 320px; background: #fff; color: #111827; border: 1px solid #d1d5db; border-radius: 8px; padding: 8px 10px;
  box-shadow: 0 4px 16px rgba(0,0,0,.15); font: 13px/1.45 system-ui, sans-serif; white-space: normal; }
:host(:hover) .card, :host(:focus-within) .card { display: block; }
.name { font-weight: 600; } .muted { color: #4b5563; }
`;

export interface ChipOptions {
  kind: 'phone' | 'email';
  display: string;
  card: ChipCard | null;
  onOpen: () => void;
  onCapture: () => void;
}

function line(text: string, className?: string): HTMLDivElement {
  const div = document.createElement('div');
  if (className) div.className = className;
  div.textContent = text;
  return div;
}

export function createChip(options: ChipOptions): HTMLElement | null {
  const host = document.createElement('kesher-chip');
  let shadow: ShadowRoot;
  try {
    shadow = host.attachShadow({ mode: 'closed' });
  } catch {
    return null;
  }
  host.setAttribute('style', HOST_STYLE);
  const style = document.createElement('style');
  style.textContent = SHADOW_CSS;
  const button = document.createElement('button');
  button.type = 'button';
  const light = document.createElement('span');
  light.className = `light ${options.card?.status ?? ''}`;
  button.append(light);
  const card = document.createElement('div');
  card.className = 'card';
  card.setAttribute('role', 'tooltip');
  if (options.card) {
    const chip = options.card;
    button.setAttribute('aria-label', t('chip.open', { name: chip.name }));
    button.append(document.createTextNode('K'));
    card.append(
      line(chip.name, 'name'),
      ...(chip.company ? [line(chip.company, 'muted')] : []),
      line(`${t(`status.${chip.status}`)} · ${t(`stage.${chip.stage as 'lead'}`)}`),
      ...(chip.statusNote ? [line(chip.statusNote, 'muted')] : []),
      line(
        chip.openTasks > 0 ? t('chip.openTasks', { count: chip.openTasks }) : t('common.noOpenTasks'),
        'muted',
      ),
    );
    button.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();
      options.onOpen();
    });
  } else {
    button.setAttribute('aria-label', t('chip.capture', { value: options.display }));
    button.append(document.createTextNode('+'));
    card.append(line(options.display, 'name'), line(t('chip.captureHint'), 'muted'));
    button.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();
      options.onCapture();
    });
  }
  shadow.append(style, button, card);
  ours.add(host);
  return host;
}
