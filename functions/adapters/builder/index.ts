/** Builder adapters: the local buildah builder (the CodeBuild builder is not written yet: docs/builds.md). */
export { type BuildahOptions, buildahBuilder } from './buildah.ts';
