/**
 * In the page (the capture script): what the page offers about a person or business, as plain data.
 * Reads only; nothing is written into the page. JSON-LD is parsed as JSON (never evaluated); every string is
 * length-capped so a hostile page cannot flood the worker.
 */
import type { PageCapture } from '../../doors/content';

const MAX_TEXT = 4000;
const MAX_ITEMS = 20;
const clip = (value: string | null | undefined, max = 200) =>
  (value ?? '').replace(/\s+/g, ' ').trim().slice(0, max);

function jsonLd(doc: Document): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  for (const script of Array.from(doc.querySelectorAll('script[type="application/ld+json"]')).slice(
    0,
    MAX_ITEMS,
  )) {
    try {
      const parsed: unknown = JSON.parse(script.textContent ?? '');
      if (parsed && typeof parsed === 'object') blocks.push(parsed as Record<string, unknown>);
    } catch {
      // A broken block on someone else's page: the other sources still count.
    }
  }
  return blocks;
}

/** `mailto:dana@acme.co.il?subject=Hi` → the address; `tel:+972…;ext=12` → the number (never the query). */
function linkTarget(href: string): string {
  const target = href.replace(/^(?:tel|mailto):/i, '').split(/[?;]/)[0] ?? '';
  try {
    return decodeURIComponent(target);
  } catch {
    return target;
  }
}

/** The text of an element as a parser reads it: value attributes first, an image's alt, else its text. */
function parsedValue(element: Element, linkHref = true): string {
  const href = element.getAttribute('href') ?? '';
  const value =
    element.getAttribute('content') ??
    (element.tagName === 'ABBR' ? element.getAttribute('title') : null) ??
    (element.tagName === 'DATA' || element.tagName === 'INPUT' ? element.getAttribute('value') : null) ??
    (element.tagName === 'IMG' || element.tagName === 'AREA' ? element.getAttribute('alt') : null) ??
    (linkHref && element.tagName === 'A' && /^(?:tel|mailto):/i.test(href) ? linkTarget(href) : null) ??
    element.textContent;
  return clip(value);
}

/**
 * Text of a microformat / microdata property. The value-class pattern first: "<span class=type>Work</span>
 * (preferred): <span class=value>+1 415 555 100</span>" is the number alone (its label is the type).
 */
function propertyText(element: Element): string {
  const parts = Array.from(element.querySelectorAll('.value')).filter((part) => {
    const outer = part.parentElement?.closest('.value');
    return !outer || !element.contains(outer);
  });
  // A value part gives its text, as the value-class pattern says (not its link's target).
  if (parts.length > 0) return clip(parts.map((part) => parsedValue(part, false)).join(''));
  return parsedValue(element);
}

/** The label of a value-class property: its `.type` parts ("Work", "pref") → "work". */
function typeOf(element: Element): string | undefined {
  const types = Array.from(element.querySelectorAll('.type'))
    .map((type) => clip(type.textContent).toLowerCase())
    .filter((type) => type && type !== 'pref' && type !== 'voice');
  return types[0];
}

/**
 * An h-card's name when it has no p-name (the microformats "implied name"): an image's or area's alt, an
 * abbr's title, the same of its only child (or grandchild), else its text.
 */
function impliedName(root: Element): string | undefined {
  const own = (element: Element) =>
    element.tagName === 'IMG' || element.tagName === 'AREA'
      ? element.getAttribute('alt')
      : element.tagName === 'ABBR'
        ? element.getAttribute('title')
        : null;
  const onlyChild = (element: Element) => {
    const children = Array.from(element.children);
    if (children.length !== 1) return undefined;
    const child = children[0]!;
    if (/\b(?:h-|vcard\b)/.test(child.getAttribute('class') ?? '')) return undefined;
    return child;
  };
  let value = own(root);
  const child = onlyChild(root);
  if (!value && child) value = own(child) ?? (onlyChild(child) ? own(onlyChild(child)!) : null);
  if (value) return clip(value);
  const text = clip(root.textContent);
  return text || undefined;
}

function inside(root: Element, selector: string, nested: string): Element[] {
  // Properties of this card, not of a card nested in it (an h-card's h-org is its own card).
  return Array.from(root.querySelectorAll(selector)).filter((element) => {
    const owner = element.parentElement?.closest(nested) ?? null;
    return owner === root || owner === null || !root.contains(owner);
  });
}

function microformatCards(doc: Document): PageCapture['cards'] {
  const cards: PageCapture['cards'] = [];
  for (const root of Array.from(doc.querySelectorAll('.h-card, .vcard')).slice(0, MAX_ITEMS)) {
    if (root.parentElement?.closest('.h-card, .vcard')) continue;
    const first = (selector: string) => {
      const element = inside(root, selector, '.h-card, .vcard')[0];
      return element ? propertyText(element) : undefined;
    };
    const all = (selector: string) =>
      inside(root, selector, '.h-card, .vcard').map(propertyText).filter(Boolean);
    const nestedOrg = root.querySelector('.h-org, .p-org.h-card');
    const name = first('.p-name, .fn') ?? impliedName(root);
    const org = nestedOrg ? clip(nestedOrg.textContent) : first('.p-org, .org');
    const tels = inside(root, '.p-tel, .tel', '.h-card, .vcard');
    cards.push({
      name,
      org,
      title: first('.p-job-title, .title, .p-role, .role'),
      tel: tels.map(propertyText),
      telLabels: tels.map((tel) => typeOf(tel) ?? 'phone'),
      email: [...new Set(all('.u-email, .email'))],
      // An organisation's own card: its name is its organisation (hCard's "fn org"), or it is an h-org.
      kind:
        root.classList.contains('h-org') ||
        (name && org && name === org) ||
        root.querySelector('.fn.org, .p-name.p-org')
          ? 'company'
          : 'person',
    });
  }
  for (const root of Array.from(doc.querySelectorAll('[itemscope][itemtype]')).slice(0, MAX_ITEMS)) {
    const type = root.getAttribute('itemtype') ?? '';
    if (
      !/schema\.org\/(?:Person|Organization|LocalBusiness|Restaurant|Store|Corporation|\w+Business)$/i.test(
        type,
      )
    )
      continue;
    const own = (name: string) =>
      Array.from(root.querySelectorAll(`[itemprop~="${name}"]`)).filter(
        (element) => element.parentElement?.closest('[itemscope]') === root,
      );
    const name = own('name')[0];
    cards.push({
      name: name ? propertyText(name) : undefined,
      org: own('worksFor').map(propertyText)[0],
      title: own('jobTitle').map(propertyText)[0],
      tel: own('telephone').map(propertyText),
      email: own('email').map(propertyText),
      kind: /schema\.org\/Person$/i.test(type) ? 'person' : 'company',
    });
  }
  return cards;
}

function links(doc: Document, scheme: 'tel:' | 'mailto:'): string[] {
  return Array.from(doc.querySelectorAll(`a[href^="${scheme}" i]`))
    .slice(0, MAX_ITEMS)
    .map((link) => clip(link.getAttribute('href'), 300));
}

function openGraph(doc: Document): Record<string, string> {
  const og: Record<string, string> = {};
  for (const meta of Array.from(doc.querySelectorAll('meta[property^="og:"], meta[property^="business:"]'))) {
    const key = meta.getAttribute('property') ?? '';
    if (key && !(key in og)) og[key] = clip(meta.getAttribute('content'));
  }
  return og;
}

/** The page's own vCard link: only on the same site (the page's own file), fetched as text. */
async function linkedVCard(doc: Document, linkUrl: string | undefined): Promise<string | undefined> {
  const candidates = [
    linkUrl,
    ...Array.from(
      doc.querySelectorAll('a[href$=".vcf" i], a[type="text/vcard"], a[type="text/x-vcard"]'),
    ).map((link) => (link as HTMLAnchorElement).href),
  ].filter((url): url is string => Boolean(url) && /\.vcf(?:$|\?)|vcard/i.test(url ?? ''));
  for (const url of candidates.slice(0, 2)) {
    try {
      if (new URL(url, doc.baseURI).origin !== doc.defaultView?.location.origin) continue;
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) continue;
      return (await response.text()).slice(0, 200_000);
    } catch {
      // Not reachable: the other sources still count.
    }
  }
  return undefined;
}

export async function readPage(doc: Document, linkUrl?: string): Promise<PageCapture> {
  const selection = doc.getSelection()?.toString() ?? '';
  return {
    url: doc.defaultView?.location.href ?? doc.URL,
    title: clip(doc.title),
    selection: selection.slice(0, MAX_TEXT),
    jsonLd: jsonLd(doc),
    cards: microformatCards(doc),
    tel: links(doc, 'tel:'),
    mailto: links(doc, 'mailto:'),
    og: openGraph(doc),
    vcard: await linkedVCard(doc, linkUrl),
    linkUrl,
  };
}
