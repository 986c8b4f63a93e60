/**
 * The host port over `rpm-ostree` (Fedora CoreOS, RHEL for Edge and other rpm-ostree hosts without bootc):
 * status from `rpm-ostree status --json` (`deployments[]` in boot order with `booted`, `staged`,
 * `container-image-reference`, `container-image-reference-digest`), staging with
 * `rpm-ostree rebase ostree-unverified-registry:<repo@sha256:…>` (it never reboots on its own),
 * `rpm-ostree rollback` when the rollback deployment already holds the image.
 */
import * as z from 'zod';
import { type CommandHost, commonHost } from './common.ts';
import type { HostCommandRunner } from './exec.ts';
import { type Deployment, HostCommandError, type HostPort, type HostStatus } from './port.ts';

const rpmDeployment = z
  .object({
    booted: z.boolean().optional(),
    staged: z.boolean().optional(),
    'container-image-reference': z.string().optional(),
    'container-image-reference-digest': z.string().optional(),
    'base-commit-meta': z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

const rpmStatus = z.object({ deployments: z.array(rpmDeployment) }).loose();

/**
 * The image of an ostree container reference: `ostree-unverified-registry:IMG`,
 * `ostree-unverified-image:registry:IMG`, `ostree-image-signed:docker://IMG`,
 * `ostree-remote-image:REMOTE:registry:IMG`, `ostree-remote-registry:REMOTE:IMG`.
 */
export function imageOfContainerReference(reference: string): string | undefined {
  const match =
    /^(?:ostree-unverified-registry:|ostree-remote-registry:[^:]+:|(?:ostree-unverified-image|ostree-image-signed|ostree-remote-image:[^:]+):(?:registry:|docker:\/\/))(.+)$/.exec(
      reference,
    );
  return match?.[1];
}

function deployment(d: z.infer<typeof rpmDeployment>): Deployment {
  const reference = d['container-image-reference'];
  const image = reference ? imageOfContainerReference(reference) : undefined;
  const meta = d['base-commit-meta']?.['ostree.manifest-digest'];
  const inReference = image?.includes('@') ? image.slice(image.lastIndexOf('@') + 1) : undefined;
  return {
    image,
    digest:
      d['container-image-reference-digest'] ?? (typeof meta === 'string' ? meta : undefined) ?? inReference,
  };
}

/** Parses `rpm-ostree status --json`. @throws Error saying what is missing. */
export function parseRpmOstreeStatus(json: string): HostStatus {
  const parsed = rpmStatus.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error('rpm-ostree status --json: unexpected shape: no deployments list');
  const list = parsed.data.deployments;
  const booted = list.find((d) => d.booted);
  if (!booted) throw new Error('rpm-ostree status --json: no booted deployment');
  const staged = list.find((d) => d.staged);
  const rollback = list.find((d) => !d.booted && !d.staged);
  // Deployments are listed in boot order: the first one boots next.
  return {
    booted: deployment(booted),
    staged: staged ? deployment(staged) : undefined,
    rollback: rollback ? deployment(rollback) : undefined,
    next: deployment(list[0]!),
  };
}

/** rpm-ostree on the host, through a command runner (nsenter in production, fakes in tests). */
export function rpmOstreeHost(run: HostCommandRunner, options: CommandHost): HostPort {
  const common = commonHost(run, options);
  const status = async () => {
    const { stdout } = await run.run(['rpm-ostree', 'status', '--json']);
    try {
      return parseRpmOstreeStatus(stdout);
    } catch (error) {
      throw new HostCommandError(['rpm-ostree', 'status', '--json'], 0, (error as Error).message, 'command');
    }
  };
  return {
    ...common,
    tool: 'rpm-ostree',
    status,
    stage: (image, signal) =>
      common.inStagingUnit(['rpm-ostree', 'rebase', `ostree-unverified-registry:${image}`], signal),
    async rollback(signal) {
      // rpm-ostree refuses to roll back over a staged deployment: drop it first.
      if ((await status()).staged) await run.run(['rpm-ostree', 'cleanup', '--pending'], { signal });
      await run.run(['rpm-ostree', 'rollback'], { signal });
    },
    async discard(current) {
      if (current.staged) await run.run(['rpm-ostree', 'cleanup', '--pending']);
      else if (current.next.digest !== current.booted.digest) await run.run(['rpm-ostree', 'rollback']);
    },
  };
}
