/**
 * In the page: find text that may hold a number or an address, ask the service worker what it is, and put
 * a chip after each one found. All of it in idle time and in slices of a few milliseconds, so the page is
 * never blocked; later changes are followed with one MutationObserver. The page's text is read only; the
 * chips are the only thing added to its DOM.
 */
import { MIGHT_HOLD_CONTACT } from '../../../shared/contact-hint';
import type { ScanHit, ScanItem, ScanStats } from '../../doors/content';
import { createChip, isOurChip } from './chip';

/**
 * A slice stops after this many milliseconds (or when the browser's idle period ends) and yields to the
 * page: well under the 50 ms that counts as a long task.
 */
const SLICE_MS = 16;
const BATCH = 500;
const SKIP = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'TEXTAREA',
  'INPUT',
  'SELECT',
  'OPTION',
  'SVG',
  'CANVAS',
  'IFRAME',
  'KESHER-CHIP',
  'HEAD',
  'TITLE',
]);

export interface ScannerOptions {
  signal: AbortSignal;
  ask: (items: ScanItem[]) => Promise<ScanHit[]>;
  onOpen: (hit: ScanHit) => void;
  onCapture: (hit: ScanHit, nearby: string) => void;
  onFirstPass?: (stats: ScanStats) => void;
}

type Pending = { node: Text; text: string } | { link: HTMLAnchorElement; text: string };

const idle: (callback: (deadline: { timeRemaining(): number }) => void) => void =
  typeof requestIdleCallback === 'function'
    ? (callback) => requestIdleCallback(callback, { timeout: 200 })
    : (callback) => setTimeout(() => callback({ timeRemaining: () => SLICE_MS }), 0);

export class PageScanner {
  private readonly roots: Node[] = [];
  private walker: TreeWalker | null = null;
  private readonly pending = new Map<number, Pending>();
  private batch: ScanItem[] = [];
  private readonly toApply: Array<{ hits: ScanHit[] }> = [];
  private done = new WeakSet<Node>();
  private nextId = 1;
  private scheduled = false;
  private inFlight = 0;
  private readonly started = performance.now();
  private firstPassReported = false;
  readonly stats: ScanStats = {
    startedAt: performance.now(),
    firstPassMs: 0,
    longestSliceMs: 0,
    slices: 0,
    itemsSent: 0,
    chips: 0,
  };

  constructor(
    private readonly doc: Document,
    private readonly options: ScannerOptions,
  ) {}

  start(): void {
    if (!this.doc.body) return;
    this.roots.push(this.doc.body);
    const observer = new MutationObserver((records) => this.onMutations(records));
    observer.observe(this.doc.body, { childList: true, subtree: true, characterData: true });
    this.options.signal.addEventListener('abort', () => observer.disconnect());
    this.schedule();
  }

  /** Cards changed (a lead was saved): look at the whole page again. */
  rescanAll(): void {
    this.done = new WeakSet<Node>();
    this.doc.querySelectorAll('kesher-chip').forEach((chip) => {
      if (isOurChip(chip)) chip.remove();
    });
    this.roots.push(this.doc.body);
    this.schedule();
  }

  private onMutations(records: MutationRecord[]): void {
    for (const record of records) {
      if (record.type === 'characterData') {
        if (!this.done.has(record.target)) this.roots.push(record.target);
        continue;
      }
      for (const node of Array.from(record.addedNodes)) {
        if (isOurChip(node) || this.done.has(node)) continue;
        this.roots.push(node);
      }
    }
    if (this.roots.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.options.signal.aborted) return;
    this.scheduled = true;
    idle((deadline) => {
      this.scheduled = false;
      this.slice(deadline);
    });
  }

  private slice(deadline: { timeRemaining(): number }): void {
    const start = performance.now();
    const budget = Math.min(SLICE_MS, Math.max(2, deadline.timeRemaining()));
    const expired = () => performance.now() - start > budget;
    while (!expired() && this.toApply.length > 0) this.apply(this.toApply.shift()!.hits, expired);
    while (!expired() && (this.walker || this.roots.length > 0)) this.walk(expired);
    if (this.batch.length > 0 && (!this.walker || this.batch.length >= BATCH)) this.send();
    const spent = performance.now() - start;
    this.stats.slices++;
    this.stats.longestSliceMs = Math.max(this.stats.longestSliceMs, spent);
    if (this.walker || this.roots.length > 0 || this.toApply.length > 0) this.schedule();
    else if (this.inFlight === 0) this.firstPassDone();
  }

  private firstPassDone(): void {
    if (this.firstPassReported) return;
    this.firstPassReported = true;
    this.stats.firstPassMs = performance.now() - this.started;
    this.options.onFirstPass?.({ ...this.stats });
  }

  private walk(expired: () => boolean): void {
    if (!this.walker) {
      const root = this.roots.shift()!;
      if (!root.isConnected || this.skipped(root)) return;
      if (root.nodeType === Node.TEXT_NODE) {
        this.consider(root as Text);
        return;
      }
      this.walker = this.doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
        acceptNode: (node) => {
          if (node.nodeType === Node.TEXT_NODE) return NodeFilter.FILTER_ACCEPT;
          const element = node as Element;
          if (SKIP.has(element.tagName.toUpperCase()) || (element as HTMLElement).isContentEditable)
            return NodeFilter.FILTER_REJECT;
          if (element.tagName === 'A') {
            const href = element.getAttribute('href') ?? '';
            if (/^(?:tel|mailto):/i.test(href)) {
              this.queue(
                { link: element as HTMLAnchorElement, text: href },
                href.toLowerCase().startsWith('tel:') ? 'tel' : 'mailto',
              );
              return NodeFilter.FILTER_REJECT;
            }
          }
          return NodeFilter.FILTER_SKIP;
        },
      });
    }
    let count = 0;
    while (true) {
      const node = this.walker.nextNode();
      if (!node) {
        this.walker = null;
        return;
      }
      this.consider(node as Text);
      if (++count % 64 === 0 && expired()) return;
    }
  }

  private skipped(node: Node): boolean {
    const element = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
    return (
      !element ||
      Boolean(
        element.closest(
          'script, style, textarea, input, select, noscript, template, [contenteditable=""], [contenteditable="true"], kesher-chip',
        ),
      )
    );
  }

  private consider(node: Text): void {
    if (this.done.has(node)) return;
    this.done.add(node);
    const text = node.data;
    if (text.length < 5 || !MIGHT_HOLD_CONTACT.test(text)) return;
    this.queue({ node, text }, undefined);
  }

  private queue(pending: Pending, link: ScanItem['link']): void {
    if ('link' in pending) {
      if (this.done.has(pending.link)) return;
      this.done.add(pending.link);
    }
    const id = this.nextId++;
    this.pending.set(id, pending);
    this.batch.push(link ? { id, text: pending.text, link } : { id, text: pending.text });
    if (this.batch.length >= BATCH) this.send();
  }

  private send(): void {
    const items = this.batch;
    this.batch = [];
    this.stats.itemsSent += items.length;
    this.inFlight++;
    this.options
      .ask(items)
      .then(
        (hits) => {
          if (hits.length > 0) this.toApply.push({ hits });
        },
        () => {
          // The worker said no (site no longer allowed) or is gone: leave the page as it is.
          for (const item of items) this.pending.delete(item.id);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
  }

  private apply(hits: ScanHit[], expired: () => boolean): void {
    const byItem = new Map<number, ScanHit[]>();
    for (const hit of hits) byItem.set(hit.id, [...(byItem.get(hit.id) ?? []), hit]);
    const ids = [...byItem.keys()];
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index]!;
      this.place(id, byItem.get(id)!);
      if (expired() && index < ids.length - 1) {
        // Put the rest back for the next slice.
        this.toApply.unshift({ hits: ids.slice(index + 1).flatMap((rest) => byItem.get(rest)!) });
        return;
      }
    }
  }

  private place(id: number, hits: ScanHit[]): void {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (!pending) return;
    const chipFor = (hit: ScanHit, nearby: () => string) =>
      createChip({
        kind: hit.kind,
        display: hit.display,
        card: hit.card,
        onOpen: () => this.options.onOpen(hit),
        onCapture: () => this.options.onCapture(hit, nearby()),
      });
    if ('link' in pending) {
      const hit = hits[0];
      if (!hit || !pending.link.isConnected) return;
      const chip = chipFor(hit, () => nearbyText(pending.link));
      if (chip) {
        pending.link.after(chip);
        this.stats.chips++;
      }
      return;
    }
    const { node, text } = pending;
    // The page changed the text since it was read: its new text is scanned on its own.
    if (!node.isConnected || node.data !== text) return;
    const parent = node.parentElement;
    // A number inside a link to something else still gets its chip after the link, not inside it.
    const insideLink = parent?.closest('a, button');
    for (const hit of [...hits].sort((a, b) => b.start - a.start)) {
      if (hit.end > node.data.length) continue;
      const chip = chipFor(hit, () => nearbyText(parent ?? node));
      if (!chip) continue;
      if (insideLink) {
        if (!insideLink.nextSibling || !isOurChip(insideLink.nextSibling)) insideLink.after(chip);
      } else {
        const rest = node.splitText(hit.end);
        this.done.add(rest);
        node.after(chip);
      }
      this.stats.chips++;
    }
  }
}

/** The words around a number: what the capture form reads a name and a company from. */
function nearbyText(node: Node): string {
  const element = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  const block = element?.closest('li, tr, dd, address, p, article, section, div') ?? element;
  const text = (block as HTMLElement | null)?.innerText ?? block?.textContent ?? '';
  return text.slice(0, 2000);
}
