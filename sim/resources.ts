/**
 * The resources a simulated cluster serves: compact records and how each is served as a Kubernetes
 * object (encoders are called on every read; nothing is stored serialised except watch history).
 */
import { createHash } from 'node:crypto';
import { NodeAnnotations as A } from '../functions/core/model.ts';
import { isDegraded, isNodeReady, isUnavailableForUpdate, isUpdatedTo } from './node-state.ts';
import type { Json } from './patch.ts';
import type { KObject, ResourceType, StoredRecord } from './store.ts';

export const MCO_GROUP = 'machineconfiguration.openshift.io';
const KUBELET_VERSION = 'v1.32.4';

const labelsOf = (object: KObject): Record<string, string> => ({
  ...((object.metadata.labels as Record<string, string> | undefined) ?? {}),
});

export interface NodeRecord extends StoredRecord {
  created: string;
  annotations: Readonly<Record<string, string>>;
  unschedulable: boolean;
  taints: Json[] | undefined;
  /** The Ready condition. */
  ready: boolean;
  readyChanged: string;
  ip: string;
  /** The node's primary MachineConfigPool ('' when none). */
  pool: string;
  /** The OS image the host booted (what `rpm-ostree status` would show); not served by the API. */
  bootedImage: string;
}

export interface PodRecord extends StoredRecord {
  created: string;
  nodeName: string;
  phase: 'Running' | 'Pending';
  ownerKind: 'ReplicaSet' | 'DaemonSet';
  ownerName: string;
}

export interface PdbRecord extends StoredRecord {
  created: string;
  selector: Readonly<Record<string, string>>;
  minAvailable: number | string | undefined;
  maxUnavailable: number | string | undefined;
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  /** Simulated time until which a fault holds disruptionsAllowed at 0 (Infinity: forever). */
  blockedUntil: number;
  /** A block of this length not yet started: it starts with the first eviction it refuses. */
  pendingBlockMs: number | undefined;
}

/** A stored object served as written (MachineConfigs, pools, namespaces). */
export interface ObjectRecord extends StoredRecord {
  object: KObject;
}

/** Everything a cluster needs from the fleet. */

export function nodeType(cluster: string): ResourceType<NodeRecord> {
  return {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fieldSelectors: ['spec.unschedulable'],
    fields: (n) => ({ 'metadata.name': n.name, 'spec.unschedulable': String(n.unschedulable) }),
    encode: (n) => {
      const readyCondition = {
        type: 'Ready',
        status: n.ready ? 'True' : 'False',
        lastHeartbeatTime: n.readyChanged,
        lastTransitionTime: n.readyChanged,
        reason: n.ready ? 'KubeletReady' : 'KubeletNotReady',
        message: n.ready ? 'kubelet is posting ready status' : 'node is rebooting or unreachable',
      };
      const pressure = (type: string, reason: string) => ({
        type,
        status: 'False',
        lastHeartbeatTime: n.created,
        lastTransitionTime: n.created,
        reason,
        message: `kubelet has no ${type.replace('Pressure', '').toLowerCase()} pressure`,
      });
      const spec: Record<string, unknown> = { providerID: `sim://${cluster}/${n.name}` };
      if (n.unschedulable) spec.unschedulable = true;
      if (n.taints && n.taints.length > 0) spec.taints = n.taints;
      return {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: n.name,
          uid: n.uid,
          resourceVersion: String(n.rv),
          creationTimestamp: n.created,
          labels: n.labels,
          annotations: n.annotations,
        },
        spec,
        status: {
          capacity: { cpu: '8', memory: '32780340Ki', pods: '250', 'ephemeral-storage': '125293548Ki' },
          allocatable: {
            cpu: '7500m',
            memory: '31629364Ki',
            pods: '250',
            'ephemeral-storage': '114396791822',
          },
          conditions: [
            pressure('MemoryPressure', 'KubeletHasSufficientMemory'),
            pressure('DiskPressure', 'KubeletHasNoDiskPressure'),
            pressure('PIDPressure', 'KubeletHasSufficientPID'),
            readyCondition,
          ],
          addresses: [
            { type: 'InternalIP', address: n.ip },
            { type: 'Hostname', address: n.name },
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: {
            machineID: n.uid.replaceAll('-', ''),
            systemUUID: n.uid,
            bootID: n.readyChanged,
            kernelVersion: '5.14.0-427.el9.x86_64',
            osImage: 'Red Hat Enterprise Linux CoreOS 9.6 (Plow)',
            containerRuntimeVersion: 'cri-o://1.32.4',
            kubeletVersion: KUBELET_VERSION,
            kubeProxyVersion: '',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      };
    },
  };
}

export function podType(): ResourceType<PodRecord> {
  return {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    verbs: ['delete', 'get', 'list', 'watch'],
    fieldSelectors: ['spec.nodeName', 'status.phase'],
    fields: (p) => ({
      'metadata.name': p.name,
      'metadata.namespace': p.namespace ?? '',
      'spec.nodeName': p.nodeName,
      'status.phase': p.phase,
    }),
    encode: (p) => {
      const ready = p.phase === 'Running' ? 'True' : 'False';
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: p.name,
          namespace: p.namespace,
          uid: p.uid,
          resourceVersion: String(p.rv),
          creationTimestamp: p.created,
          labels: p.labels,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: p.ownerKind,
              name: p.ownerKind === 'ReplicaSet' ? `${p.ownerName}-6d4cf56db6` : p.ownerName,
              uid: `00000000-0000-0000-0000-${createHash('md5').update(p.ownerName).digest('hex').slice(0, 12)}`,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          ...(p.nodeName ? { nodeName: p.nodeName } : {}),
          containers: [{ name: p.ownerName, image: `registry.example.com/${p.ownerName}:1.0` }],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
        },
        status: {
          phase: p.phase,
          conditions: [
            { type: 'Ready', status: ready },
            { type: 'PodScheduled', status: p.nodeName ? 'True' : 'False' },
          ],
          ...(p.phase === 'Running'
            ? {
                startTime: p.created,
                containerStatuses: [
                  {
                    name: p.ownerName,
                    ready: true,
                    restartCount: 0,
                    started: true,
                    image: `registry.example.com/${p.ownerName}:1.0`,
                    imageID: '',
                    state: { running: { startedAt: p.created } },
                  },
                ],
              }
            : {}),
        },
      };
    },
  };
}

export function pdbType(): ResourceType<PdbRecord> {
  return {
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    verbs: ['get', 'list', 'watch'],
    fieldSelectors: [],
    fields: (p) => ({ 'metadata.name': p.name, 'metadata.namespace': p.namespace ?? '' }),
    encode: (p) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: {
        name: p.name,
        namespace: p.namespace,
        uid: p.uid,
        resourceVersion: String(p.rv),
        creationTimestamp: p.created,
        generation: 1,
      },
      spec: {
        selector: { matchLabels: p.selector },
        ...(p.minAvailable !== undefined
          ? { minAvailable: p.minAvailable }
          : { maxUnavailable: p.maxUnavailable }),
      },
      status: {
        observedGeneration: 1,
        currentHealthy: p.currentHealthy,
        desiredHealthy: p.desiredHealthy,
        disruptionsAllowed: p.disruptionsAllowed,
        expectedPods: p.expectedPods,
        conditions: [
          {
            type: 'DisruptionAllowed',
            status: p.disruptionsAllowed > 0 ? 'True' : 'False',
            reason: p.disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
            message: '',
            observedGeneration: 1,
            lastTransitionTime: p.created,
          },
        ],
      },
    }),
  };
}

/** MachineConfigPools, served with their status computed from the pool's nodes (`nodesOf`). */
export function poolType(nodesOf: (pool: string) => NodeRecord[]): ResourceType<ObjectRecord> {
  const base = objectType(MCO_GROUP, 'v1', 'machineconfigpools', 'MachineConfigPool', false, ['mcp']);
  return {
    ...base,
    encode: (record) => base.encode({ ...record, object: withPoolStatus(record, nodesOf(record.name)) }),
  };
}

/** A MachineConfigPool with its status computed from its nodes (reference mco.md §2.5). */
export function withPoolStatus(record: ObjectRecord, nodes: readonly NodeRecord[]): KObject {
  const object = record.object;
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const target = ((spec.configuration ?? {}) as { name?: string }).name ?? '';
  const updated = nodes.filter((n) => isUpdatedTo(n, target, undefined));
  const ready = updated.filter((n) => isNodeReady(n));
  const degraded = nodes.filter((n) => isDegraded(n));
  const unavailable = nodes.filter((n) => isUnavailableForUpdate(n));
  const allUpdated =
    updated.length === nodes.length && ready.length === nodes.length && unavailable.length === 0;
  const status = { ...((object.status ?? {}) as Record<string, unknown>) };
  if (allUpdated && spec.configuration) status.configuration = spec.configuration;
  object.status = status;
  const since = record.object.metadata.creationTimestamp as string;
  const condition = (type: string, value: boolean, message = '', reason = '') => ({
    type,
    status: value ? 'True' : 'False',
    lastTransitionTime: since,
    reason,
    message,
  });
  const degradedMessage = degraded
    .map((n) => `Node ${n.name} is reporting: ${JSON.stringify(n.annotations[A.reason] ?? '')}`)
    .join(', ');
  return {
    ...object,
    status: {
      ...status,
      observedGeneration: object.metadata.generation,
      machineCount: nodes.length,
      readyMachineCount: ready.length,
      updatedMachineCount: updated.length,
      degradedMachineCount: degraded.length,
      unavailableMachineCount: unavailable.length,
      conditions: [
        condition(
          'Updated',
          allUpdated,
          allUpdated ? `All nodes are updated with MachineConfig ${target}` : '',
        ),
        condition(
          'Updating',
          !allUpdated && !spec.paused,
          allUpdated
            ? ''
            : spec.paused
              ? `Pool is paused; will not update to MachineConfig ${target}`
              : `All nodes are updating to MachineConfig ${target}`,
        ),
        condition(
          'NodeDegraded',
          degraded.length > 0,
          degradedMessage,
          degraded.length > 0 ? `${degraded.length} nodes are reporting degraded status on sync` : '',
        ),
        condition('Degraded', degraded.length > 0, degradedMessage),
      ],
    },
  };
}

/** A resource type for objects stored as written. */
export function objectType(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
): ResourceType<ObjectRecord> {
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fieldSelectors: [],
    fields: (r) => ({ 'metadata.name': r.name, 'metadata.namespace': r.namespace ?? '' }),
    encode: (r) => ({ ...r.object, metadata: { ...r.object.metadata, resourceVersion: String(r.rv) } }),
  };
}

/** Events, with the field selectors kubectl describe uses (involvedObject.*). */
/** A node's heartbeat lease. */
export interface LeaseRecord extends StoredRecord {
  created: string;
  /** The node's uid (owner). */
  node: string;
}

/** kube-node-lease Leases; renewTime is always "now": the simulated kubelets are alive. */
export function leaseType(now: () => string): ResourceType<LeaseRecord> {
  return {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    shortNames: [],
    verbs: ['get', 'list', 'watch'],
    fieldSelectors: [],
    fields: (r) => ({ 'metadata.name': r.name, 'metadata.namespace': r.namespace ?? '' }),
    encode: (r) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: r.name,
        namespace: r.namespace,
        uid: r.uid,
        resourceVersion: String(r.rv),
        creationTimestamp: r.created,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: r.name, uid: r.node }],
      },
      spec: {
        holderIdentity: r.name,
        leaseDurationSeconds: 40,
        renewTime: now().replace('Z', '.000000Z'),
      },
    }),
  };
}

export function eventType(): ResourceType<ObjectRecord> {
  const base = objectType('', 'v1', 'events', 'Event', true, ['ev']);
  const involved = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];
  return {
    ...base,
    fieldSelectors: [...involved.map((f) => `involvedObject.${f}`), 'reason', 'type', 'source'],
    fields: (r) => {
      const o = r.object as Record<string, unknown> & { involvedObject?: Record<string, unknown> };
      const fields: Record<string, string> = base.fields(r);
      for (const f of involved) fields[`involvedObject.${f}`] = String(o.involvedObject?.[f] ?? '');
      fields.reason = String(o.reason ?? '');
      fields.type = String(o.type ?? '');
      fields.source = String((o.source as { component?: string } | undefined)?.component ?? '');
      return fields;
    },
  };
}

/** A written custom object: metadata the server owns is kept; a spec change bumps generation. */
export function writeObject(object: KObject, current: ObjectRecord, part: 'main' | 'status'): ObjectRecord {
  const before = current.object;
  const next: KObject =
    part === 'status'
      ? { ...before, status: object.status }
      : { ...object, apiVersion: before.apiVersion, kind: before.kind, status: before.status };
  const metadata = { ...(part === 'status' ? before.metadata : object.metadata) };
  for (const key of ['name', 'uid', 'creationTimestamp', 'generation'] as const)
    metadata[key] = before.metadata[key];
  delete metadata.resourceVersion;
  if (part === 'main' && JSON.stringify(object.spec) !== JSON.stringify(before.spec))
    metadata.generation = Number(before.metadata.generation ?? 1) + 1;
  next.metadata = metadata;
  return { ...current, labels: labelsOf(next), object: next };
}

export function matchesLabels(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** An int-or-percent against a total, rounding up (how the disruption controller scales PDB values). */
export function scaleUp(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  return Math.ceil((Number.parseInt(value, 10) * total) / 100);
}
