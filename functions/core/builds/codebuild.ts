/**
 * What a CodeBuild "Build State Change" event (EventBridge, source `aws.codebuild`) says about a Strata
 * build: the build it is for (the `STRATA_BUILD_ID` environment variable the build was started with), and
 * its outcome once it has one. CodeBuild's terminal states map onto MachineOSBuild's: SUCCEEDED → Succeeded
 * (the digest is read from the registry by the caller), FAILED and FAULT → Failed, STOPPED and TIMED_OUT →
 * Interrupted (the builder lost the attempt); IN_PROGRESS is no outcome yet.
 */
import * as z from 'zod';
import type { BuildOutcome } from './build.ts';

/** The environment variable naming the Strata build a CodeBuild build is for. */
export const CODEBUILD_BUILD_ID_VARIABLE = 'STRATA_BUILD_ID';

const NameValue = z.object({ name: z.string(), value: z.string().optional() });

/** The parts of the event Strata reads (other fields are ignored). */
const CodeBuildEventSchema = z.object({
  'detail-type': z.literal('CodeBuild Build State Change'),
  source: z.literal('aws.codebuild'),
  detail: z.object({
    'build-status': z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT']),
    'project-name': z.string(),
    'build-id': z.string(),
    'additional-information': z
      .object({
        environment: z.object({ 'environment-variables': z.array(NameValue).default([]) }).optional(),
        logs: z.object({ 'deep-link': z.string().optional() }).optional(),
        phases: z
          .array(
            z.object({
              'phase-type': z.string().optional(),
              'phase-status': z.string().optional(),
              'phase-context': z.array(z.string()).optional(),
            }),
          )
          .optional(),
      })
      .default({}),
  }),
});

/** A CodeBuild build's state change, as Strata reads it. */
export interface CodeBuildChange {
  /** The Strata build id, or null for a build Strata did not start. */
  buildId: string | null;
  status: z.infer<typeof CodeBuildEventSchema>['detail']['build-status'];
  /** CodeBuild's own build id (ARN). */
  codeBuildId: string;
  /** The CloudWatch Logs console link of the build's log. */
  logLink: string | null;
  /** What the failed phases said (phase type, status and context). */
  reasons: string[];
}

/** Reads a CodeBuild state-change event. @throws z.ZodError when it is not one. */
export function codeBuildChange(event: unknown): CodeBuildChange {
  const { detail } = CodeBuildEventSchema.parse(event);
  const info = detail['additional-information'];
  const variables = info.environment?.['environment-variables'] ?? [];
  const reasons = (info.phases ?? [])
    .filter((p) => p['phase-status'] !== undefined && p['phase-status'] !== 'SUCCEEDED')
    .map((p) =>
      [`${p['phase-type'] ?? 'phase'} ${p['phase-status']}`, ...(p['phase-context'] ?? [])]
        .filter((s) => s.trim() !== '' && s.trim() !== ':')
        .join(': '),
    );
  return {
    buildId: variables.find((v) => v.name === CODEBUILD_BUILD_ID_VARIABLE)?.value ?? null,
    status: detail['build-status'],
    codeBuildId: detail['build-id'],
    logLink: info.logs?.['deep-link'] ?? null,
    reasons,
  };
}

/**
 * The attempt's outcome, or null while the build runs. `digest` is what the build's tag points at now
 * (read by the caller on SUCCEEDED; null when it could not be read, which fails the attempt).
 */
export function codeBuildOutcome(change: CodeBuildChange, digest: string | null): BuildOutcome | null {
  const log = [
    `CodeBuild ${change.codeBuildId}: ${change.status}`,
    ...change.reasons,
    ...(change.logLink ? [`log: ${change.logLink}`] : []),
  ].join('\n');
  const why = change.reasons.join('; ') || change.status;
  switch (change.status) {
    case 'IN_PROGRESS':
      return null;
    case 'SUCCEEDED':
      return digest
        ? { ok: true, digest, log }
        : { ok: false, error: 'CodeBuild succeeded but the pushed tag could not be resolved', log };
    case 'FAILED':
    case 'FAULT':
      return { ok: false, error: `CodeBuild ${change.status}: ${why}`, log };
    default:
      return { ok: false, interrupted: true, error: `CodeBuild ${change.status}: ${why}`, log };
  }
}
