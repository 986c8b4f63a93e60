/**
 * Records what a CodeBuild build did (the stack's EventBridge rule on "CodeBuild Build State Change" events
 * of the build project): the Strata build it was started for goes from Building to Succeeded (with the digest
 * its tag now points at, read from the registry), Failed or Interrupted. Events for builds Strata did not
 * start, for builds no longer Building (a repeated delivery) and IN_PROGRESS events change nothing.
 */
import * as builds from '../../core/builds/index.ts';
import type { Log } from '../../core/ports.ts';
import type { TagResolver } from '../../core/registry.ts';
import type { Stores } from '../../core/stores.ts';

/** What recording a CodeBuild event needs. */
export interface CodeBuildEventDeps {
  stores: Pick<Stores, 'builds'>;
  /** Reads the digest the build's tag points at (ECR: DescribeImages). */
  resolver: TagResolver;
  now?: () => Date;
  log?: Log;
}

/** What the event did to the build. */
export type CodeBuildEventResult =
  | { recorded: builds.BuildStatus; buildId: string }
  | { ignored: string; buildId: string | null };

/** Applies one CodeBuild state-change event (see the module comment). @throws z.ZodError for another event. */
export async function recordCodeBuildEvent(
  deps: CodeBuildEventDeps,
  event: unknown,
): Promise<CodeBuildEventResult> {
  const change = builds.codeBuildChange(event);
  const { buildId } = change;
  if (buildId === null) return { ignored: 'not a Strata build', buildId };
  if (change.status === 'IN_PROGRESS') return { ignored: 'in progress', buildId };
  const build = await deps.stores.builds.getBuild(buildId);
  if (!build) return { ignored: 'no such build', buildId };
  if (build.status !== 'Building') return { ignored: `already ${build.status}`, buildId };
  const digest =
    change.status === 'SUCCEEDED'
      ? await deps.resolver.resolveTag(build.target).then(
          (r) => r.digest,
          () => null,
        )
      : null;
  const outcome = builds.codeBuildOutcome(change, digest)!;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const written = await deps.stores.builds.putBuildIfVersion(
    builds.settleAttempt(build, outcome, now),
    build.version,
  );
  deps.log?.({
    level: outcome.ok ? 'INFO' : 'WARN',
    message: `build ${written.status}`,
    buildId,
    codeBuildId: change.codeBuildId,
    ...(written.error ? { error: written.error } : {}),
  });
  return { recorded: written.status, buildId };
}

/** The build-event function's handler over `deps`. */
export function buildEventHandler(
  deps: CodeBuildEventDeps,
): (event: unknown) => Promise<CodeBuildEventResult> {
  return (event) => recordCodeBuildEvent(deps, event);
}
