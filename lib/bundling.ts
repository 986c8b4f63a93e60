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

/**
 * Size budgets of the functions that answer the outside world within seconds (registry webhooks, ECR
 * events) and of the first consumer behind them, in KB. They hold only while these functions stay clear
 * of the Kubernetes client (cluster access is the planner's and reconciler's job); test/lib/bundles.test.ts
 * fails when one does not, and `npm run bench -- bundles` records the sizes.
 */
export const INGRESS_BUNDLE_BUDGET_KB = { webhook: 150, 'ecr-event': 150, 'image-push': 300 } as const;
