/**
 * Rollout metrics on CloudWatch through Powertools Metrics (embedded metric format on stdout, no API call):
 * `RolloutHalted` in namespace `Strata` with the function's `service` dimension (POWERTOOLS_SERVICE_NAME,
 * `strata-plan-rollout`), which the stack alarms on (lib/control-plane.ts).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RolloutMetrics } from '../../core/ports.ts';

/** Counts each halt as it happens (one metric document per halt; halts are rare). */
export function cloudWatchRolloutMetrics(
  options: { namespace?: string; serviceName?: string } = {},
): RolloutMetrics {
  const metrics = new Metrics({
    namespace: options.namespace ?? 'Strata',
    ...(options.serviceName ? { serviceName: options.serviceName } : {}),
  });
  return {
    halted() {
      metrics.addMetric('RolloutHalted', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}
