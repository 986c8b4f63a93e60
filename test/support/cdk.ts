/**
 * Synthesising the real control-plane construct in tests, fast: functions are not bundled, and their entry
 * points are placeholder files (the construct only needs them to exist), so the template is exactly what the
 * stack defines, without esbuild's time. `npm run synth` bundles the real handlers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type Stack } from 'aws-cdk-lib';
import { HANDLERS } from '../../lib/control-plane.ts';

/** A directory of placeholder handler entry points under the project root (NodejsFunction requires that). */
export function placeholderHandlers(): { dir: string; remove(): void } {
  const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'strata-handlers-'));
  for (const name of HANDLERS) writeFileSync(join(dir, `${name}.ts`), 'export const handler = 1;\n');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An app that skips bundling for every stack. */
export function unbundledApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export type { Stack };
