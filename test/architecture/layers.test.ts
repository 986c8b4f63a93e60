/**
 * The layering the build enforces beyond Biome's rules (biome.json: functions/core imports no SDK, adapter,
 * handler, wiring, runtime or simulator module; `noImportCycles` over the whole project): no Lambda handler
 * importing another handler, and handlers small enough to stay thin (each file ≤ 150 lines, all together
 * ≤ 1,200). The import graph is read from the sources: every import is a relative `.ts` path.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a module (type-only ones included: a cycle of types is still one). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(root, resolve(root, dirname(file), s)));
}

const files = [...sources('functions'), ...sources('local')];

/** Which Lambda handler a module of functions/handlers/ belongs to: `admin.ts` and `admin/…` are `admin`. */
function handlerOf(file: string): string | null {
  const match = /^functions\/handlers\/([^/.]+)/.exec(file);
  return match ? match[1]! : null;
}

describe('layers', () => {
  it('no handler imports another handler', () => {
    const crossings = files.flatMap((f) => {
      const from = handlerOf(f);
      return from === null
        ? []
        : importsOf(f).flatMap((to) => {
            const target = handlerOf(to);
            return target !== null && target !== from ? [`${f} → ${to}`] : [];
          });
    });
    expect(crossings).toEqual([]);
  });

  it('functions/core imports only functions/core', () => {
    const outside = files
      .filter((f) => f.startsWith('functions/core/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((to) => !to.startsWith('functions/core/'))
          .map((to) => `${f} → ${to}`),
      );
    expect(outside).toEqual([]);
  });

  it('handler files are at most 150 lines each and 1,200 together', () => {
    const sizes = files
      .filter((f) => handlerOf(f) !== null)
      .map((f) => ({ file: f, lines: readFileSync(join(root, f), 'utf8').split('\n').length - 1 }));
    expect(sizes.filter((s) => s.lines > 150)).toEqual([]);
    // 1,200 plus the per-driver dispatch (issue 11: pool reconcile, targets, release route, driver detection).
    expect(sizes.reduce((sum, s) => sum + s.lines, 0)).toBeLessThanOrEqual(1200);
  });
});
