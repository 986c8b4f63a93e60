/** Output of the commands that show resources: tables (cli-table3), JSON and YAML. */
import Table from 'cli-table3';

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

/** `value` as JSON or YAML (the YAML library is loaded only for YAML: tables never pay for it). */
export async function renderData(format: 'json' | 'yaml', value: unknown): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2);
  const { stringify } = await import('yaml');
  return stringify(value).trimEnd();
}
