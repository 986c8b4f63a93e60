/** A build definition's revision (kept apart from the track schema, which views and the dashboard load). */
import { createHash } from 'node:crypto';
import type { BuildDefinition } from '../model.ts';

/**
 * The revision of a definition: 12 hex of the SHA-256 over what shapes the image, in a canonical order (so
 * reordering arguments or architectures is the same revision).
 */
export function buildRevision(def: BuildDefinition): string {
  const canonical = JSON.stringify({
    containerfile: def.containerfile,
    args: Object.entries(def.args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    repository: `${def.repository.host}/${def.repository.repository}`,
    architectures: [...def.architectures].sort(),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
