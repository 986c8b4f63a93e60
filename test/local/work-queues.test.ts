import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataControlPlane } from '../../lib/control-plane.ts';
import { RESYNC_TICK, UPDATE_CHECK_TICK, WORK_QUEUE_NAMES, workQueueSpecs } from '../../local/work-queues.ts';
import { placeholderHandlers, unbundledApp } from '../support/cdk.ts';

// The embedded runtime must mirror the stack: this synthesises the real construct (without bundling the
// functions) and compares its queues, event source mappings and function settings with local/work-queues.ts.
let template: Template;
let handlers: { dir: string; remove(): void };

beforeAll(() => {
  handlers = placeholderHandlers();
  const app = unbundledApp();
  const stack = new Stack(app, 'Mirror', { env: { account: '111111111111', region: 'us-east-1' } });
  new StrataControlPlane(stack, 'ControlPlane', { handlersDir: handlers.dir, maxClusterCallers: 7 });
  template = Template.fromStack(stack);
}, 120_000);
afterAll(() => handlers.remove());

type Resource = { Properties: Record<string, unknown> };
const resources = (type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);

/** The logical id of the Lambda function whose id starts with ControlPlane<Pascal name>. */
function functionOf(name: string): [string, Resource] {
  const pascal = name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  const found = resources('AWS::Lambda::Function').find(
    ([id]) => id.startsWith(`ControlPlane${pascal}`) && !id.includes('Logs'),
  );
  if (!found) throw new Error(`no function ${name} in the template`);
  return found;
}

describe('local/work-queues.ts mirrors lib/control-plane.ts', () => {
  const specs = workQueueSpecs(7);

  it('has the same consumers with the same batch size, concurrency and timeouts', () => {
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(WORK_QUEUE_NAMES.length);
    for (const q of WORK_QUEUE_NAMES) {
      const { consumer } = specs[q];
      const [fnId, fn] = functionOf(consumer.name);
      expect(fn.Properties.Timeout, `${consumer.name} timeout`).toBe(consumer.timeoutSeconds);
      const mapping = mappings.find(([, m]) => JSON.stringify(m.Properties.FunctionName).includes(fnId));
      expect(mapping, `event source of ${consumer.name}`).toBeDefined();
      const props = mapping![1].Properties;
      expect(props.BatchSize, `${consumer.name} batch size`).toBe(consumer.batchSize);
      expect(props.ScalingConfig, `${consumer.name} concurrency`).toEqual({
        MaximumConcurrency: consumer.maxConcurrency,
      });
      expect(props.MaximumBatchingWindowInSeconds ?? 0).toBe(consumer.maxBatchingWindowSeconds);
      expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);

      // The queue it reads: visibility timeout and redrive.
      const queueId = (props.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const queue = template.toJSON().Resources[queueId] as Resource;
      expect(queue.Properties.VisibilityTimeout, `${q} visibility`).toBe(specs[q].visibilityTimeoutSeconds);
      expect((queue.Properties.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount).toBe(
        specs[q].maxReceiveCount,
      );
    }
  });

  it('passes the queue URLs under the same variable names', () => {
    const variables = new Set(
      resources('AWS::Lambda::Function').flatMap(([, f]) =>
        Object.keys((f.Properties.Environment as { Variables?: object } | undefined)?.Variables ?? {}),
      ),
    );
    expect(variables).toContain('TABLE_NAME');
    for (const q of WORK_QUEUE_NAMES) {
      // The cluster-event queue is fed by watch relays, not by a function, so no function carries its URL.
      if (q === 'clusterEvent') continue;
      expect(variables, specs[q].urlVariable).toContain(specs[q].urlVariable);
    }
  });

  /** The rate expression of the schedule that invokes `functionName`. */
  function rateOf(functionName: string): unknown {
    const [fnId] = functionOf(functionName);
    const found = resources('AWS::Scheduler::Schedule').find(([, s]) =>
      JSON.stringify(s.Properties.Target).includes(fnId),
    );
    return found?.[1].Properties.ScheduleExpression;
  }

  it('ticks resync at the default rate with its timeout', () => {
    expect(rateOf(RESYNC_TICK.functionName)).toBe(`rate(${RESYNC_TICK.intervalSeconds / 60} minute)`);
    expect(functionOf(RESYNC_TICK.functionName)[1].Properties.Timeout).toBe(RESYNC_TICK.timeoutSeconds);
  });

  it('ticks the update check at the default rate with its timeout', () => {
    expect(rateOf(UPDATE_CHECK_TICK.functionName)).toBe(
      `rate(${UPDATE_CHECK_TICK.intervalSeconds / 60} minutes)`,
    );
    expect(functionOf(UPDATE_CHECK_TICK.functionName)[1].Properties.Timeout).toBe(
      UPDATE_CHECK_TICK.timeoutSeconds,
    );
  });
});
