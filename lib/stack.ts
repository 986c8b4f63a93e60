import { Stack, type StackProps } from 'aws-cdk-lib';
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
  }
}
