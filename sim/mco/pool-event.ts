/** An Event about a MachineConfigPool, recorded as one of MCO's controllers records it. */
import type { ObjectRecord, SimCluster } from '../cluster.ts';
import { MCO_NAMESPACE } from '../openshift.ts';

/** Records an Event on `pool` from `component` (the controller's name). */
export function recordPoolEvent(
  cluster: SimCluster,
  component: string,
  pool: ObjectRecord,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): void {
  cluster.recordEvent({
    involved: {
      kind: 'MachineConfigPool',
      name: pool.name,
      uid: pool.uid,
      apiVersion: 'machineconfiguration.openshift.io/v1',
    },
    namespace: MCO_NAMESPACE,
    reason,
    message,
    type,
    component,
  });
}
