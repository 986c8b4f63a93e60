/**
 * Fuzzing the parsers: random and mutated YAML, Ignition and MachineConfig documents never crash the
 * engine; they parse, or fail with a RenderError that names where and why.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  DecodeIssue,
  parseIgnition,
  parseMachineConfigs,
  RenderError,
  renderPool,
  validateMachineConfig,
} from '../../../functions/core/render/index.ts';
import { pool } from './factories.ts';

const valid = {
  apiVersion: 'machineconfiguration.openshift.io/v1',
  kind: 'MachineConfig',
  metadata: { name: '99-worker', labels: { 'machineconfiguration.openshift.io/role': 'worker' } },
  spec: {
    config: {
      ignition: { version: '3.4.0' },
      storage: { files: [{ path: '/etc/x', mode: 420, contents: { source: 'data:,x' } }] },
      systemd: { units: [{ name: 'a.service', enabled: true, contents: '[Unit]\n' }] },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-rsa AAA'] }] },
    },
    kernelArguments: ['a=b'],
    extensions: ['usbguard'],
    kernelType: 'default',
    fips: false,
  },
};

/** Every way the engine may fail on bad input; anything else is a crash. */
function expectCleanOutcome(run: () => void): void {
  try {
    run();
  } catch (error) {
    expect(
      error instanceof RenderError || error instanceof DecodeIssue,
      String((error as Error)?.stack),
    ).toBe(true);
    const e = error as RenderError;
    expect(e.message.length).toBeGreaterThan(0);
    if (e instanceof RenderError) expect(e.file ?? e.object).toBeTruthy();
  }
}

function pipeline(text: string): void {
  const { machineConfigs } = parseMachineConfigs(text, 'fuzz.yaml');
  for (const m of machineConfigs) validateMachineConfig(m);
  if (machineConfigs.length > 0) renderPool({ pool: pool('worker'), machineConfigs });
}

// Replace a value somewhere in a JSON tree by a random one.
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return replacement;
  const [head, ...rest] = path;
  const index = head! % entries.length;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...value]
    : { ...(value as object) };
  const key = entries[index]![0];
  (copy as Record<string, unknown>)[key] = mutate(entries[index]![1], rest, replacement);
  return copy;
}

const anyJson = fc.jsonValue({ maxDepth: 3 });

describe('parser fuzzing', () => {
  it('survives random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expectCleanOutcome(() => pipeline(text));
      }),
      { numRuns: 400 },
    );
  });

  it('survives random characters spliced into a valid document', () => {
    const text = stringify(valid);
    fc.assert(
      fc.property(fc.nat(text.length), fc.nat(20), fc.string({ maxLength: 8 }), (at, cut, insert) => {
        expectCleanOutcome(() => pipeline(text.slice(0, at) + insert + text.slice(at + cut)));
      }),
      { numRuns: 400 },
    );
  });

  it('survives any value in any place of a valid MachineConfig', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 7 }), anyJson, (path, replacement) => {
        const doc = mutate(valid, path, replacement);
        expectCleanOutcome(() => pipeline(JSON.stringify(doc)));
        expectCleanOutcome(() => pipeline(stringify(doc)));
      }),
      { numRuns: 600 },
    );
  });

  it('survives random Ignition configs and raw bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyJson,
          fc.record(
            {
              ignition: fc.record({
                version: fc.constantFrom('2.2.0', '3.0.0', '3.3.0', '3.5.0', '3.6.0', 'x'),
              }),
              storage: anyJson,
              systemd: anyJson,
              passwd: anyJson,
            },
            { requiredKeys: ['ignition'] },
          ),
          fc.uint8Array({ maxLength: 64 }),
          fc.base64String({ maxLength: 64 }),
        ),
        (raw) => {
          expectCleanOutcome(() => parseIgnition(raw));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('survives truncated gzip data', () => {
    expect(() => parseIgnition(Buffer.from([0x1f, 0x8b, 0x08, 0x00]).toString('base64'))).toThrow(
      /gzip-compressed Ignition config is corrupt/,
    );
  });
});
