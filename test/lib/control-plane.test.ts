import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS, type HandlerName } from '../../lib/control-plane.ts';
import { StrataStack } from '../../lib/stack.ts';
import { placeholderHandlers, unbundledApp } from '../support/cdk.ts';

let handlers: { dir: string; remove(): void };
let stack: StrataStack;
let template: Template;

beforeAll(() => {
  handlers = placeholderHandlers();
  stack = new StrataStack(unbundledApp(), 'Strata', {
    controlPlane: { handlersDir: handlers.dir, buildRepositories: ['acme/layered'] },
  });
  template = Template.fromStack(stack);
}, 120_000);
afterAll(() => handlers.remove());

type Json = Record<string, unknown>;
const resourcesOf = (type: string) => template.findResources(type) as Record<string, { Properties: Json }>;

/** Logical id of a construct's CloudFormation resource. */
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** Every statement of the inline policies attached to a function's role. */
function statementsOf(name: HandlerName): { Action: string | string[]; Resource: unknown }[] {
  const fn = stack.controlPlane.functions[name];
  const roleId = stack.getLogicalId(fn.role!.node.defaultChild as never);
  return Object.values(resourcesOf('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: never[] }).Statement);
}

/** The logical ids a statement's resources refer to (Ref / Fn::GetAtt), plus literal ARNs. */
function referencedIds(resource: unknown): string[] {
  const text = JSON.stringify(resource);
  const ids = [...text.matchAll(/"(?:Ref|Fn::GetAtt)":\s*(?:\["|")([A-Za-z0-9:]+)/g)]
    .map((m) => m[1]!)
    .filter((id) => !id.startsWith('AWS::')); // pseudo parameters (partition, region, account)
  const literals = [
    ...[...text.matchAll(/secret:strata\/clusters\/\*/g)].map(() => 'cluster-secrets'),
    ...[...text.matchAll(/:event-bus\/default"/g)].map(() => 'default-event-bus'),
    ...[...text.matchAll(/:repository\/\*"/g)].map(() => 'ecr-repositories'),
  ];
  return [...ids, ...literals];
}

/** What each function may reach, by kind: every granted resource must be in its list. */
function reach(name: HandlerName) {
  const cp = stack.controlPlane;
  const byId: Record<string, string> = {
    [idOf(cp.table)]: 'table',
    [idOf(cp.queues.image.queue)]: 'image-queue',
    [idOf(cp.queues.plan.queue)]: 'plan-queue',
    [idOf(cp.queues.reconcile.queue)]: 'reconcile-queue',
    [idOf(cp.queues.clusterEvent.queue)]: 'cluster-event-queue',
    [idOf(cp.queues.check.queue)]: 'check-queue',
    [idOf(cp.webhookSecrets)]: 'webhook-secrets',
    [idOf(cp.registryCredentials)]: 'registry-credentials',
    'ecr-repositories': 'ecr-repositories',
    'cluster-secrets': 'cluster-secrets',
    'default-event-bus': 'default-event-bus',
  };
  const reached = new Set<string>();
  for (const statement of statementsOf(name)) {
    const actions = [statement.Action].flat();
    if (actions.every((a) => a.startsWith('xray:'))) continue; // tracing, no resource-level permissions
    for (const id of referencedIds(statement.Resource)) reached.add(byId[id] ?? `unexpected:${id}`);
  }
  return [...reached].sort();
}

describe('StrataControlPlane', () => {
  it('keeps state in one table with point-in-time recovery, a TTL attribute and both indexes', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'gsi1' }),
        Match.objectLike({ IndexName: 'gsi2' }),
      ],
    });
  });

  it('encrypts every queue, refuses plain HTTP, and gives each work queue a dead-letter queue', () => {
    const queues = resourcesOf('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(10);
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const withRedrive = Object.values(queues).filter((q) => q.Properties.RedrivePolicy);
    expect(withRedrive).toHaveLength(5);
    for (const q of withRedrive) expect((q.Properties.RedrivePolicy as Json).maxReceiveCount).toBe(5);
    const tlsOnly = Object.values(resourcesOf('AWS::SQS::QueuePolicy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
    );
    expect(tlsOnly).toHaveLength(10);
  });

  it('runs every handler as an ESM Node 24 function on arm64 with its own log group', () => {
    const functions = Object.values(resourcesOf('AWS::Lambda::Function'));
    expect(functions).toHaveLength(HANDLERS.length);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig).toBeDefined();
    }
    for (const group of Object.values(resourcesOf('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
  });

  it('bounds how many reconciles call clusters at once', () => {
    const reconcileId = idOf(stack.controlPlane.functions['pool-reconcile']);
    const mapping = Object.values(resourcesOf('AWS::Lambda::EventSourceMapping')).find((m) =>
      JSON.stringify(m.Properties.FunctionName).includes(reconcileId),
    );
    expect(mapping?.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 10 });
  });

  it('authorises admin routes with IAM and leaves webhook routes to the handler', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /hooks/{provider}',
      AuthorizationType: 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /hooks/{provider}/{token}',
      AuthorizationType: 'NONE',
    });
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${method} /v1/{proxy+}`,
        AuthorizationType: 'AWS_IAM',
      });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({}) });
  });

  it('routes successful ECR pushes to the ECR handler and ticks resync on a schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'] },
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
  });

  it('ticks the update check every 15 minutes by default, at the configured rate otherwise', () => {
    const updateCheckId = idOf(stack.controlPlane.functions['update-check']);
    const schedules = Object.values(resourcesOf('AWS::Scheduler::Schedule'));
    const tick = schedules.find((s) => JSON.stringify(s.Properties.Target).includes(updateCheckId));
    expect(tick?.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    const custom = Template.fromStack(
      new StrataStack(unbundledApp(), 'Custom', {
        controlPlane: { handlersDir: handlers.dir, updateCheckInterval: Duration.minutes(5) },
      }),
    );
    custom.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
  }, 120_000);

  it('alarms on every dead-letter queue and on halted rollouts', () => {
    const alarms = Object.values(resourcesOf('AWS::CloudWatch::Alarm'));
    expect(
      alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible'),
    ).toHaveLength(5);
    expect(alarms.filter((a) => a.Properties.MetricName === 'RolloutHalted')).toHaveLength(1);
  });

  it('gives each function only its own table, queues and secrets (least privilege)', () => {
    const expected: Record<HandlerName, string[]> = {
      webhook: ['image-queue', 'table', 'webhook-secrets'],
      'ecr-event': ['image-queue', 'table'],
      'image-push': ['ecr-repositories', 'plan-queue', 'registry-credentials', 'table'],
      'plan-rollout': ['cluster-secrets', 'reconcile-queue', 'table'],
      'pool-reconcile': ['cluster-secrets', 'plan-queue', 'reconcile-queue', 'table'],
      'node-state': ['reconcile-queue', 'table'],
      resync: ['plan-queue', 'reconcile-queue', 'table'],
      // registry-credentials and ecr-repositories: `publish` of a tag resolves it before announcing it.
      admin: [
        'check-queue',
        'cluster-secrets',
        'ecr-repositories',
        'image-queue',
        'plan-queue',
        'reconcile-queue',
        'registry-credentials',
        'table',
      ],
      'update-check': [
        'check-queue',
        'cluster-secrets',
        'default-event-bus',
        'ecr-repositories',
        'image-queue',
        'registry-credentials',
        'table',
      ],
      // Reads the digest a finished CodeBuild build pushed.
      'build-event': ['ecr-repositories', 'registry-credentials', 'table'],
    };
    // Queue consumers may also receive from (only) the queue they consume; that is the event source's grant.
    const consumed: Partial<Record<HandlerName, string>> = {
      'image-push': 'image-queue',
      'plan-rollout': 'plan-queue',
      'pool-reconcile': 'reconcile-queue',
      'node-state': 'cluster-event-queue',
      'update-check': 'check-queue',
    };
    for (const name of HANDLERS) {
      const want = [...expected[name], ...(consumed[name] ? [consumed[name]] : [])];
      expect(reach(name), name).toEqual([...new Set(want)].sort());
    }
    // No wildcard actions anywhere (service:* or *).
    for (const name of HANDLERS) {
      const actions = statementsOf(name).flatMap((st) => [st.Action].flat());
      expect(
        actions.filter((a) => a.endsWith('*')),
        name,
      ).toEqual([]);
    }
  });
});

describe('the CodeBuild build project', () => {
  it('is privileged Linux, logs to its own log group with a retention, and pushes only to the build repositories', () => {
    const projects = Object.values(resourcesOf('AWS::CodeBuild::Project'));
    expect(projects).toHaveLength(1);
    const project = projects[0]!.Properties as {
      Environment: { Type: string; PrivilegedMode: boolean; Image: string };
      LogsConfig: { CloudWatchLogs: { Status: string; GroupName: unknown } };
      TimeoutInMinutes: number;
    };
    expect(project.Environment).toMatchObject({ Type: 'LINUX_CONTAINER', PrivilegedMode: true });
    expect(project.LogsConfig.CloudWatchLogs.Status).toBe('ENABLED');
    const logGroupId = idOf(stack.controlPlane.builds.logGroup);
    expect(JSON.stringify(project.LogsConfig.CloudWatchLogs.GroupName)).toContain(logGroupId);
    expect(resourcesOf('AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays).toBe(30);
    // The project's role: push and pull on acme/layered only; ECR login (no resource-level permission).
    const roleId = stack.getLogicalId(stack.controlPlane.builds.project.role!.node.defaultChild as never);
    const statements = Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap(
        (p) =>
          (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
            .Statement,
      );
    const ecr = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('ecr:')));
    const pushes = ecr.filter((st) => [st.Action].flat().includes('ecr:PutImage'));
    expect(pushes).toHaveLength(1);
    expect(JSON.stringify(pushes[0]!.Resource)).toContain(':repository/acme/layered');
    const login = ecr.filter((st) => st.Resource === '*');
    expect(login.flatMap((st) => [st.Action].flat())).toEqual(['ecr:GetAuthorizationToken']);
  });

  it("routes the project's CodeBuild Build State Change events to the build-event function", () => {
    const projectId = idOf(stack.controlPlane.builds.project);
    const functionId = idOf(stack.controlPlane.functions['build-event']);
    const rules = Object.values(resourcesOf('AWS::Events::Rule')).filter(
      (r) => (r.Properties.EventPattern as { source: string[] }).source[0] === 'aws.codebuild',
    );
    expect(rules).toHaveLength(1);
    const pattern = rules[0]!.Properties.EventPattern as Json;
    expect(pattern['detail-type']).toEqual(['CodeBuild Build State Change']);
    expect(JSON.stringify(pattern.detail)).toContain(projectId);
    expect(JSON.stringify(rules[0]!.Properties.Targets)).toContain(functionId);
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it('pass on the stack, every acknowledgement carrying a reason', () => {
    const app = unbundledApp();
    new StrataStack(app, 'Strata', { controlPlane: { handlersDir: handlers.dir } });
    new StrataStack(app, 'StrataWithBuilds', {
      controlPlane: { handlersDir: handlers.dir, buildRepositories: ['acme/layered', 'acme/other'] },
    });
    // With a concrete environment too: acknowledgements must not depend on the account or region.
    new StrataStack(app, 'StrataInRegion', {
      controlPlane: { handlersDir: handlers.dir },
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  }, 120_000);

  it('fail synth on a new finding (a queue without a dead-letter queue)', () => {
    const app = unbundledApp();
    const strata = new StrataStack(app, 'Strata', { controlPlane: { handlersDir: handlers.dir } });
    new Queue(strata, 'Careless', { enforceSSL: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  }, 120_000);
});
