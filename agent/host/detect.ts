/**
 * Chooses the host port by what the host has: bootc when `bootc status` reports a booted deployment,
 * else rpm-ostree when `rpm-ostree status` does. Neither: the host tool is missing.
 */
import { bootcHost, parseBootcStatus } from './bootc.ts';
import type { CommandHost } from './common.ts';
import type { HostCommandRunner } from './exec.ts';
import { stderrTail } from './failures.ts';
import { HostCommandError, type HostPort } from './port.ts';
import { parseRpmOstreeStatus, rpmOstreeHost } from './rpm-ostree.ts';

const why = (error: unknown) =>
  error instanceof HostCommandError
    ? error.stderrTail || error.message
    : stderrTail(String((error as Error).message ?? error));

/** @throws HostCommandError (kind `missing`) naming why neither tool answered. */
export async function detectHost(run: HostCommandRunner, options: CommandHost = {}): Promise<HostPort> {
  let bootcProblem: string;
  try {
    parseBootcStatus((await run.run(['bootc', 'status', '--json'])).stdout);
    return bootcHost(run, options);
  } catch (error) {
    bootcProblem = why(error);
  }
  let rpmProblem: string;
  try {
    parseRpmOstreeStatus((await run.run(['rpm-ostree', 'status', '--json'])).stdout);
    return rpmOstreeHost(run, options);
  } catch (error) {
    rpmProblem = why(error);
  }
  throw new HostCommandError(
    ['bootc|rpm-ostree', 'status', '--json'],
    null,
    `neither bootc nor rpm-ostree reports the host status (bootc: ${bootcProblem}; rpm-ostree: ${rpmProblem})`,
    'missing',
  );
}
