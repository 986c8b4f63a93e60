/**
 * How every function is bundled, in one place: the CDK stack (NodejsFunction) and the bundle benchmark
 * (esbuild directly) both read it, so the measured bundles are the deployed ones.
 */

/** Dependencies the Lambda Node.js runtime provides; left out of bundles. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** Some dependencies still call require(); ESM bundles get one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** esbuild settings shared by the stack and the benchmark. */
export const BUNDLING = {
  format: 'esm',
  target: 'node24',
  platform: 'node',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  external: EXTERNAL_MODULES,
} as const;
