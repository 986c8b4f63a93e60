/**
 * The host port over `bootc` (image-mode RHEL, Fedora/CentOS bootc, Fedora CoreOS with bootc):
 * status from `bootc status --json` (`status.booted|staged|rollback.image.{image.image, imageDigest}`,
 * `status.rollbackQueued`), staging with `bootc switch <repo@sha256:…>` (no `--apply`: it never reboots),
 * `bootc rollback` when the rollback deployment already holds the image.
 */
import * as z from 'zod';
import { pinnedReference } from '../image.ts';
import { type CommandHost, commonHost } from './common.ts';
import type { HostCommandRunner } from './exec.ts';
import { type Deployment, HostCommandError, type HostPort, type HostStatus } from './port.ts';

const bootEntry = z
  .object({
    image: z
      .object({
        image: z.object({ image: z.string(), transport: z.string().optional() }).loose(),
        imageDigest: z.string().optional(),
      })
      .loose()
      .nullish(),
  })
  .loose()
  .nullish();

const bootcStatus = z
  .object({
    apiVersion: z.string().startsWith('org.containers.bootc/'),
    status: z
      .object({
        booted: bootEntry,
        staged: bootEntry,
        rollback: bootEntry,
        rollbackQueued: z.boolean().optional(),
      })
      .loose(),
  })
  .loose();

type BootEntry = z.infer<typeof bootEntry>;

const deployment = (entry: NonNullable<BootEntry>): Deployment => ({
  image: entry.image?.image.image,
  digest: entry.image?.imageDigest,
});

/** Parses `bootc status --json`. @throws Error saying what is missing. */
export function parseBootcStatus(json: string): HostStatus {
  const parsed = bootcStatus.safeParse(JSON.parse(json));
  if (!parsed.success)
    throw new Error(
      `bootc status --json: unexpected shape: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  const { booted, staged, rollback, rollbackQueued } = parsed.data.status;
  if (!booted) throw new Error('bootc status --json: no booted deployment (not a bootc-booted host)');
  const result: HostStatus = {
    booted: deployment(booted),
    staged: staged ? deployment(staged) : undefined,
    rollback: rollback ? deployment(rollback) : undefined,
    next: deployment(booted),
  };
  result.next = result.staged ?? (rollbackQueued && result.rollback ? result.rollback : result.booted);
  return result;
}

/** bootc on the host, through a command runner (nsenter in production, fakes in tests). */
export function bootcHost(run: HostCommandRunner, options: CommandHost): HostPort {
  const common = commonHost(run, options);
  return {
    ...common,
    tool: 'bootc',
    async status() {
      const { stdout } = await run.run(['bootc', 'status', '--json']);
      try {
        return parseBootcStatus(stdout);
      } catch (error) {
        throw new HostCommandError(['bootc', 'status', '--json'], 0, (error as Error).message, 'command');
      }
    },
    stage: (image, signal) => common.inStagingUnit(['bootc', 'switch', image], signal),
    async rollback(signal) {
      await run.run(['bootc', 'rollback'], { signal });
    },
    async discard(status) {
      if (status.staged) {
        // bootc has no "unstage": switching to the booted digest makes the next boot run it again.
        const booted = pinnedReference(status.booted.image, status.booted.digest);
        if (!booted)
          throw new HostCommandError(['bootc', 'switch'], null, 'the booted image is not known', 'command');
        await run.run(['bootc', 'switch', booted]);
      } else if (status.next.digest !== status.booted.digest) {
        await run.run(['bootc', 'rollback']); // un-queues the queued rollback
      }
    },
  };
}
