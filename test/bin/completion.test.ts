/**
 * `strata completion bash|zsh`: the generated script sourced in a real bash (and zsh, where installed), its
 * completion function called the way the shell calls it (COMP_WORDS, COMP_CWORD).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { strata } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-completion-'));
const script = join(dir, 'strata.bash');

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** What bash completes for the command line `words` (the last word is the one being completed). */
function complete(...words: string[]): string[] {
  const run = spawnSync(
    'bash',
    [
      '-c',
      `source ${quote(script)} && COMP_WORDS=(${words.map(quote).join(' ')}) && COMP_CWORD=${words.length - 1} && _strata && printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout.split('\n').filter(Boolean).sort();
}

beforeAll(() => {
  const out = strata(['completion', 'bash']);
  expect(out.code).toBe(0);
  writeFileSync(script, out.stdout);
  writeFileSync(join(dir, 'mc.yaml'), '');
  writeFileSync(join(dir, 'mcp.yaml'), '');
});

describe('strata completion bash', { timeout: 60_000 }, () => {
  it('completes commands, subcommands and the arguments they list', () => {
    expect(complete('strata', '')).toEqual(
      [
        'check',
        'cluster',
        'completion',
        'dashboard',
        'describe',
        'get',
        'plan',
        'pool',
        'prune',
        'publish',
        'render',
        'rollout',
        'sim',
        'start',
        'status',
        'track',
      ].sort(),
    );
    expect(complete('strata', 'ro')).toEqual(['rollout']);
    expect(complete('strata', 'rollout', '')).toEqual(['abort', 'pause', 'resume', 'rollback']);
    expect(complete('strata', 'get', '')).toEqual([
      'builds',
      'clusters',
      'drift',
      'nodes',
      'pools',
      'rollouts',
      'tracks',
    ]);
    expect(complete('strata', 'get', 'p')).toEqual(['pools']);
    expect(complete('strata', 'completion', '')).toEqual(['bash', 'zsh']);
    expect(complete('strata', 'describe', '')).toEqual([
      'build',
      'cluster',
      'node',
      'pool',
      'rollout',
      'track',
    ]);
  });

  it("completes each command's options, and the values of options with choices", () => {
    expect(complete('strata', 'get', 'pools', '--c')).toEqual(['--cluster']);
    expect(complete('strata', 'get', '-')).toEqual(
      [
        '--aws-region',
        '--cluster',
        '--help',
        '--interval',
        '--output',
        '--pool',
        '--track',
        '--url',
        '--watch',
        '-h',
        '-o',
        '-w',
      ].sort(),
    );
    expect(complete('strata', 'rollout', 'pause', '--')).toEqual(['--aws-region', '--help', '--url']);
    expect(complete('strata', 'get', 'pools', '-o', '')).toEqual(['json', 'table', 'wide', 'yaml']);
    expect(complete('strata', '--url', 'http://x', 'get', '--output', 'y')).toEqual(['yaml']);
    expect(complete('strata', 'render', '-o', '')).toEqual(['json', 'yaml']);
  });

  it('completes file names for option values and for render paths', () => {
    expect(complete('strata', 'track', 'apply', '-f', 'mc')).toEqual(['mc.yaml', 'mcp.yaml']);
    expect(complete('strata', 'render', '--pool', 'worker', 'mcp')).toEqual(['mcp.yaml']);
  });

  it('refuses a shell it does not know (exit 2)', () => {
    const out = strata(['completion', 'fish']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      "value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.",
    );
  });
});

const zsh = ['/usr/bin/zsh', '/bin/zsh'].find((p) => existsSync(p));

describe.skipIf(!zsh)('strata completion zsh', { timeout: 60_000 }, () => {
  it('loads in zsh and completes through bashcompinit', () => {
    const file = join(dir, '_strata.zsh');
    writeFileSync(file, strata(['completion', 'zsh']).stdout);
    const run = spawnSync(
      zsh!,
      [
        '-f',
        '-c',
        // As zsh calls it: bashcompinit's compgen -F runs the function with bash's 0-based arrays.
        `source ${quote(file)} && COMP_WORDS=(strata rollout '') && COMP_CWORD=2 && compgen -F _strata -- ''`,
      ],
      { encoding: 'utf8', env: { ...process.env, HOME: dir } },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean).sort()).toEqual(['abort', 'pause', 'resume', 'rollback']);
  });
});
