/**
 * deploy/cluster/agent.yaml: the DaemonSet the agent needs (privileged, host PID namespace, host root at
 * /host, every taint tolerated, its node's name from the downward API), and RBAC that is exactly what the
 * agent's code does with the API: measured by running real agents through a recording proxy in front of a
 * simulated cluster for a whole update (start, staging, reboot, a new agent after it, Done), and comparing
 * the (resource, verb) pairs they used with the ClusterRole's grants.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AgentAnnotations as A } from '../../agent/protocol.ts';
import { clusterKubeConfig, type Fleet, startFleet, startNodeAgents } from '../../sim/index.ts';
import { type RecordingProxy, recordingProxy } from '../agent/recording-proxy.ts';
import { rbacOf } from '../support/rbac.ts';

interface K8sObject {
  kind: string;
  metadata: { name: string };
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  spec?: Record<string, unknown>;
}

const docs = parseAllDocuments(
  readFileSync(fileURLToPath(new URL('../../deploy/cluster/agent.yaml', import.meta.url)), 'utf8'),
).map((d) => d.toJS() as K8sObject);
const find = (kind: string, name: string) => {
  const found = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!found) throw new Error(`agent.yaml: no ${kind} ${name}`);
  return found;
};

let fleet: Fleet | undefined;
let proxy: RecordingProxy | undefined;
afterAll(async () => {
  await proxy?.close();
  await fleet?.stop();
});

describe('deploy/cluster/agent.yaml', () => {
  it('runs the agent privileged in the host PID namespace on every node, host root at /host, node name from the downward API', () => {
    const ds = find('DaemonSet', 'strata-agent').spec as {
      template: {
        spec: {
          hostPID: boolean;
          serviceAccountName: string;
          tolerations: Record<string, string>[];
          containers: {
            image: string;
            env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
            securityContext: { privileged: boolean };
            volumeMounts: { name: string; mountPath: string }[];
          }[];
          volumes: { name: string; hostPath?: { path: string } }[];
        };
      };
    };
    const pod = ds.template.spec;
    const [container] = pod.containers;
    expect(pod.hostPID).toBe(true);
    expect(pod.serviceAccountName).toBe('strata-agent');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]); // no key, no effect: every taint
    expect(container!.securityContext.privileged).toBe(true);
    expect(container!.image).toMatch(/^quay\.io\/strata\/agent@sha256:[0-9a-f]{64}$/);
    expect(container!.env.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe(
      'spec.nodeName',
    );
    const mount = container!.volumeMounts.find((m) => m.mountPath === '/host');
    expect(pod.volumes.find((v) => v.name === mount?.name)?.hostPath?.path).toBe('/');
  });

  it('binds the agent to its own node and its own annotations with a ValidatingAdmissionPolicy', () => {
    const policy = find('ValidatingAdmissionPolicy', 'strata-agent-own-node').spec as {
      matchConditions: { expression: string }[];
      validations: { expression: string }[];
    };
    expect(policy.matchConditions[0]!.expression).toContain(
      'system:serviceaccount:strata-system:strata-agent',
    );
    expect(policy.validations[0]!.expression).toContain('object.metadata.name');
    expect(find('ValidatingAdmissionPolicyBinding', 'strata-agent-own-node').spec).toMatchObject({
      policyName: 'strata-agent-own-node',
      validationActions: ['Deny'],
    });
  });

  it('grants exactly what the agent uses during a whole update, nothing more', async () => {
    const OLD = `quay.io/acme/os@sha256:${'a'.repeat(64)}`;
    const NEW = `quay.io/acme/os@sha256:${'b'.repeat(64)}`;
    fleet = await startFleet(
      {
        seed: 5,
        clusters: [
          { name: 'k1', pools: [{ name: 'worker', baseImage: OLD, nodes: { count: 2, zones: ['a'] } }] },
        ],
      },
      { timeScale: 600 },
    );
    const cluster = fleet.cluster('k1');
    proxy = await recordingProxy(cluster);
    const server = proxy.server;
    const agents = await startNodeAgents(
      { cluster, clock: fleet.clock, timeline: fleet.timeline, epochMs: Date.now() - fleet.clock.now() },
      {
        timing: { stageMs: 5_000, rebootMs: 10_000 },
        kubeConfig: () =>
          clusterKubeConfig({ name: 'k1', server, token: cluster.token, caData: cluster.caData }),
      },
    );
    const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const state = async () => (await core.readNode({ name: 'worker-0' })).metadata?.annotations?.[A.state];
    const until = async (wanted: string) => {
      for (let i = 0; i < 400 && (await state()) !== wanted; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await state()).toBe(wanted);
    };
    await until('Done');
    await core.patchNode(
      { name: 'worker-0', body: { metadata: { annotations: { [A.desiredImage]: NEW } } } },
      merge,
    );
    await until('Staged');
    await core.patchNode({ name: 'worker-0', body: { spec: { unschedulable: true } } }, merge);
    await core.patchNode(
      { name: 'worker-0', body: { metadata: { annotations: { [A.reboot]: NEW } } } },
      merge,
    );
    for (let i = 0; i < 400; i++) {
      const a = (await core.readNode({ name: 'worker-0' })).metadata?.annotations ?? {};
      if (a[A.state] === 'Done' && a[A.currentImage] === NEW) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await core.readNode({ name: 'worker-0' })).metadata?.annotations?.[A.currentImage]).toBe(NEW);
    await agents.stop();
    const used = new Set(proxy.requests.map((r) => rbacOf(r.method, r.url)));

    const role = find('ClusterRole', 'strata-agent');
    const granted = role.rules!.flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))),
    );
    expect([...used].sort()).toEqual([...granted].sort());
  });
});
