/**
 * `StrataBuilds`: the CodeBuild project that builds a track's images on AWS (docs/builds.md), and the
 * EventBridge rule that routes its "CodeBuild Build State Change" events to the build-event function, which
 * records each build's outcome (functions/adapters/builder/codebuild-event.ts).
 *
 * A build is started with environment overrides (the contract below, {@link BUILD_VARIABLES}); the project
 * runs docker in privileged mode, pushes to ECR with pull/push rights on the configured repositories only,
 * and logs to its own CloudWatch log group with a retention.
 */
import { type CfnResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import {
  BuildEnvironmentVariableType,
  BuildSpec,
  ComputeType,
  LinuxBuildImage,
  Project,
} from 'aws-cdk-lib/aws-codebuild';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CODEBUILD_BUILD_ID_VARIABLE } from '../functions/core/builds/codebuild.ts';
import { acknowledge } from './nag.ts';

/**
 * What a build is started with (StartBuild environment overrides): the Strata build id (the events name
 * it), the pinned Containerfile and the `docker build` flags (`--build-arg`, `--label`) base64-encoded, the
 * platform and the `host/repository:tag` to push.
 */
export const BUILD_VARIABLES = {
  buildId: CODEBUILD_BUILD_ID_VARIABLE,
  containerfile: 'CONTAINERFILE_B64',
  flags: 'BUILD_FLAGS_B64',
  platform: 'PLATFORM',
  destination: 'DESTINATION',
} as const;

/** Options of {@link StrataBuilds}. */
export interface StrataBuildsProps {
  /** ECR repositories (names, in this account and region) builds push to: the tracks' `build.repository`. */
  readonly repositories: readonly string[];
  readonly logRetention: RetentionDays;
  /** Records build outcomes from the project's state-change events. */
  readonly eventFunction: IFunction;
}

export class StrataBuilds extends Construct {
  readonly project: Project;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: StrataBuildsProps) {
    super(scope, id);
    const v = BUILD_VARIABLES;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.project = new Project(this, 'Project', {
      description: "Strata: builds a track's layered OS image on one base and pushes it to ECR",
      environment: {
        buildImage: LinuxBuildImage.STANDARD_7_0,
        computeType: ComputeType.MEDIUM,
        privileged: true,
      },
      environmentVariables: Object.fromEntries(
        Object.values(v).map((name) => [name, { value: '', type: BuildEnvironmentVariableType.PLAINTEXT }]),
      ),
      timeout: Duration.minutes(60),
      logging: { cloudWatch: { logGroup: this.logGroup } },
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        phases: {
          pre_build: {
            commands: [
              `aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "\${${v.destination}%%/*}"`,
              `echo "$${v.containerfile}" | base64 -d > Containerfile`,
            ],
          },
          build: {
            commands: [
              `echo "$${v.flags}" | base64 -d | xargs -0 docker build --platform "$${v.platform}" -f Containerfile -t "$${v.destination}" .`,
              `docker push "$${v.destination}"`,
            ],
          },
        },
      }),
    });
    for (const name of props.repositories)
      Repository.fromRepositoryName(this, `Repository-${name}`, name).grantPullPush(this.project);
    // The ARNs of the grants CodeBuild's construct always adds, as cdk-nag names them (pseudo parameters
    // when the stack has no concrete environment).
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const projectId = stack.getLogicalId(this.project.node.defaultChild as CfnResource);
    acknowledge(
      this.project,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/<${projectId}>:*]`,
      "CodeBuild's construct always grants the log streams of the project's default log group (/aws/codebuild/<project>); the wildcard is the streams of that one group.",
    );
    acknowledge(
      this.project,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/<${projectId}>-*]`,
      "CodeBuild's construct always grants the project's own test-report groups (named after the project); the project publishes no reports.",
    );
    if (props.repositories.length > 0)
      acknowledge(
        this.project,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken (the docker login to ECR) supports no resource-level permissions; pushes and pulls are granted on the build repositories only.',
      );
    acknowledge(
      this.project,
      'AwsSolutions-CB3',
      'Building a container image needs the Docker daemon, which CodeBuild runs only in privileged mode; the project runs nothing but the build of a pinned Containerfile.',
    );
    acknowledge(
      this.project,
      'AwsSolutions-CB4',
      'The project has no artifacts and no cache: its only output is the image it pushes to ECR, which ECR encrypts; there is nothing for a project KMS key to encrypt.',
    );

    new Rule(this, 'StateChangeRule', {
      description: 'Strata: state changes of its CodeBuild builds',
      eventPattern: {
        source: ['aws.codebuild'],
        detailType: ['CodeBuild Build State Change'],
        detail: { 'project-name': [this.project.projectName] },
      },
      targets: [new LambdaFunction(props.eventFunction, { retryAttempts: 4 })],
    });
  }
}
