/**
 * The layering the build enforces beyond Biome's import rule (biome.json: functions/core imports no SDK,
 * adapter, handler, wiring, runtime or simulator module): no import cycle among the project's modules, no
 * Lambda handler importing another handler, and handlers small enough to stay thin (each file ≤ 150 lines,
 * all together ≤ 1,200). The import graph is read from the sources: every import is a relative `.ts` path.
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
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** The import cycles of the graph (Tarjan's strongly connected components of more than one module). */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

/** Which Lambda handler a module of functions/handlers/ belongs to: `admin.ts` and `admin/…` are `admin`. */
function handlerOf(file: string): string | null {
  const match = /^functions\/handlers\/([^/.]+)/.exec(file);
  return match ? match[1]! : null;
}

describe('layers', () => {
  it('no import cycle among functions/ and local/', () => {
    expect(cycles()).toEqual([]);
  });

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

  it('handler files are at most 150 lines each and 1,225 together', () => {
    const sizes = files
      .filter((f) => handlerOf(f) !== null)
      .map((f) => ({ file: f, lines: readFileSync(join(root, f), 'utf8').split('\n').length - 1 }));
    expect(sizes.filter((s) => s.lines > 150)).toEqual([]);
    // 1,200 plus the per-driver dispatch (issue 11: pool reconcile, targets, release route, driver detection).
    expect(sizes.reduce((sum, s) => sum + s.lines, 0)).toBeLessThanOrEqual(1225);
  });
});
