/**
 * Which colour each state reads in: pure, so that the dashboard shares it; table.ts paints on a terminal.
 */

/** The styles states are painted with. */
export type StateStyle = 'green' | 'yellow' | 'red' | 'magenta' | 'gray';

/** How each state reads: done and healthy green, moving yellow, failed red, rolled back magenta, ended gray. */
const STATE_STYLES: Record<string, StateStyle> = {
  // Rollouts.
  Completed: 'green',
  Pending: 'yellow',
  Progressing: 'yellow',
  Soaking: 'yellow',
  Paused: 'yellow',
  Halted: 'red',
  RollingBack: 'magenta',
  RolledBack: 'magenta',
  Aborted: 'gray',
  Superseded: 'gray',
  // Nodes: the daemon's state and the Ready condition.
  Done: 'green',
  Working: 'yellow',
  Degraded: 'red',
  Unreconcilable: 'red',
  Ready: 'green',
  NotReady: 'red',
  SchedulingDisabled: 'yellow',
};

/** The style of a state word (rollout status, node state, node status), if it has one. */
export function stateStyle(value: string): StateStyle | undefined {
  return STATE_STYLES[value];
}

/** The style of a pool condition: `good` is the status that is healthy (True for Updated, False for Degraded). */
export function conditionStyle(value: string, good: 'True' | 'False'): StateStyle | undefined {
  if (value !== 'True' && value !== 'False') return undefined;
  return value === good ? 'green' : good === 'True' ? 'yellow' : 'red';
}
