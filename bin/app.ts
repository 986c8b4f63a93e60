#!/usr/bin/env node
/**
 * The CDK app: `npm run synth` (offline, bundles every function with the local esbuild) and `npx cdk deploy`.
 * cdk-nag's AwsSolutions checks run on every synth; an unacknowledged finding fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StrataStack } from '../lib/stack.ts';

const app = new App();
new StrataStack(app, app.node.tryGetContext('stackName') ?? 'Strata', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
