/**
 * cdk-nag acknowledgements: every finding Strata accepts is acknowledged on the construct it concerns, with
 * the reason it is acceptable, so that a new finding anywhere else still fails synth.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on `construct` and its children. `id` is a rule (`AwsSolutions-SQS3`) or one
 * finding of a rule (`AwsSolutions-IAM5[Resource::…]`), which leaves the rule's other findings active.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}
