/**
 * Fake host executables for the host adapters' tests: `nsenter`, `systemd-run`, `systemctl`, `bootc` and
 * `rpm-ostree` as shell scripts on a PATH the test controls. Each records its command line; `nsenter`
 * and `systemd-run` run what follows `--` (as the real ones do, in the host's namespaces / a unit); the
 * image tools print the status file the test put in place (captured real-world shapes from
 * test/fixtures/agent) and act on files that script their outcome:
 *   `<op>.stderr` (+ `<op>.exit`) fail the operation, `<op>.sleep` delays it, `<op>.then.json` becomes the
 *   status after it succeeds.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/agent/${name}`, import.meta.url));

const record = (tool: string) => `printf '%s\\n' "${tool} $*" >> "$FAKE_HOST/calls.log"\n`;

const passThrough = (tool: string) => `#!/bin/sh
${record(tool)}while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift
exec "$@"
`;

const imageTool = (tool: string, statusFile: string) => `#!/bin/sh
${record(tool)}op="$1"
if [ "$op" = status ]; then exec cat "$FAKE_HOST/${statusFile}"; fi
if [ -f "$FAKE_HOST/$op.sleep" ]; then sleep "$(cat "$FAKE_HOST/$op.sleep")"; fi
if [ -f "$FAKE_HOST/$op.stderr" ]; then
  cat "$FAKE_HOST/$op.stderr" >&2
  if [ -f "$FAKE_HOST/$op.exit" ]; then exit "$(cat "$FAKE_HOST/$op.exit")"; fi
  exit 1
fi
if [ -f "$FAKE_HOST/$op.then.json" ]; then cp "$FAKE_HOST/$op.then.json" "$FAKE_HOST/${statusFile}"; fi
exit 0
`;

const systemctl = `#!/bin/sh
${record('systemctl')}if [ -f "$FAKE_HOST/systemctl-$1.stderr" ]; then cat "$FAKE_HOST/systemctl-$1.stderr" >&2; exit 5; fi
exit 0
`;

export interface FakeHost {
  /** Scratch directory: scripts in `bin/`, state and `calls.log` at the top. */
  dir: string;
  /** Environment for the runner: PATH with the fakes first. */
  env: NodeJS.ProcessEnv;
  /** Command lines recorded so far, in order. */
  calls(): string[];
  /** Puts a fixture in place as the current bootc / rpm-ostree status. */
  status(tool: 'bootc' | 'rpm-ostree', fixtureName: string): void;
  /** Scripts an operation (`switch`, `rebase`, `rollback`, …): its stderr/exit, delay, and status after. */
  script(op: string, behaviour: { stderr?: string; exit?: number; sleep?: number; after?: string }): void;
  cleanup(): void;
}

/** Fake executables for the given image tools (a tool left out is missing on the host). */
export function fakeHost(tools: readonly ('bootc' | 'rpm-ostree')[]): FakeHost {
  const dir = mkdtempSync(join(tmpdir(), 'strata-fake-host-'));
  const bin = join(dir, 'bin');
  const write = (name: string, text: string) => writeFileSync(join(bin, name), text, { mode: 0o755 });
  mkdirSync(bin);
  writeFileSync(join(dir, 'calls.log'), '');
  write('nsenter', passThrough('nsenter'));
  write('systemd-run', passThrough('systemd-run'));
  write('systemctl', systemctl);
  if (tools.includes('bootc')) write('bootc', imageTool('bootc', 'bootc-status.json'));
  if (tools.includes('rpm-ostree')) write('rpm-ostree', imageTool('rpm-ostree', 'rpm-ostree-status.json'));
  return {
    dir,
    env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_HOST: dir, LC_ALL: 'C' },
    calls: () => readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean),
    status: (tool, name) => copyFileSync(fixture(name), join(dir, `${tool}-status.json`)),
    script(op, behaviour) {
      for (const suffix of ['stderr', 'exit', 'sleep', 'then.json'])
        rmSync(join(dir, `${op}.${suffix}`), { force: true });
      if (behaviour.stderr !== undefined) writeFileSync(join(dir, `${op}.stderr`), behaviour.stderr);
      if (behaviour.exit !== undefined) writeFileSync(join(dir, `${op}.exit`), String(behaviour.exit));
      if (behaviour.sleep !== undefined) writeFileSync(join(dir, `${op}.sleep`), String(behaviour.sleep));
      if (behaviour.after !== undefined) copyFileSync(fixture(behaviour.after), join(dir, `${op}.then.json`));
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
