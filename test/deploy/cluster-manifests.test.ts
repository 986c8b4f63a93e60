import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function clusterRole(file: string, name: string): Rule[] {
  const text = readFileSync(fileURLToPath(new URL(`../../deploy/cluster/${file}`, import.meta.url)), 'utf8');
  const docs = parseAllDocuments(text).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[] },
  );
  const role = docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === name);
  if (!role?.rules) throw new Error(`${file}: no ClusterRole ${name}`);
  return role.rules;
}

/** Every (group/resource, verb) pair a role grants. */
function grants(rules: Rule[]): string[] {
  return rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))),
    )
    .sort();
}

describe('cluster-side manifests', () => {
  it('give the watch relay read-only access to nodes and pools, nothing else', () => {
    const granted = grants(clusterRole('relay.yaml', 'strata-relay'));
    expect(granted).toEqual(
      [
        '/nodes:get',
        '/nodes:list',
        '/nodes:watch',
        'machineconfiguration.openshift.io/machineconfigpools:get',
        'machineconfiguration.openshift.io/machineconfigpools:list',
        'machineconfiguration.openshift.io/machineconfigpools:watch',
      ].sort(),
    );
  });

  it('give the controller identity exactly what a rollout does, with no wildcards and no deletes', () => {
    const granted = grants(clusterRole('controller-identity.yaml', 'strata-controller'));
    expect(granted.some((g) => g.includes('*'))).toBe(false);
    expect(granted.some((g) => g.endsWith(':delete') || g.endsWith(':update'))).toBe(false);
    expect(granted).toContain('/pods/eviction:create');
    expect(granted).toContain('/nodes:patch');
    expect(granted).not.toContain('/pods:delete');
    expect(granted).toContain('machineconfiguration.openshift.io/machineconfigs:create');
  });
});
