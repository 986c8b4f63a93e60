/**
 * One scratch directory per test run: every temporary file the tests (and the processes they start) make
 * goes under it, through TMPDIR, and it is removed when the run ends, whatever a test forgot. So does the
 * per-user state of `strata start` (its access-token records, STRATA_STATE_DIR): no test writes to $HOME.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const previousState = process.env.STRATA_STATE_DIR;
  const scratch = mkdtempSync(join(tmpdir(), 'strata-tests-'));
  process.env.TMPDIR = scratch;
  process.env.STRATA_STATE_DIR = join(scratch, 'state');
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (previousState === undefined) delete process.env.STRATA_STATE_DIR;
    else process.env.STRATA_STATE_DIR = previousState;
    rmSync(scratch, { recursive: true, force: true });
  };
}
