/**
 * `StrataControlPlane`: everything Strata runs on AWS, in one construct.
 *
 * Registry webhooks and ECR push events come in through an HTTP API and an EventBridge rule, flow through SQS
 * queues (each with a DLQ) into small Lambda functions that keep all state in one DynamoDB table, and call
 * into clusters with bounded concurrency. A scheduler tick re-enqueues active pools (lost messages cost only
 * time). Admin routes are IAM-authorised; webhook routes authenticate inside the handler, per registry.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, type CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TableKeys } from '../functions/adapters/store/table.ts';
import { StrataBuilds } from './builds.ts';
import { BUNDLING } from './bundling.ts';
import { acknowledge } from './nag.ts';

/** Options of the control plane; every one has a default fit for a first deployment. */
export interface StrataControlPlaneProps {
  /** How long function logs are kept. Default: one month. */
  readonly logRetention?: RetentionDays;
  /** Reconciles (cluster API callers) running at once, across all pools. Default: 10. */
  readonly maxClusterCallers?: number;
  /** Interval of the resync tick that re-enqueues every active pool. Default: 1 minute. */
  readonly resyncInterval?: Duration;
  /** Interval of the update check (tracked tags, base images, drift). Default: 15 minutes. */
  readonly updateCheckInterval?: Duration;
  /** Where alarms notify. Default: alarms without actions (visible in the console). */
  readonly alarmTopic?: ITopic;
  /** Keep the table when the stack is deleted. Default: true. */
  readonly retainTable?: boolean;
  /** Directory holding one `<name>.ts` entry point per handler. Default: functions/handlers/. */
  readonly handlersDir?: string;
  /**
   * ECR repositories (names in this account and region) the CodeBuild build project may push to: the
   * tracks' `build.repository`. Default: none (the project exists; its pushes are denied).
   */
  readonly buildRepositories?: readonly string[];
}

/** Entry points, one Lambda function each (see functions/handlers/). */
export const HANDLERS = [
  'webhook',
  'ecr-event',
  'image-push',
  'plan-rollout',
  'pool-reconcile',
  'node-state',
  'resync',
  'admin',
  'update-check',
  'build-event',
] as const;
export type HandlerName = (typeof HANDLERS)[number];

const defaultHandlersDir = fileURLToPath(new URL('../functions/handlers/', import.meta.url));

/** A work queue with its dead-letter queue, both encrypted and TLS-only. */
class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  constructor(scope: Construct, id: string, visibilityTimeout: Duration) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetters, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue.');
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
  }
}

export class StrataControlPlane extends Construct {
  readonly table: TableV2;
  readonly queues: Record<'image' | 'plan' | 'reconcile' | 'clusterEvent' | 'check', WorkQueue>;
  readonly functions: Record<HandlerName, NodejsFunction>;
  readonly api: HttpApi;
  readonly webhookSecrets: Secret;
  /** Registry credentials per host, read by the functions that resolve tags. */
  readonly registryCredentials: Secret;
  /** Attach to the IAM role of each cluster's watch relay: it may send to the cluster-event queue only. */
  readonly relayPolicy: ManagedPolicy;
  /** The CodeBuild build project and the routing of its state changes (lib/builds.ts). */
  readonly builds: StrataBuilds;

  constructor(scope: Construct, id: string, props: StrataControlPlaneProps = {}) {
    super(scope, id);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const stack = Stack.of(this);
    const handlersDir = props.handlersDir ?? defaultHandlersDir;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TableKeys.partition, type: AttributeType.STRING },
      sortKey: { name: TableKeys.sort, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TableKeys.ttl,
      removalPolicy: props.retainTable === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [TableKeys.gsi1, TableKeys.gsi2].map((gsi) => ({
        indexName: gsi.name,
        partitionKey: { name: gsi.partition, type: AttributeType.STRING },
        sortKey: { name: gsi.sort, type: AttributeType.STRING },
      })),
    });

    // Visibility timeouts exceed each consumer's Lambda timeout, as SQS event sources require.
    this.queues = {
      image: new WorkQueue(this, 'ImageQueue', Duration.seconds(180)),
      plan: new WorkQueue(this, 'PlanQueue', Duration.seconds(180)),
      reconcile: new WorkQueue(this, 'ReconcileQueue', Duration.seconds(360)),
      clusterEvent: new WorkQueue(this, 'ClusterEventQueue', Duration.seconds(180)),
      check: new WorkQueue(this, 'CheckQueue', Duration.seconds(180)),
    };

    this.webhookSecrets = new Secret(this, 'WebhookSecrets', {
      description: 'Strata: per-registry webhook secrets (JSON object keyed by provider)',
    });
    acknowledge(
      this.webhookSecrets,
      'AwsSolutions-SMG4',
      'Webhook secrets are shared with the registries that sign deliveries; they are rotated by the administrator together with the registry configuration, which no rotation Lambda can reach.',
    );
    this.registryCredentials = new Secret(this, 'RegistryCredentials', {
      description: 'Strata: registry credentials per host (JSON), used to resolve tags to digests',
    });
    acknowledge(
      this.registryCredentials,
      'AwsSolutions-SMG4',
      'Registry credentials are issued by each registry (robot accounts, access tokens); the administrator rotates them there and updates this secret, which no rotation Lambda can do.',
    );
    // Cluster credentials (bearer tokens) live in secrets named strata/clusters/<cluster id>.
    // Pseudo parameters, not the stack's env: the ARN (and so its cdk-nag finding id) is the same in every
    // environment.
    const clusterSecretsArn = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:strata/clusters/*`;

    const fn = (name: HandlerName, timeout: Duration, environment: Record<string, string>) => {
      const logGroup = new LogGroup(this, `${pascal(name)}Logs`, {
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const f = new NodejsFunction(this, pascal(name), {
        entry: join(handlersDir, `${name}.ts`),
        handler: 'handler',
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout,
        logGroup,
        tracing: Tracing.ACTIVE,
        environment: {
          TABLE_NAME: this.table.tableName,
          POWERTOOLS_SERVICE_NAME: `strata-${name}`,
          POWERTOOLS_METRICS_NAMESPACE: 'Strata',
          NODE_OPTIONS: '--enable-source-maps',
          ...environment,
        },
        bundling: {
          format: OutputFormat.ESM,
          target: BUNDLING.target,
          minify: BUNDLING.minify,
          sourceMap: BUNDLING.sourcemap,
          mainFields: [...BUNDLING.mainFields],
          banner: BUNDLING.banner,
          externalModules: [...BUNDLING.external],
        },
      });
      acknowledge(
        f,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AWSLambdaBasicExecutionRole only lets the function write its own logs; it is the managed policy AWS maintains for exactly that.',
      );
      acknowledge(
        f,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; tracing needs Resource "*".',
      );
      acknowledge(
        f,
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.table.node.defaultChild as CfnResource)}.Arn>/index/*]`,
        "Queries go through the table's own secondary indexes (gsi1, gsi2); the wildcard covers only this table's indexes.",
      );
      return f;
    };

    const q = this.queues;
    this.functions = {
      webhook: fn('webhook', Duration.seconds(10), {
        IMAGE_QUEUE_URL: q.image.queue.queueUrl,
        WEBHOOK_SECRETS_ARN: this.webhookSecrets.secretArn,
      }),
      'ecr-event': fn('ecr-event', Duration.seconds(10), {
        IMAGE_QUEUE_URL: q.image.queue.queueUrl,
        // Remember EventBridge event ids: a retried delivery is not enqueued twice.
        ECR_REPLAY_TABLE_NAME: this.table.tableName,
      }),
      'image-push': fn('image-push', Duration.seconds(120), {
        PLAN_QUEUE_URL: q.plan.queue.queueUrl,
        REGISTRY_CREDENTIALS_SECRET_ID: this.registryCredentials.secretArn,
      }),
      'plan-rollout': fn('plan-rollout', Duration.seconds(120), {
        RECONCILE_QUEUE_URL: q.reconcile.queue.queueUrl,
      }),
      'pool-reconcile': fn('pool-reconcile', Duration.seconds(300), {
        RECONCILE_QUEUE_URL: q.reconcile.queue.queueUrl,
        PLAN_QUEUE_URL: q.plan.queue.queueUrl,
      }),
      'node-state': fn('node-state', Duration.seconds(60), {
        RECONCILE_QUEUE_URL: q.reconcile.queue.queueUrl,
      }),
      resync: fn('resync', Duration.seconds(60), {
        RECONCILE_QUEUE_URL: q.reconcile.queue.queueUrl,
        PLAN_QUEUE_URL: q.plan.queue.queueUrl,
      }),
      admin: fn('admin', Duration.seconds(30), {
        PLAN_QUEUE_URL: q.plan.queue.queueUrl,
        RECONCILE_QUEUE_URL: q.reconcile.queue.queueUrl,
        IMAGE_QUEUE_URL: q.image.queue.queueUrl,
        CHECK_QUEUE_URL: q.check.queue.queueUrl,
        // `strata publish` of a tag: resolved before it is announced, so a tag that cannot be is refused.
        REGISTRY_CREDENTIALS_SECRET_ID: this.registryCredentials.secretArn,
      }),
      'update-check': fn('update-check', Duration.seconds(120), {
        IMAGE_QUEUE_URL: q.image.queue.queueUrl,
        CHECK_QUEUE_URL: q.check.queue.queueUrl,
        EVENT_BUS_NAME: 'default',
        REGISTRY_CREDENTIALS_SECRET_ID: this.registryCredentials.secretArn,
      }),
      // Reads the digest a finished build pushed (its tag in ECR).
      'build-event': fn('build-event', Duration.seconds(30), {
        REGISTRY_CREDENTIALS_SECRET_ID: this.registryCredentials.secretArn,
      }),
    };
    const f = this.functions;

    // Least privilege: each function gets exactly the table access, queues and secrets it uses. Every one
    // writes the table (the ingress functions their delivery and event ids, for replay protection).
    for (const name of HANDLERS) this.table.grantReadWriteData(f[name]);
    q.image.queue.grantSendMessages(f.webhook);
    q.image.queue.grantSendMessages(f['ecr-event']);
    q.image.queue.grantSendMessages(f.admin);
    // The update check: a moved tag goes to the image queue; the tick fans out on the check queue.
    q.image.queue.grantSendMessages(f['update-check']);
    q.check.queue.grantSendMessages(f['update-check']);
    q.check.queue.grantSendMessages(f.admin); // `strata check`: run the check now
    f['update-check'].addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      }),
    );
    q.plan.queue.grantSendMessages(f['image-push']);
    q.plan.queue.grantSendMessages(f['pool-reconcile']);
    q.plan.queue.grantSendMessages(f.resync);
    q.plan.queue.grantSendMessages(f.admin);
    for (const name of ['plan-rollout', 'pool-reconcile', 'node-state', 'resync', 'admin'] as const) {
      q.reconcile.queue.grantSendMessages(f[name]);
    }
    this.webhookSecrets.grantRead(f.webhook);
    // Resolving tags: registry credentials, and ECR's own API for ECR repositories of this account.
    const ecrRepositories = `arn:${Aws.PARTITION}:ecr:${Aws.REGION}:${Aws.ACCOUNT_ID}:repository/*`;
    for (const name of ['image-push', 'update-check', 'admin', 'build-event'] as const) {
      this.registryCredentials.grantRead(f[name]);
      f[name].addToRolePolicy(
        new PolicyStatement({ actions: ['ecr:DescribeImages'], resources: [ecrRepositories] }),
      );
      acknowledge(
        f[name],
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*]',
        'Tracks name their ECR repositories at run time; the grant is DescribeImages (read-only metadata) on this account and region only.',
      );
    }
    for (const name of ['admin', 'pool-reconcile', 'plan-rollout', 'update-check'] as const) {
      f[name].addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [clusterSecretsArn],
        }),
      );
      acknowledge(
        f[name],
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:strata/clusters/*]',
        'Clusters (and registry credentials) are registered at run time, one secret each under the strata/clusters/ prefix; the grant is read-only and limited to that prefix.',
      );
    }

    this.relayPolicy = new ManagedPolicy(this, 'RelayPolicy', {
      description: 'Strata: lets a cluster watch relay send change notices to the cluster-event queue',
      statements: [
        new PolicyStatement({
          actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
          resources: [q.clusterEvent.queue.queueArn],
        }),
      ],
    });

    // Queue consumers: batches with partial failures; bounded concurrency where clusters are called.
    const maxCallers = Math.max(2, props.maxClusterCallers ?? 10);
    f['image-push'].addEventSource(
      new SqsEventSource(q.image.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    f['plan-rollout'].addEventSource(
      new SqsEventSource(q.plan.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    f['pool-reconcile'].addEventSource(
      new SqsEventSource(q.reconcile.queue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: maxCallers,
      }),
    );
    f['node-state'].addEventSource(
      new SqsEventSource(q.clusterEvent.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
    );
    f['update-check'].addEventSource(
      new SqsEventSource(q.check.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );

    // ECR pushes arrive through EventBridge (best effort; the update check covers lost ones).
    new Rule(this, 'EcrPushRule', {
      description: 'Strata: successful ECR image pushes',
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
      },
      targets: [new LambdaFunction(f['ecr-event'], { retryAttempts: 4 })],
    });

    // Image builds on AWS: the CodeBuild project; its state changes go to the build-event function.
    this.builds = new StrataBuilds(this, 'Builds', {
      repositories: props.buildRepositories ?? [],
      logRetention,
      eventFunction: f['build-event'],
    });

    // The resync tick: re-enqueues every active pool and rollout.
    const tickRole = new Role(this, 'TickRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    new Schedule(this, 'ResyncTick', {
      description: 'Strata: resync every active pool and rollout',
      schedule: ScheduleExpression.rate(props.resyncInterval ?? Duration.minutes(1)),
      target: new LambdaInvoke(f.resync, { role: tickRole }),
    });
    acknowledge(
      tickRole,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f.resync.node.defaultChild as CfnResource)}.Arn>:*]`,
      'The scheduler may invoke any version or alias of the resync function, and nothing else.',
    );
    // The update-check tick: re-resolves tracked tags and bases, checks drift (webhooks get lost).
    new Schedule(this, 'UpdateCheckTick', {
      description: 'Strata: check tracked tags, base images and drift',
      schedule: ScheduleExpression.rate(props.updateCheckInterval ?? Duration.minutes(15)),
      target: new LambdaInvoke(f['update-check'], { role: tickRole }),
    });
    acknowledge(
      tickRole,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f['update-check'].node.defaultChild as CfnResource)}.Arn>:*]`,
      'The scheduler may invoke any version or alias of the update-check function, and nothing else.',
    );

    // HTTP API: registry webhooks (authenticated in the handler) and the IAM-authorised admin API.
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'Api', {
      description: 'Strata: registry webhooks and admin API',
      corsPreflight: { allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST], allowOrigins: [] },
    });
    // HttpApi has no access-log property yet; set it on the default stage's CloudFormation resource.
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };
    // Registries that can only put a secret in the URL (Docker Hub, Quay) use the {token} form.
    const webhookIntegration = new HttpLambdaIntegration('Webhook', f.webhook);
    const webhookRoutes: HttpRoute[] = ['/hooks/{provider}', '/hooks/{provider}/{token}'].flatMap((path) =>
      this.api.addRoutes({ path, methods: [HttpMethod.POST], integration: webhookIntegration }),
    );
    for (const route of webhookRoutes) {
      acknowledge(
        route,
        'AwsSolutions-APIG4',
        'Registries cannot sign AWS requests: each webhook delivery is authenticated inside the handler (HMAC signature, shared Authorization header or URL token, compared in constant time).',
      );
    }
    this.api.addRoutes({
      path: '/v1/{proxy+}',
      methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE],
      integration: new HttpLambdaIntegration('Admin', f.admin),
      authorizer: new HttpIamAuthorizer(),
    });

    // Alarms: anything in a DLQ needs a human; so does a halted rollout.
    const alarms = Object.entries(this.queues).map(
      ([name, wq]) =>
        new Alarm(this, `${pascal(name)}DeadLettersAlarm`, {
          alarmDescription: `Strata: messages in the ${name} dead-letter queue`,
          metric: wq.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
    alarms.push(
      new Alarm(this, 'HaltedRolloutsAlarm', {
        alarmDescription: 'Strata: a rollout halted (failure budget exceeded)',
        // Emitted by plan-rollout (functions/adapters/lambda/metrics.ts) with its service dimension.
        metric: new Metric({
          namespace: 'Strata',
          metricName: 'RolloutHalted',
          dimensionsMap: { service: 'strata-plan-rollout' },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    if (props.alarmTopic) for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(props.alarmTopic));
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
