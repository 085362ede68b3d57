import { storage } from 'wxt/utils/storage';
import type { PhoneOptions } from '../../../shared/phone';
import { buildCard, saveCard, updateCard } from '../../db/cards';
import type { Card, KesherDb } from '../../db/db';
import { emailLogged, logCapture, logEmail } from '../../db/interactions';
import { type GmailContext, tabDoor } from '../../doors/content';
import type { PanelView } from '../../doors/page';
import { type CaptureDraft, draftFromEmail } from '../capture/capture-draft';
import { cardsByEmail, cardsByPhoneKeys, domainKey } from '../page-contacts/lookup';
import { cardView } from '../screen-pop/pop-view';
import { parsePhone, strongKeys } from '../../../shared/phone';
import { type FoundContact, phoneContact } from '../../../shared/page-contacts';

interface TabPanel {
  url: string;
  gmail?: GmailContext;
  capture?: CaptureDraft;
  /** The card the last save on this tab made or extended. */
  savedCardId?: string;
  focus?: string;
  at: number;
}

const sessionTabs = storage.defineItem<Record<string, TabPanel>>('session:panelTabs', { fallback: {} });
const MAX_TABS = 50;

export class PanelService {
  private readonly tabs = new Map<number, TabPanel>();
  /** Tabs whose content scripts talk to the worker: told to look again when cards change. */
  readonly contentTabs = new Set<number>();

  constructor(
    private readonly db: KesherDb,
    private readonly phone: () => PhoneOptions,
    private readonly onChange: (tabId: number) => void,
  ) {}

  async restore(): Promise<void> {
    for (const [tabId, panel] of Object.entries(await sessionTabs.getValue())) {
      if (!this.tabs.has(Number(tabId))) this.tabs.set(Number(tabId), panel);
    }
  }

  private save(tabId: number): void {
    const oldest = [...this.tabs.entries()].sort((a, b) => a[1].at - b[1].at);
    while (oldest.length > MAX_TABS) this.tabs.delete(oldest.shift()![0]);
    void sessionTabs.setValue(Object.fromEntries(this.tabs));
    this.onChange(tabId);
  }

  forget(tabId: number): void {
    this.contentTabs.delete(tabId);
    if (this.tabs.delete(tabId)) this.save(tabId);
  }

  setGmail(tabId: number, context: GmailContext): void {
    const previous = this.tabs.get(tabId);
    const sameThread =
      previous?.gmail?.messageId === context.messageId && previous?.gmail?.view === context.view;
    this.tabs.set(tabId, {
      url: context.threadUrl,
      gmail: context,
      // A capture started on this tab stays until the thread changes.
      capture: sameThread ? previous?.capture : undefined,
      focus: sameThread ? previous?.focus : undefined,
      at: Date.now(),
    });
    this.save(tabId);
  }

  setCapture(tabId: number, draft: CaptureDraft): void {
    const previous = this.tabs.get(tabId);
    this.tabs.set(tabId, {
      ...previous,
      url: draft.sourceUrl,
      capture: draft,
      savedCardId: undefined,
      at: Date.now(),
    });
    this.save(tabId);
  }

  setFocus(tabId: number, focus: string | undefined): void {
    const panel = this.tabs.get(tabId);
    if (!panel) return;
    panel.focus = focus;
    this.save(tabId);
  }

  async view(tabId: number, focus?: string): Promise<PanelView> {
    const panel = this.tabs.get(tabId);
    const empty: PanelView = { tabId, mode: 'empty', people: [], duplicates: [] };
    if (!panel) return empty;
    if (panel.capture) return this.captureView(tabId, panel);
    if (!panel.gmail || panel.gmail.view === 'none') return empty;
    const gmail = panel.gmail;
    const found = await cardsByEmail(
      this.db,
      gmail.people.map((person) => person.email),
    );
    const people = gmail.people.map((person) => {
      const card = found.get(person.email.toLowerCase());
      return {
        key: person.email.toLowerCase(),
        name: person.name,
        email: person.email,
        role: person.role,
        status: card?.status,
        known: Boolean(card),
      };
    });
    const selected = [focus, panel.focus, people[0]?.key].find(
      (key) => key && people.some((person) => person.key === key),
    );
    const person = gmail.people.find((item) => item.email.toLowerCase() === selected);
    const view: PanelView = { tabId, mode: 'gmail', people, selected, duplicates: [] };
    if (gmail.view === 'thread') {
      view.email = {
        subject: gmail.subject,
        at: gmail.at,
        dateText: gmail.dateText,
        threadUrl: gmail.threadUrl,
        messageId: gmail.messageId,
        logged: false,
      };
    }
    if (!person) return view;
    const card = found.get(person.email.toLowerCase());
    if (card) {
      view.card = (await cardView(this.db, card.id)) ?? undefined;
      view.matchedBy = card.emailKeys.includes(person.email.toLowerCase()) ? 'email' : 'domain';
      if (view.email && gmail.messageId) {
        view.email.logged = await emailLogged(this.db, card.id, gmail.messageId);
      }
    }
    if (!card || view.matchedBy === 'domain') {
      // Unknown sender (or only their company is known): the capture form, prefilled from the message.
      const draft = draftFromEmail(
        person,
        person.role === 'from' ? gmail.signature : undefined,
        gmail.threadUrl,
        gmail.subject,
        this.phone(),
      );
      if (card?.kind === 'company') {
        draft.company = card.name;
        draft.companyId = card.id;
      }
      view.draft = draft;
    }
    return view;
  }

  private async captureView(tabId: number, panel: TabPanel): Promise<PanelView> {
    const draft = panel.capture!;
    const view: PanelView = { tabId, mode: 'capture', people: [], draft, duplicates: [] };
    if (panel.savedCardId) {
      view.card = (await cardView(this.db, panel.savedCardId)) ?? undefined;
      view.saved = true;
      return view;
    }
    view.duplicates = (await this.duplicatesOf(draft)).map((card) => ({
      id: card.id,
      name: card.name,
      company: card.company,
      status: card.status,
    }));
    return view;
  }

  /** Cards with the same address or number (never by domain or suffix). */
  async duplicatesOf(draft: Pick<CaptureDraft, 'emails' | 'phones'>): Promise<Card[]> {
    const byEmail = await cardsByEmail(this.db, draft.emails);
    const phones = draft.phones
      .map((item) => phoneContact(item.raw, this.phone()))
      .filter((item): item is FoundContact => item !== null);
    const byPhone = await cardsByPhoneKeys(this.db, phones);
    const cards = new Map<string, Card>();
    for (const [email, card] of byEmail) if (card.emailKeys.includes(email)) cards.set(card.id, card);
    for (const card of byPhone.values()) cards.set(card.id, card);
    return [...cards.values()];
  }

  /** Save the form as a new lead: its source page is kept on the card and in its timeline. */
  async saveCapture(tabId: number, draft: CaptureDraft): Promise<Card> {
    const name = draft.name.trim() || draft.emails[0] || draft.phones[0]?.raw || '';
    if (!name) throw new Error('A lead needs a name, an address or a number');
    const at = Date.now();
    const card = await saveCard(
      this.db,
      buildCard(
        {
          name,
          kind: draft.kind,
          stage: 'lead',
          company: draft.company,
          companyId: draft.companyId,
          title: draft.title,
          emails: draft.emails,
          phones: draft.phones,
          source: { url: draft.sourceUrl, at },
        },
        this.phone(),
        at,
      ),
    );
    await this.logCapture(card.id, draft, at);
    this.saved(tabId, card.id);
    return card;
  }

  /** "Add to the existing card": the new addresses and numbers join it; nothing on it is overwritten. */
  async addToCard(tabId: number, cardId: string, draft: CaptureDraft): Promise<Card> {
    const existing = await this.db.cards.get(cardId);
    if (!existing) throw new Error('That card is gone');
    const known = new Set(existing.phoneKeys);
    const phones = draft.phones.filter(
      (item) => !strongKeys(parsePhone(item.raw, this.phone()).keys).some((key) => known.has(key)),
    );
    const emails = draft.emails.filter((email) => !existing.emailKeys.includes(email.trim().toLowerCase()));
    const card = await updateCard(
      this.db,
      cardId,
      {
        emails: [...existing.emails, ...emails],
        phones: [...existing.phones, ...phones],
        title: existing.title || draft.title,
        company: existing.company || draft.company,
        source: existing.source ?? { url: draft.sourceUrl, at: Date.now() },
      },
      this.phone(),
    );
    await this.logCapture(cardId, draft, Date.now());
    this.saved(tabId, cardId);
    return card;
  }

  private async logCapture(cardId: string, draft: CaptureDraft, at: number): Promise<void> {
    await logCapture(this.db, cardId, { title: draft.sourceTitle, url: draft.sourceUrl }, at);
  }

  private saved(tabId: number, cardId: string): void {
    const panel = this.tabs.get(tabId);
    if (panel?.capture && !panel.gmail) panel.savedCardId = cardId;
    else if (panel) {
      // Gmail: the saved card is found by the sender's address from now on; back to the thread's view.
      panel.capture = undefined;
    }
    if (panel) this.save(tabId);
  }

  /** "Log this email": subject, date and a link back to the thread; the text only when asked for. */
  async logEmail(tabId: number, cardId: string, body?: string): Promise<void> {
    const gmail = this.tabs.get(tabId)?.gmail;
    if (gmail?.view !== 'thread') throw new Error('No email is open in that tab');
    const from = gmail.people.find((person) => person.role === 'from');
    const card = await this.db.cards.get(cardId);
    const inbound = Boolean(
      from &&
        card?.emailKeys.some((key) => key === from.email.toLowerCase() || key === domainKey(from.email)),
    );
    const logged = await logEmail(this.db, {
      cardId,
      subject: gmail.subject,
      body,
      at: gmail.at ?? Date.now(),
      direction: inbound ? 'inbound' : 'outbound',
      url: gmail.threadUrl,
      messageId: gmail.messageId,
    });
    if (logged) this.onChange(tabId);
  }

  /** Cards changed: open panels refresh (onChange) and pages with chips look again. */
  rescanPages(): void {
    for (const tabId of this.contentTabs) {
      tabDoor.sendToTab({ tabId }, 'rescan').catch(() => this.contentTabs.delete(tabId));
    }
  }
}
