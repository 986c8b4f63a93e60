/**
 * Discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`, `/version`) built from the
 * resources a simulated cluster serves, so that kubectl and client-node find them as on a real server.
 */
import type { ServedResource } from './cluster.ts';

const subresources: Record<
  string,
  { name: string; kind: string; verbs: string[]; group?: string; version?: string }[]
> = {
  nodes: [{ name: 'status', kind: 'Node', verbs: ['get'] }],
  pods: [
    { name: 'eviction', kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
    { name: 'status', kind: 'Pod', verbs: ['get'] },
  ],
  poddisruptionbudgets: [{ name: 'status', kind: 'PodDisruptionBudget', verbs: ['get'] }],
  machineconfigpools: [{ name: 'status', kind: 'MachineConfigPool', verbs: ['get', 'patch', 'update'] }],
  controllerconfigs: [{ name: 'status', kind: 'ControllerConfig', verbs: ['get', 'patch', 'update'] }],
  clusterversions: [{ name: 'status', kind: 'ClusterVersion', verbs: ['get', 'patch', 'update'] }],
  machineconfignodes: [{ name: 'status', kind: 'MachineConfigNode', verbs: ['get', 'patch', 'update'] }],
};

/** Group versions served, by group ('' = core). */
export function groupVersions(resources: Iterable<ServedResource>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    const versions = groups.get(r.type.group) ?? [];
    if (!versions.includes(r.type.version)) versions.push(r.type.version);
    groups.set(r.type.group, versions);
  }
  return groups;
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(resources: Iterable<ServedResource>): object {
  const groups = [...groupVersions(resources).entries()].filter(([group]) => group !== '');
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

export function apiGroup(resources: Iterable<ServedResource>, group: string): object | undefined {
  const versions = groupVersions(resources).get(group);
  if (!versions) return undefined;
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions: versions.map((version) => ({ groupVersion: `${group}/${version}`, version })),
    preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
  };
}

export function apiResourceList(
  resources: Iterable<ServedResource>,
  group: string,
  version: string,
): object | undefined {
  const served = [...resources].filter((r) => r.type.group === group && r.type.version === version);
  if (served.length === 0) return undefined;
  const list: object[] = [];
  for (const { type } of served) {
    list.push({
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
      shortNames: type.shortNames,
      ...(group === '' ? {} : { categories: ['all'] }),
    });
    for (const sub of subresources[type.plural] ?? []) {
      list.push({
        name: `${type.plural}/${sub.name}`,
        singularName: '',
        namespaced: type.namespaced,
        kind: sub.kind,
        verbs: sub.verbs,
        ...(sub.group ? { group: sub.group, version: sub.version } : {}),
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: list,
  };
}

export const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4+strata-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};
