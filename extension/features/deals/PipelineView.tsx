/**
 * The pipeline board: one column per stage, a card per deal with its value and owner, each column's
 * total; filters by owner and close month. A deal moves by drag and drop or from the keyboard (focus it,
 * Ctrl+← / Ctrl+→, following the columns as they are laid out, right to left in Hebrew and Arabic); the
 * move is logged on the card's timeline and the card follows the stage rules.
 */
import { useQuery, useQueryClient } from '@tanstack/preact-query';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { monthOf } from '../../../shared/deals';
import { DEAL_STAGES, type Deal, type DealStage } from '../../../shared/records';
import { moveDealTo } from '../../db/deals';
import { formatMoney } from '../../ui/format';
import { dirOf, locale, t } from '../../ui/i18n';
import { cardSearch, changed, db } from '../app-shell/page-db';
import { onDataChanged } from '../app-shell/query';
import { useDealSettings } from './use-deal-settings';
import { DealLine } from './DealForm';

const PIPELINE_KEY = ['pipeline'] as const;
/** Deals a column shows at first (closing soonest first); "Show more" adds as many again. */
const COLUMN_PAGE = 25;
/**
 * Deals a column paints in the board's first frame (about a screen's worth); the rest of its first page
 * follows in the next frame, so opening a large board never holds one frame for the whole of it.
 */
const FIRST_PAINT = 8;
/** Records per read while loading the board. */
const READ_PAGE = 500;

/** Cards' names by id, as the board last read them: a refetch reads only the cards it does not know. */
const names = new Map<string, string>();
// A change made elsewhere (another page, another desk) may have renamed a card: read them again then.
onDataChanged(() => {
  if (Date.now() - ownMoveAt > 2_000) names.clear();
});
let ownMoveAt = 0;

/** Every deal, read a page at a time (one large read would hold the page for its whole deserialising). */
async function allDeals(): Promise<Deal[]> {
  const out: Deal[] = [];
  let after = '';
  for (;;) {
    const page = await db.deals.where(':id').above(after).limit(READ_PAGE).toArray();
    out.push(...page);
    if (page.length < READ_PAGE) return out;
    after = page.at(-1)!.id;
  }
}

interface Pipeline {
  deals: Deal[];
  names: ReadonlyMap<string, string>;
  board: Board;
  owners: string[];
}

async function loadPipeline(): Promise<Pipeline> {
  const deals = await allDeals();
  // The cards' search list, when this page has it already, knows the names: only other cards are read.
  const known = cardSearch.names() ?? new Map<string, string>();
  const missing = [...new Set(deals.map((deal) => deal.cardId))].filter(
    (id) => !known.has(id) && !names.has(id),
  );
  for (let start = 0; start < missing.length; start += READ_PAGE) {
    const ids = missing.slice(start, start + READ_PAGE);
    const cards = await db.cards.bulkGet(ids);
    for (const card of cards) if (card) names.set(card.id, card.name);
  }
  // A deal whose card is gone (deleted elsewhere meanwhile) is not on the board.
  const merged = new Map([...known, ...names]);
  const onBoard = deals.filter((deal) => merged.has(deal.cardId));
  // Sorted here, in the read, not in the render that paints the board.
  return {
    deals: onBoard,
    names: merged,
    board: byStage(onBoard),
    owners: [...new Set(onBoard.map((deal) => deal.owner ?? '').filter(Boolean))].sort(),
  };
}

/** The board's columns, each sorted closing soonest first, and each deal's close month ('' for none). */
interface Board {
  columns: Record<DealStage, Deal[]>;
  months: Map<string, string>;
}

const closing = (deal: Deal) => deal.expectedClose ?? Number.POSITIVE_INFINITY;

function byStage(deals: readonly Deal[]): Board {
  const columns = Object.fromEntries(DEAL_STAGES.map((stage) => [stage, [] as Deal[]])) as Record<
    DealStage,
    Deal[]
  >;
  const months = new Map<string, string>();
  for (const deal of deals) {
    columns[deal.stage]?.push(deal);
    months.set(deal.id, deal.expectedClose === undefined ? '' : monthOf(deal.expectedClose));
  }
  for (const stage of DEAL_STAGES) columns[stage].sort((a, b) => closing(a) - closing(b));
  return { columns, months };
}

/** The board after one deal changed: only its old and new columns are copied; the new one stays sorted. */
function withDeal(board: Board, deal: Deal): Board {
  const columns = { ...board.columns };
  for (const stage of DEAL_STAGES) {
    const index = columns[stage].findIndex((item) => item.id === deal.id);
    if (index >= 0) columns[stage] = columns[stage].toSpliced(index, 1);
  }
  const column = columns[deal.stage];
  let at = column.findIndex((item) => closing(item) > closing(deal));
  if (at < 0) at = column.length;
  columns[deal.stage] = column.toSpliced(at, 0, deal);
  const months = new Map(board.months);
  months.set(deal.id, deal.expectedClose === undefined ? '' : monthOf(deal.expectedClose));
  return { columns, months };
}

/** A column's first `count` deals, and any deal moved there meanwhile (it stays where the user can see it). */
function visible(deals: readonly Deal[], count: number, pinned: ReadonlySet<string>): Deal[] {
  if (deals.length <= count) return [...deals];
  return deals.filter((deal, index) => index < count || pinned.has(deal.id));
}

const EMPTY_BOARD = byStage([]);

/**
 * A board read again (after any change, this page's own move included) that holds the same deals and names
 * as the one shown is the one shown: nothing renders again. A change to one deal, or to one name, does
 * not make the board compare its thousands of deals field by field (the query's own sharing did).
 */
function keepSame(before: unknown, after: unknown): Pipeline {
  const old = before as Pipeline | undefined;
  const next = after as Pipeline;
  if (!old || old.deals.length !== next.deals.length || old.names.size !== next.names.size) return next;
  const known = new Map(old.deals.map((deal) => [deal.id, deal]));
  const same = next.deals.every((deal) => {
    const shown = known.get(deal.id);
    return shown !== undefined && shown.updatedAt === deal.updatedAt && shown.stage === deal.stage;
  });
  if (!same) return next;
  for (const [id, name] of next.names) if (old.names.get(id) !== name) return next;
  return old;
}

export function PipelineView() {
  const client = useQueryClient();
  const data = useQuery({ queryKey: PIPELINE_KEY, queryFn: loadPipeline, structuralSharing: keepSame });
  const [owner, setOwner] = useState('');
  const [month, setMonth] = useState('');
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  /** How many deals each column shows, and the deals moved here, shown wherever they land. */
  const [shownPerColumn, setShownPerColumn] = useState<Partial<Record<DealStage, number>>>({});
  const [pinned, setPinned] = useState<ReadonlySet<string>>(new Set());
  /** The deal just moved from the keyboard: it gets the focus back once it shows in its new column. */
  const focusAfter = useRef<{ id: string; stage: DealStage } | null>(null);
  const { currency } = useDealSettings();
  const [painted, setPainted] = useState(false);
  const loaded = data.data !== undefined;
  useEffect(() => {
    if (!loaded || painted) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setPainted(true));
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [loaded, painted]);

  const deals = data.data?.deals ?? [];
  /** Each stage's deals, closing soonest first, with each one's close month: worked out once per read. */
  const board = data.data?.board ?? EMPTY_BOARD;
  const owners = data.data?.owners ?? [];
  const months = useMemo(() => [...new Set(board.months.values())].filter(Boolean).sort(), [board]);
  const columns = useMemo(
    () =>
      DEAL_STAGES.map((stage) => ({
        stage,
        deals:
          owner || month
            ? board.columns[stage].filter(
                (deal) => (!owner || deal.owner === owner) && (!month || board.months.get(deal.id) === month),
              )
            : board.columns[stage],
      })).map((column) => ({
        ...column,
        total: column.deals
          .filter((deal) => deal.currency === currency)
          .reduce((sum, deal) => sum + deal.value, 0),
      })),
    [board, owner, month, currency],
  );

  const move = async (deal: Deal, stage: DealStage) => {
    if (deal.stage === stage) return;
    setError('');
    try {
      const { deal: moved, cardChanged } = await moveDealTo(db, deal.id, stage);
      focusAfter.current = { id: deal.id, stage };
      setPinned((before) => new Set([...before, deal.id]));
      // On the board at once; the other pages and desks hear of it after.
      client.setQueryData<Pipeline>(PIPELINE_KEY, (before) =>
        before
          ? {
              ...before,
              deals: before.deals.map((item) => (item.id === moved.id ? moved : item)),
              board: withDeal(before.board, moved),
            }
          : before,
      );
      setSaid(t('pipeline.moved', { title: deal.title, stage: t(`dealStage.${stage}`) }));
      ownMoveAt = Date.now();
      // Only a card whose stage followed (a win) needs the search list read again.
      await changed({ cards: cardChanged });
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  // The moved deal keeps the keyboard's focus in its new column.
  useEffect(() => {
    const wanted = focusAfter.current;
    if (!wanted || deals.find((item) => item.id === wanted.id)?.stage !== wanted.stage) return;
    focusAfter.current = null;
    document.querySelector<HTMLElement>(`[data-deal-id="${CSS.escape(wanted.id)}"]`)?.focus();
  });

  const onKey = (deal: Deal, event: KeyboardEvent) => {
    if (!event.ctrlKey || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    event.preventDefault();
    // The next stage is the next column as laid out: to the left in a right-to-left page.
    const forward = (event.key === 'ArrowRight') !== (dirOf(locale()) === 'rtl');
    const index = DEAL_STAGES.indexOf(deal.stage) + (forward ? 1 : -1);
    const stage = DEAL_STAGES[index];
    if (stage) void move(deal, stage);
  };

  return (
    <div class="page-body wide" data-testid="app-pipeline">
      <h1>{t('pipeline.title')}</h1>
      <div class="toolbar">
        <select
          aria-label={t('deals.owner')}
          value={owner}
          onChange={(event) => setOwner(event.currentTarget.value)}
        >
          <option value="">{t('pipeline.allOwners')}</option>
          {owners.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <select
          aria-label={t('deals.close')}
          value={month}
          onChange={(event) => setMonth(event.currentTarget.value)}
        >
          <option value="">{t('pipeline.allMonths')}</option>
          {months.map((item) => (
            <option key={item} value={item}>
              {new Date(`${item}-01T00:00:00`).toLocaleDateString(locale(), {
                month: 'long',
                year: 'numeric',
              })}
            </option>
          ))}
        </select>
        <span class="muted">{t('pipeline.hint')}</span>
      </div>
      <p class="sr-status" role="status" data-testid="pipeline-status">
        {said}
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="pipeline">
        {columns.map((column) => {
          const total = column.total;
          return (
            <section
              key={column.stage}
              class="pipeline-column"
              data-testid="pipeline-column"
              data-stage={column.stage}
              aria-label={t(`dealStage.${column.stage}`)}
              onDragOver={(event) => event.preventDefault()}
              onDrop={(event) => {
                event.preventDefault();
                const id = event.dataTransfer?.getData('text/x-kesher-deal');
                const deal = deals.find((item) => item.id === id);
                if (deal) void move(deal, column.stage);
              }}
            >
              <h2>{t(`dealStage.${column.stage}`)}</h2>
              <p class="muted" data-testid="pipeline-total">
                {t('pipeline.total', {
                  count: column.deals.length,
                  value: formatMoney(total, currency, locale()),
                })}
              </p>
              <ul>
                {visible(
                  column.deals,
                  painted ? (shownPerColumn[column.stage] ?? COLUMN_PAGE) : FIRST_PAINT,
                  pinned,
                ).map((deal) => (
                  <li key={deal.id}>
                    {/* The deal itself: Enter opens it on its card, Ctrl+arrows move it, the mouse drags it. */}
                    <a
                      class="pipeline-deal"
                      data-testid="pipeline-deal"
                      data-deal-id={deal.id}
                      draggable
                      onDragStart={(event) => event.dataTransfer?.setData('text/x-kesher-deal', deal.id)}
                      onKeyDown={(event) => onKey(deal, event)}
                      href={`#/cards/${encodeURIComponent(deal.cardId)}?deal=${encodeURIComponent(deal.id)}`}
                    >
                      <bdi>{data.data?.names.get(deal.cardId)}</bdi>
                      <DealLine deal={deal} />
                    </a>
                  </li>
                ))}
              </ul>
              {column.deals.length > (shownPerColumn[column.stage] ?? COLUMN_PAGE) ? (
                <button
                  type="button"
                  class="link"
                  onClick={() =>
                    setShownPerColumn((before) => ({
                      ...before,
                      [column.stage]: (before[column.stage] ?? COLUMN_PAGE) + COLUMN_PAGE,
                    }))
                  }
                >
                  {t('pipeline.more', {
                    count: Math.min(
                      COLUMN_PAGE,
                      column.deals.length - (shownPerColumn[column.stage] ?? COLUMN_PAGE),
                    ),
                  })}
                </button>
              ) : null}
            </section>
          );
        })}
      </div>
    </div>
  );
}
