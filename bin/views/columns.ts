/** The shape of a table (pure types: the dashboard shares the CLI's table specs). */
import type { StateStyle } from './colour.ts';

/** One column of a table of `T`. */
export interface Column<T> {
  header: string;
  /** `wide`: only with `-o wide`; `narrow`: only without it (a summary the wide view spells out). */
  show?: 'always' | 'narrow' | 'wide';
  /** The cell's text. */
  cell(item: T, now: Date): string;
  /** The cell's colour on a terminal. */
  style?(cell: string): StateStyle | undefined;
}

/** A table of `T`: its columns in order, and the key its rows are sorted by (naturally, part by part). */
export interface TableSpec<T> {
  columns: Column<T>[];
  sortKey(item: T): string[];
}
