import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StrataControlPlane, type StrataControlPlaneProps } from './control-plane.ts';

/** The deployable stack: one Strata control plane. */
export class StrataStack extends Stack {
  readonly controlPlane: StrataControlPlane;
  constructor(
    scope: Construct,
    id: string,
    props: StackProps & { controlPlane?: StrataControlPlaneProps } = {},
  ) {
    super(scope, id, {
      description: 'Strata: layered OS image rollouts across Kubernetes and OpenShift fleets',
      ...props,
    });
    this.controlPlane = new StrataControlPlane(this, 'ControlPlane', props.controlPlane);
    const cp = this.controlPlane;
    new CfnOutput(this, 'ApiUrl', {
      value: cp.api.apiEndpoint,
      description: 'Webhooks: <url>/hooks/<provider>; admin API (IAM): <url>/v1/…; use with strata --url',
    });
    new CfnOutput(this, 'ClusterEventQueueUrl', {
      value: cp.queues.clusterEvent.queue.queueUrl,
      description: 'STRATA_CLUSTER_EVENT_QUEUE_URL for the watch relays (deploy/cluster/relay.yaml)',
    });
    new CfnOutput(this, 'RelayPolicyArn', {
      value: cp.relayPolicy.managedPolicyArn,
      description: 'Attach to each watch relay IAM role',
    });
    new CfnOutput(this, 'WebhookSecretsArn', {
      value: cp.webhookSecrets.secretArn,
      description: 'Per-registry webhook secrets (JSON)',
    });
    new CfnOutput(this, 'TableName', { value: cp.table.tableName });
  }
}
