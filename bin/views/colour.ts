/**
 * Colour for states in tables: on a terminal only. `util.styleText` checks the stream: no colour when
 * stdout is not a TTY, when NO_COLOR or NODE_DISABLE_COLORS is set, or when the terminal has none;
 * FORCE_COLOR forces it.
 */
import { styleText } from 'node:util';

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

/** `text` in `style` when stdout shows colour; `text` itself otherwise. */
export function paint(style: StateStyle | undefined, text: string): string {
  return style ? styleText(style, text, { stream: process.stdout }) : text;
}
