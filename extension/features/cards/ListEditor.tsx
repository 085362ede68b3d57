/**
 * One editor for a card's lists (phones, emails, custom fields): a row per item with its inputs, a remove
 * button per row, and an add button. The caller says what a row's inputs are; the rows are plain data.
 */
import type { ComponentChildren } from 'preact';
import { removeAt, replaceAt } from './draft';

export interface ListColumn<T> {
  key: keyof T & string;
  label: string;
  dir?: 'ltr' | 'auto';
  inputMode?: 'tel' | 'email' | 'text';
  class?: string;
  testId?: string;
}

export function ListEditor<T extends object>({
  legend,
  class: className,
  items,
  columns,
  onChange,
  empty,
  addLabel,
  removeLabel,
  after,
}: {
  legend: string;
  class?: string;
  items: T[];
  columns: Array<ListColumn<T>>;
  onChange: (items: T[]) => void;
  /** A new row. */
  empty: () => T;
  addLabel: string;
  removeLabel: string;
  /** Anything shown after a row's inputs (a call button beside a number). */
  after?: (item: T) => ComponentChildren;
}) {
  return (
    <fieldset class={className}>
      <legend>{legend}</legend>
      {items.map((item, index) => (
        <div class="row" key={index}>
          {columns.map((column) => (
            <input
              key={column.key}
              class={column.class}
              dir={column.dir ?? 'auto'}
              inputMode={column.inputMode}
              data-testid={column.testId}
              aria-label={column.label}
              value={String(item[column.key] ?? '')}
              onInput={(e) =>
                onChange(replaceAt(items, index, { ...item, [column.key]: e.currentTarget.value }))
              }
            />
          ))}
          {after?.(item)}
          <button type="button" aria-label={removeLabel} onClick={() => onChange(removeAt(items, index))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...items, empty()])}>
        {addLabel}
      </button>
    </fieldset>
  );
}
