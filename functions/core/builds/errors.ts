/** A track's build definition is invalid: names the field and says why. */
export class BuildDefinitionError extends Error {
  readonly field: string;
  constructor(field: string, why: string) {
    super(`build.${field}: ${why}`);
    this.name = 'BuildDefinitionError';
    this.field = field;
  }
}

/** A build cannot make the transition asked of it (e.g. finishing a build that is not Building). */
export class BuildStateError extends Error {
  constructor(buildId: string, why: string) {
    super(`build ${buildId}: ${why}`);
    this.name = 'BuildStateError';
  }
}
