/** JSON and YAML output of the commands that show resources. */

/** `value` as JSON or YAML (the YAML library is loaded only for YAML: tables never pay for it). */
export async function renderData(format: 'json' | 'yaml', value: unknown): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2);
  const { stringify } = await import('yaml');
  return stringify(value).trimEnd();
}
