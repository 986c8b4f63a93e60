/** Test factories for MachineConfigs, pools and Ignition configs. */
import type {
  MachineConfig,
  MachineConfigPool,
  MachineConfigSpec,
} from '../../../functions/core/render/index.ts';

export const role = 'machineconfiguration.openshift.io/role';

/** A MachineConfig with the given role label (or explicit labels) and spec. */
export function mc(
  name: string,
  spec: MachineConfigSpec,
  labels: Record<string, string> | null = { [role]: 'worker' },
  annotations?: Record<string, string>,
): MachineConfig {
  return {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfig',
    metadata: { name, labels, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

/** A pool selecting `role In values` (or `role: name` when no values are given). */
export function pool(name: string, values?: string[]): MachineConfigPool {
  return {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfigPool',
    metadata: { name },
    spec: {
      machineConfigSelector: values
        ? { matchExpressions: [{ key: role, operator: 'In', values }] }
        : { matchLabels: { [role]: name } },
    },
  };
}

/** An Ignition 3.5 config with the given sections. */
export function ign(sections: Record<string, unknown> = {}, version = '3.5.0'): Record<string, unknown> {
  return { ignition: { version }, ...sections };
}

/** A file entry as MCO's `NewIgnFile` writes it: a data URL, mode 420, no compression. */
export function file(
  path: string,
  contents: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { path, contents: { source: `data:,${encodeURIComponent(contents)}` }, mode: 420, ...extra };
}
