/**
 * The project's version (package.json). A bundle carries it as a constant (deploy/images/build.ts defines
 * `process.env.STRATA_BUNDLED_VERSION`), so that the image does not embed package.json and its digest does
 * not change with unrelated edits of it; run from source, it is read from package.json.
 */
import { readFileSync } from 'node:fs';

export function projectVersion(): string {
  return (
    process.env.STRATA_BUNDLED_VERSION ??
    (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version
  );
}

export const AGENT_VERSION: string = projectVersion();
