/**
 * Server-side printing: what `kubectl get` shows comes from the API server as a `meta.k8s.io/v1` Table
 * (kubectl asks with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Columns follow the real
 * printers (nodes: NAME STATUS ROLES AGE VERSION).
 */
import { NodeAnnotations as A } from '../functions/core/model.ts';
import type { KObject } from './store.ts';

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
  cell(object: KObject, now: number): string | number;
}

// Printers read deep optional fields of objects of many kinds; typing each path buys nothing here.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyRecord = Record<string, any>;

/** Kubernetes' `duration.HumanDuration` (the AGE column). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

const name: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => String(o.metadata.name),
};
const age: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (o, now) => humanDuration(now - Date.parse(String(o.metadata.creationTimestamp))),
};
const text = (title: string, priority: number, cell: (o: AnyRecord) => string | number): Column => ({
  name: title,
  type: typeof title === 'string' ? 'string' : 'integer',
  description: title,
  priority,
  cell: (o) => cell(o as AnyRecord),
});

function nodeStatus(o: AnyRecord): string {
  const ready = (o.status?.conditions ?? []).find((c: AnyRecord) => c.type === 'Ready');
  const parts = [ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown'];
  if (o.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(o: AnyRecord): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  return roles.length > 0 ? roles.join(',') : '<none>';
}

const condition = (o: AnyRecord, type: string) =>
  (o.status?.conditions ?? []).find((c: AnyRecord) => c.type === type)?.status ?? '';

const columnsByKind: Record<string, Column[]> = {
  Node: [
    name,
    text('Status', 0, nodeStatus),
    text('Roles', 0, nodeRoles),
    age,
    text('Version', 0, (o) => o.status?.nodeInfo?.kubeletVersion ?? ''),
    text(
      'Internal-IP',
      1,
      (o) => o.status?.addresses?.find((a: AnyRecord) => a.type === 'InternalIP')?.address ?? '<none>',
    ),
    text('External-IP', 1, () => '<none>'),
    text('OS-Image', 1, (o) => o.status?.nodeInfo?.osImage ?? ''),
    text('Kernel-Version', 1, (o) => o.status?.nodeInfo?.kernelVersion ?? ''),
    text('Container-Runtime', 1, (o) => o.status?.nodeInfo?.containerRuntimeVersion ?? ''),
  ],
  Pod: [
    name,
    text('Ready', 0, (o) => `${o.status?.phase === 'Running' ? 1 : 0}/1`),
    text('Status', 0, (o) => o.status?.phase ?? ''),
    text('Restarts', 0, () => 0),
    age,
    text('IP', 1, () => '<none>'),
    text('Node', 1, (o) => o.spec?.nodeName ?? '<none>'),
  ],
  PodDisruptionBudget: [
    name,
    text('Min Available', 0, (o) =>
      o.spec?.minAvailable === undefined ? 'N/A' : String(o.spec.minAvailable),
    ),
    text('Max Unavailable', 0, (o) =>
      o.spec?.maxUnavailable === undefined ? 'N/A' : String(o.spec.maxUnavailable),
    ),
    text('Allowed Disruptions', 0, (o) => o.status?.disruptionsAllowed ?? 0),
    age,
  ],
  MachineConfigPool: [
    name,
    text('Config', 0, (o) => o.status?.configuration?.name ?? ''),
    text('Updated', 0, (o) => condition(o, 'Updated')),
    text('Updating', 0, (o) => condition(o, 'Updating')),
    text('Degraded', 0, (o) => condition(o, 'Degraded')),
    text('MachineCount', 0, (o) => o.status?.machineCount ?? 0),
    text('ReadyMachineCount', 0, (o) => o.status?.readyMachineCount ?? 0),
    text('UpdatedMachineCount', 0, (o) => o.status?.updatedMachineCount ?? 0),
    text('DegradedMachineCount', 0, (o) => o.status?.degradedMachineCount ?? 0),
    age,
  ],
  MachineConfig: [
    name,
    text(
      'GeneratedByController',
      0,
      (o) =>
        o.metadata.annotations?.['machineconfiguration.openshift.io/generated-by-controller-version'] ?? '',
    ),
    text('IgnitionVersion', 0, (o) => o.spec?.config?.ignition?.version ?? ''),
    age,
  ],
  Namespace: [name, text('Status', 0, (o) => o.status?.phase ?? 'Active'), age],
  ConfigMap: [
    name,
    text('Data', 0, (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length),
    age,
  ],
  ControllerConfig: [
    name,
    text(
      'GeneratedByController',
      0,
      (o) =>
        o.metadata.annotations?.['machineconfiguration.openshift.io/generated-by-controller-version'] ?? '',
    ),
    age,
  ],
  ClusterVersion: [
    name,
    text('Version', 0, (o) => o.status?.desired?.version ?? ''),
    text('Available', 0, (o) => condition(o, 'Available')),
    text('Progressing', 0, (o) => condition(o, 'Progressing')),
    {
      ...age,
      name: 'Since',
      cell: (o, now) =>
        humanDuration(
          now -
            Date.parse(
              String((o as AnyRecord).status?.history?.[0]?.completionTime ?? o.metadata.creationTimestamp),
            ),
        ),
    },
    text(
      'Status',
      0,
      (o) => (o.status?.conditions ?? []).find((c: AnyRecord) => c.type === 'Progressing')?.message ?? '',
    ),
  ],
  MachineConfigNode: [
    name,
    text('PoolName', 0, (o) => o.spec?.pool?.name ?? ''),
    text('DesiredConfig', 0, (o) => o.spec?.configVersion?.desired ?? ''),
    text('CurrentConfig', 0, (o) => o.status?.configVersion?.current ?? ''),
    text('Updated', 0, (o) => condition(o, 'Updated')),
    age,
  ],
  Event: [
    {
      name: 'Last Seen',
      type: 'string',
      description: 'The time of the last occurrence.',
      priority: 0,
      cell: (o, now) =>
        humanDuration(
          now - Date.parse(String((o as AnyRecord).lastTimestamp ?? o.metadata.creationTimestamp)),
        ),
    },
    text('Type', 0, (o) => o.type ?? ''),
    text('Reason', 0, (o) => o.reason ?? ''),
    text(
      'Object',
      0,
      (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`,
    ),
    text('Subobject', 1, (o) => o.involvedObject?.fieldPath ?? ''),
    text('Source', 1, (o) => [o.source?.component, o.source?.host].filter(Boolean).join(', ')),
    text('Message', 0, (o) => o.message ?? ''),
    {
      name: 'First Seen',
      type: 'string',
      description: 'The time of the first occurrence.',
      priority: 1,
      cell: (o, now) =>
        humanDuration(
          now - Date.parse(String((o as AnyRecord).firstTimestamp ?? o.metadata.creationTimestamp)),
        ),
    },
    text('Count', 1, (o) => o.count ?? 1),
    text('Name', 1, (o) => o.metadata?.name ?? ''),
  ],
};

/** The MCO node state, handy in `-o wide`. */
columnsByKind.Node!.push(text('MCO-State', 1, (o) => o.metadata.annotations?.[A.state] ?? ''));

/** Builds the Table for a list of objects of one kind. */
export function toTable(
  kind: string,
  objects: KObject[],
  resourceVersion: string,
  now: number,
  includeObject: string | null,
): KObject {
  const columns = columnsByKind[kind] ?? [name, age];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map(({ cell: _, ...definition }) => ({ format: '', ...definition })),
    rows: objects.map((object) => ({
      cells: columns.map((c) => c.cell(object, now)),
      object:
        includeObject === 'Object'
          ? object
          : includeObject === 'None'
            ? null
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
    })),
  };
}
