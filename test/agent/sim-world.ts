/**
 * Helpers for tests that play the control plane's part against real agents on simulated nodes: the
 * `agent` driver's steps through the API (desired image, wait for Staged, cordon and drain, reboot
 * request, wait for Done, uncordon), and waits that let the agents (real HTTP, in real time) catch up
 * with the manual clock.
 */
import {
  ApiException,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
} from '@kubernetes/client-node';
import { AgentAnnotations as A } from '../../agent/protocol.ts';
import type { Fleet, FleetCluster, NodeAgents } from '../../sim/index.ts';

export const EPOCH = Date.parse('2026-06-01T00:00:00Z');
export const OLD = `quay.io/acme/os@sha256:${'a'.repeat(64)}`;
export const NEW = `quay.io/acme/os@sha256:${'b'.repeat(64)}`;
export const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A running fleet, one cluster's agents, and an admin client of that cluster. */
export interface World {
  fleet: Fleet;
  agents: NodeAgents;
  core: CoreV1Api;
}

/** A world on one cluster of a fleet. */
export function worldOf(fleet: Fleet, cluster: FleetCluster, agents: NodeAgents): World {
  return { fleet, agents, core: cluster.kubeConfig().makeApiClient(CoreV1Api) };
}

export const annotations = (node: V1Node): Record<string, string> => node.metadata?.annotations ?? {};
export const ready = (node: V1Node) => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (real time, the agents working over HTTP) until the node's annotations pass `check`. */
export async function waitFor(
  { core, agents }: World,
  name: string,
  check: (a: Record<string, string>) => boolean,
  what: string,
): Promise<Record<string, string>> {
  let last: Record<string, string> = {};
  for (let i = 0; i < 400; i++) {
    await agents.idle();
    last = annotations(await core.readNode({ name }));
    if (check(last)) return last;
    await pause(15);
  }
  throw new Error(`${name} never reached ${what}; last annotations ${JSON.stringify(last)}`);
}

/** Moves simulated time in steps, letting the agents react between them. */
export async function advance({ fleet, agents }: World, ms: number, step = 1000): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await fleet.advance(Math.min(step, ms - done));
    await agents.idle();
    await pause(5);
  }
}

/** Waits until the node's host has run `count` commands matching `command` (the agent acts over HTTP). */
export async function hostRan({ agents }: World, name: string, command: string, count = 1): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await agents.idle();
    if (agents.host(name).history.filter((h) => h === command).length >= count) return;
    await pause(15);
  }
  throw new Error(
    `${name}'s host never ran "${command}" ${count} time(s): ${agents.host(name).history.join(', ')}`,
  );
}

export const annotate = ({ core }: World, name: string, values: Record<string, string | null>) =>
  core.patchNode({ name, body: { metadata: { annotations: values } } }, merge);

export const cordon = ({ core }: World, name: string, unschedulable: boolean) =>
  core.patchNode({ name, body: { spec: { unschedulable } } }, merge);

/** The control plane's part: cordon, evict every non-DaemonSet pod (PDB permitting), then ask for the reboot. */
export async function drainAndRequestReboot(world: World, name: string, image: string): Promise<void> {
  const { core } = world;
  await cordon(world, name, true);
  for (let round = 0; round < 20; round++) {
    const pods = (
      await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })
    ).items.filter((p) => p.metadata?.ownerReferences?.[0]?.kind !== 'DaemonSet');
    if (pods.length === 0) break;
    for (const pod of pods) {
      const { name: podName, namespace } = pod.metadata as { name: string; namespace: string };
      await core
        .createNamespacedPodEviction({
          name: podName,
          namespace,
          body: { metadata: { name: podName, namespace } },
        })
        .catch((error: unknown) => {
          // A PDB refusal (429): try again once the evicted one is back.
          if (!(error instanceof ApiException && error.code === 429)) throw error;
        });
    }
    await advance(world, 5000);
  }
  await annotate(world, name, { [A.reboot]: image });
}

/** Sets the desired image and waits until the node's host has started staging it (or failed at once). */
export async function setDesired(world: World, name: string, image: string): Promise<void> {
  const host = world.agents.host(name);
  const commands = host.history.length;
  await annotate(world, name, { [A.desiredImage]: image });
  for (let i = 0; i < 400 && host.history.length === commands; i++) await pause(15);
}

/** A whole update of one node, as the `agent` driver does it; returns the node's final annotations. */
export async function update(world: World, name: string, image: string): Promise<Record<string, string>> {
  const host = world.agents.host(name);
  await setDesired(world, name, image);
  await advance(world, 30_000);
  await waitFor(world, name, (a) => a[A.state] === 'Staged', 'Staged');
  const reboots = host.history.filter((h) => h === 'reboot').length;
  await drainAndRequestReboot(world, name, image);
  await waitFor(world, name, (a) => a[A.state] === 'Rebooting', 'Rebooting');
  await hostRan(world, name, 'reboot', reboots + 1);
  await advance(world, 61_000);
  const done = await waitFor(
    world,
    name,
    (a) => a[A.state] === 'Done' || a[A.state] === 'Degraded',
    'the end',
  );
  await cordon(world, name, false);
  return done;
}

/** The node's timeline kinds, evictions left out. */
export const kinds = (fleet: Fleet, node: string, cluster?: string) =>
  fleet.timeline.events
    .filter((e) => e.node === node && e.kind !== 'eviction' && (!cluster || e.cluster === cluster))
    .map((e) => e.kind);
