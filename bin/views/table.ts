/**
 * Tables like kubectl's: borderless, a header row, one row per item in natural name order, states
 * coloured on a terminal. The default view keeps to about 120 columns; `-o wide` adds the rest.
 */
import { styleText } from 'node:util';
import Table from 'cli-table3';
import type { StateStyle } from './colour.ts';
import type { Column, TableSpec } from './columns.ts';

export type { Column, TableSpec };

import { compareKeys } from './sort.ts';

/**
 * Colour on a terminal only: `util.styleText` checks the stream (no colour when stdout is not a TTY, when
 * NO_COLOR or NODE_DISABLE_COLORS is set, or when the terminal has none; FORCE_COLOR forces it).
 */
function paint(style: StateStyle | undefined, text: string): string {
  return style ? styleText(style, text, { stream: process.stdout }) : text;
}

/** What a table shows. */
export interface TableOptions {
  wide?: boolean;
  now?: Date;
}

/** The headers of the view (`wide` or not), in order. */
export function headers<T>(spec: TableSpec<T>, wide = false): string[] {
  return visible(spec, wide).map((c) => c.header);
}

function visible<T>(spec: TableSpec<T>, wide: boolean): Column<T>[] {
  return spec.columns.filter(
    (c) => (c.show ?? 'always') === 'always' || c.show === (wide ? 'wide' : 'narrow'),
  );
}

/** The rows of `items` as plain cells keyed by header, in natural order (no colour). */
export function tableRows<T>(spec: TableSpec<T>, items: readonly T[], options: TableOptions = {}) {
  const now = options.now ?? new Date();
  return sorted(spec, items).map((item) =>
    Object.fromEntries(visible(spec, options.wide ?? false).map((c) => [c.header, c.cell(item, now)])),
  );
}

function sorted<T>(spec: TableSpec<T>, items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareKeys(spec.sortKey(a), spec.sortKey(b)));
}

/** The table of `items`; "No resources found." when there are none. */
export function formatTable<T>(spec: TableSpec<T>, items: readonly T[], options: TableOptions = {}): string {
  if (items.length === 0) return 'No resources found.';
  const now = options.now ?? new Date();
  const columns = visible(spec, options.wide ?? false);
  return renderTable(
    columns.map((c) => c.header),
    sorted(spec, items).map((item) =>
      columns.map((c) => {
        const text = c.cell(item, now);
        return paint(c.style?.(text), text);
      }),
    ),
  );
}

/** A borderless table of ready cells (three spaces between columns, like kubectl). */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: [...head],
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '   ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push([...row]);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
