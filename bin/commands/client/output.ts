/** Output formats of the commands that show resources: tables (cli-table3), JSON and YAML. */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { CliError, EXIT_USAGE } from '../cli-error.ts';

/** `-o` values. */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

const FORMATS: OutputFormat[] = ['table', 'wide', 'json', 'yaml'];

/** Adds `-o, --output`. */
export function withOutput(command: Command): Command {
  return command.option('-o, --output <format>', `output format: ${FORMATS.join('|')}`, 'table');
}

/** Checks an `-o` value (a usage error otherwise). */
export function outputFormat(value: string | undefined): OutputFormat {
  const format = (value ?? 'table') as OutputFormat;
  if (!FORMATS.includes(format)) {
    throw new CliError(`-o ${value}: expected one of ${FORMATS.join(', ')}`, EXIT_USAGE);
  }
  return format;
}

/** A borderless table like kubectl's: a header row and one row per item. */
export function renderTable(columns: readonly string[], rows: Record<string, string>[]): string {
  if (rows.length === 0) return 'No resources found.';
  const table = new Table({
    head: [...columns],
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
  for (const row of rows) table.push(columns.map((c) => row[c] ?? ''));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** Writes `value` as JSON or YAML. */
export function renderData(format: 'json' | 'yaml', value: unknown): string {
  return format === 'json' ? JSON.stringify(value, null, 2) : stringify(value).trimEnd();
}
