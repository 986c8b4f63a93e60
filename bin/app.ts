#!/usr/bin/env node
/**
 * The CDK app: `npm run synth` (offline, bundles every function with the local esbuild) and `npx cdk deploy`.
 * cdk-nag's AwsSolutions checks run on every synth; an unacknowledged finding fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StrataStack } from '../lib/stack.ts';

const app = new App();
// `-c buildRepositories=acme/layered,acme/other`: the ECR repositories the CodeBuild project may push to.
const buildRepositories = String(app.node.tryGetContext('buildRepositories') ?? '')
  .split(',')
  .map((r) => r.trim())
  .filter(Boolean);
new StrataStack(app, app.node.tryGetContext('stackName') ?? 'Strata', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  controlPlane: { buildRepositories },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
