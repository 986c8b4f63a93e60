/**
 * Per-node progress from MachineConfigNodes (`machineconfiguration.openshift.io/v1`, stable in 4.20;
 * reference/mco.md §9.2): where a cluster serves them, each node's update phase as MCO's daemon reports it,
 * in the words of its conditions (`UpdateExecuted/Drained`, `Updated`, `NodeDegraded`). Pure.
 */
import type { McoCondition } from './port.ts';

/** What the mco driver reads of one MachineConfigNode. */
export interface MachineConfigNodeFacts {
  /** The node's name (an MCN is named after its node). */
  name: string;
  /** `spec.pool.name`. */
  pool: string;
  /** `spec.configVersion.desired`. */
  desired: string;
  /** `status.configVersion.current`. */
  current: string;
  conditions: McoCondition[];
}

/** A node's update phase by its MachineConfigNode, and since when (the condition's lastTransitionTime). */
export interface McnPhase {
  /** `Updated`, `NodeDegraded`, `Pending` (told nothing yet), or the in-progress step (`UpdateExecuted/Drained`). */
  phase: string;
  since: string;
  /** NodeDegraded's message. */
  message?: string;
}

/** The phases of an update in MCO's order; a phase in progress has status Unknown. */
const PHASES = ['UpdatePrepared', 'UpdateExecuted', 'UpdatePostActionComplete', 'UpdateComplete', 'Resumed'];
/** The steps within a phase (cordon, drain, files and OS, reboot). */
const STEPS = ['Cordoned', 'Drained', 'AppliedFilesAndOS', 'RebootedNode'];

/**
 * The phase a MachineConfigNode shows: NodeDegraded first, then Updated (on its desired config), then the
 * phase and step in progress (`UpdateExecuted/Drained`), else `Pending` when the node is not on its desired
 * config, else `Unknown`.
 */
export function mcnPhase(mcn: MachineConfigNodeFacts): McnPhase {
  const find = (type: string) => mcn.conditions.find((c) => c.type === type);
  const degraded = find('NodeDegraded');
  if (degraded?.status === 'True') {
    return { phase: 'NodeDegraded', since: degraded.lastTransitionTime, message: degraded.message };
  }
  const updated = find('Updated');
  if (updated?.status === 'True' && mcn.current === mcn.desired) {
    return { phase: 'Updated', since: updated.lastTransitionTime };
  }
  const inProgress = (types: string[]) =>
    types.map(find).find((c): c is McoCondition => c?.status === 'Unknown');
  const phase = inProgress(PHASES);
  const step = inProgress(STEPS);
  if (phase || step) {
    const name = [phase?.type, step?.type].filter(Boolean).join('/');
    return { phase: name, since: (step ?? phase)!.lastTransitionTime };
  }
  if (mcn.current !== mcn.desired) {
    return { phase: 'Pending', since: updated?.lastTransitionTime ?? '' };
  }
  return { phase: 'Unknown', since: updated?.lastTransitionTime ?? '' };
}

/** The phase of each of `nodes` that has a MachineConfigNode (others are left out). */
export function mcnPhases(
  mcns: readonly MachineConfigNodeFacts[],
  nodes: readonly string[],
): Record<string, McnPhase> {
  const wanted = new Set(nodes);
  const out: Record<string, McnPhase> = {};
  for (const m of [...mcns].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (wanted.has(m.name)) out[m.name] = mcnPhase(m);
  }
  return out;
}

/** `UpdateExecuted/Drained since 2026-…`, `NodeDegraded (reason) since …`: a phase in a sentence. */
export function spokenPhase(p: McnPhase): string {
  const what = p.message ? `${p.phase} (${p.message})` : p.phase;
  return p.since ? `${what} since ${p.since}` : what;
}
