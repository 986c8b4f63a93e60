/**
 * What a simulated OpenShift cluster carries besides nodes and pools (reference/mco.md §9.3): its release
 * (base OS images, release image, MCO's controller version), and the objects that publish it — ControllerConfig
 * `machine-config-controller`, ConfigMap `openshift-machine-config-operator/machine-config-osimageurl`,
 * ClusterVersion `version` — plus the MachineConfigs MCO generates for the master and worker roles. Pure
 * builders: the cluster stores what they return.
 */
import { createHash } from 'node:crypto';
import { RoleLabel } from '../functions/core/model.ts';
import { McoKeys } from '../functions/core/render/index.ts';
import type { Scenario, ScenarioCluster } from './scenario.ts';
import type { KObject } from './store.ts';

export const MCO_NAMESPACE = 'openshift-machine-config-operator';
export const CONTROLLER_CONFIG = 'machine-config-controller';
export const OSIMAGEURL_CONFIGMAP = 'machine-config-osimageurl';
/** ControllerConfig annotation MCO's render controller compares with its own version (`version.Raw`). */
export const GeneratedByVersion = 'machineconfiguration.openshift.io/generated-by-version';

/** A cluster's OpenShift release, resolved from the scenario. */
export interface Release {
  /** `4.18.12`. */
  version: string;
  /** `18`. */
  minor: number;
  baseOSContainerImage: string;
  baseOSExtensionsContainerImage: string;
  releaseImage: string;
  /** MCO's `version.Hash` for this release: the `generated-by-controller-version` of what it generates. */
  controllerVersion: string;
  /** MachineConfigNode is served (stable from 4.20). */
  servesMachineConfigNode: boolean;
  /**
   * 4.16 and 4.17: the daemon refuses to take a node that has a `currentImage` annotation back to a
   * non-layered config (§9.1).
   */
  refusesLayeredRollback: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Resolves a release of the scenario by version. */
export function resolveRelease(scenario: Pick<Scenario, 'releases'>, version: string): Release {
  const spec = scenario.releases[version];
  if (!spec) throw new Error(`no release "${version}" in the scenario`);
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return {
    version,
    minor,
    baseOSContainerImage: spec.baseOSContainerImage,
    baseOSExtensionsContainerImage: spec.baseOSExtensionsContainerImage,
    releaseImage:
      spec.releaseImage ??
      `quay.io/openshift-release-dev/ocp-release@sha256:${sha256(`ocp-release/${version}`)}`,
    controllerVersion: createHash('sha1').update(`machine-config-operator/${version}`).digest('hex'),
    servesMachineConfigNode: spec.machineConfigNode ?? (major > 4 || minor >= 20),
    refusesLayeredRollback: major === 4 && (minor === 16 || minor === 17),
  };
}

/** The release a scenario cluster runs, if any. */
export function clusterRelease(
  scenario: Pick<Scenario, 'releases'>,
  cluster: ScenarioCluster,
): Release | undefined {
  return cluster.release === undefined ? undefined : resolveRelease(scenario, cluster.release);
}

const condition = (type: string, status: boolean, at: string, message = '', reason = '') => ({
  type,
  status: status ? 'True' : 'False',
  lastTransitionTime: at,
  reason,
  message,
});

/** ControllerConfig `machine-config-controller`, completed by the template controller. */
export function controllerConfigObject(release: Release, at: string): KObject {
  return {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'ControllerConfig',
    metadata: {
      name: CONTROLLER_CONFIG,
      annotations: {
        [GeneratedByVersion]: release.version,
        [McoKeys.generatedByControllerVersion]: release.controllerVersion,
        [McoKeys.releaseImageVersion]: release.version,
      },
    },
    spec: {
      baseOSContainerImage: release.baseOSContainerImage,
      baseOSExtensionsContainerImage: release.baseOSExtensionsContainerImage,
      releaseImage: release.releaseImage,
      osImageURL: '',
      clusterDNSIP: '172.30.0.10',
      cloudProviderConfig: '',
      ipFamilies: 'IPv4',
      platform: 'none',
      infra: {
        apiVersion: 'config.openshift.io/v1',
        kind: 'Infrastructure',
        spec: { platformSpec: { type: 'None' } },
        status: {
          controlPlaneTopology: 'HighlyAvailable',
          infrastructureTopology: 'HighlyAvailable',
          platform: 'None',
        },
      },
    },
    status: controllerConfigStatus(1, at),
  };
}

/** The status the template controller writes once it has processed `generation`. */
export function controllerConfigStatus(generation: number, at: string): Record<string, unknown> {
  return {
    observedGeneration: generation,
    conditions: [
      condition('TemplateControllerRunning', false, at, 'Template Controller has finished running'),
      condition('TemplateControllerCompleted', true, at, 'Template Controller has completed'),
      condition('TemplateControllerFailing', false, at),
    ],
  };
}

/**
 * MCO's `IsControllerConfigCompleted`: status observed for the current generation, Completed and neither
 * Running nor Failing. Returns MCO's message when not.
 */
export function controllerConfigIncomplete(cc: KObject): string | undefined {
  const generation = Number(cc.metadata.generation ?? 1);
  const status = (cc.status ?? {}) as {
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
  };
  if (status.observedGeneration !== generation)
    return `status for ControllerConfig ${CONTROLLER_CONFIG} is being reported for ${status.observedGeneration ?? 0}, expecting it for ${generation}`;
  const is = (type: string) => (status.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  const [completed, running, failing] = [
    is('TemplateControllerCompleted'),
    is('TemplateControllerRunning'),
    is('TemplateControllerFailing'),
  ];
  if (completed && !running && !failing) return undefined;
  return `ControllerConfig has not completed: completed(${completed}) running(${running}) failing(${failing})`;
}

/** ConfigMap `machine-config-osimageurl`: the base images a layered image for this cluster builds FROM. */
export function osImageUrlConfigMap(release: Release): KObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: OSIMAGEURL_CONFIGMAP, namespace: MCO_NAMESPACE },
    data: {
      baseOSContainerImage: release.baseOSContainerImage,
      baseOSExtensionsContainerImage: release.baseOSExtensionsContainerImage,
      osImageURL: '',
      releaseVersion: release.version,
    },
  };
}

/** One ClusterVersion history entry. */
export interface ReleaseHistoryEntry {
  version: string;
  image: string;
  startedTime: string;
  completionTime: string;
}

/** ClusterVersion `version` (config.openshift.io/v1): desired release and the history, newest first. */
export function clusterVersionObject(
  release: Release,
  clusterId: string,
  history: readonly ReleaseHistoryEntry[],
): KObject {
  const channel = `stable-4.${release.minor}`;
  const at = history[0]?.completionTime ?? '';
  return {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ClusterVersion',
    metadata: { name: 'version' },
    spec: { channel, clusterID: clusterId },
    status: {
      desired: { version: release.version, image: release.releaseImage, channels: [channel] },
      history: history.map((h) => ({ state: 'Completed', verified: false, acceptedRisks: '', ...h })),
      observedGeneration: 1,
      versionHash: sha256(`version-hash/${release.version}`).slice(0, 12),
      availableUpdates: null,
      conditions: [
        condition('Available', true, at, `Done applying ${release.version}`),
        condition('Failing', false, at),
        condition('Progressing', false, at, `Cluster version is ${release.version}`),
        condition('RetrievedUpdates', false, at, 'Unable to retrieve available updates', 'NoChannel'),
      ],
    },
  };
}

const dataUrl = (text: string) => `data:,${encodeURIComponent(text)}`;
const file = (path: string, contents: string, mode = 420) => ({
  path,
  mode,
  overwrite: true,
  contents: { source: dataUrl(contents) },
});

/**
 * The MachineConfigs MCO's template controller generates for a role (`master` or `worker`), annotated with
 * the release's controller version, plus the installer's `99-<role>-ssh`. Small but real Ignition: files,
 * units and an SSH key, so renders and reconcilability checks see genuine content.
 */
export function baseMachineConfigs(role: string, release: Release): KObject[] {
  const generated = (name: string, spec: Record<string, unknown>): KObject => ({
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfig',
    metadata: {
      name,
      labels: { [RoleLabel]: role },
      annotations: { [McoKeys.generatedByControllerVersion]: release.controllerVersion },
    },
    spec,
  });
  return [
    generated(`00-${role}`, {
      config: {
        ignition: { version: '3.5.0' },
        storage: {
          files: [
            file(
              '/etc/kubernetes/kubelet-ca.crt',
              '-----BEGIN CERTIFICATE-----\nsimulated\n-----END CERTIFICATE-----\n',
            ),
            file(
              '/etc/sysctl.d/inotify.conf',
              'fs.inotify.max_user_watches = 65536\nfs.inotify.max_user_instances = 8192\n',
            ),
          ],
        },
        systemd: {
          units: [
            {
              name: 'machine-config-daemon-firstboot.service',
              enabled: true,
              contents:
                '[Unit]\nDescription=Machine Config Daemon Firstboot\n[Service]\nType=oneshot\nExecStart=/usr/libexec/machine-config-daemon firstboot-complete-machineconfig\n[Install]\nWantedBy=multi-user.target\n',
            },
          ],
        },
      },
      extensions: [],
      fips: false,
      kernelArguments: [],
      kernelType: '',
      osImageURL: '',
    }),
    generated(`01-${role}-container-runtime`, {
      config: {
        ignition: { version: '3.5.0' },
        storage: {
          files: [
            file(
              '/etc/crio/crio.conf.d/00-default',
              '[crio.runtime]\nselinux = true\nconmon_cgroup = "pod"\n',
            ),
          ],
        },
      },
    }),
    generated(`01-${role}-kubelet`, {
      config: {
        ignition: { version: '3.5.0' },
        storage: {
          files: [
            file(
              '/etc/kubernetes/kubelet.conf',
              'kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\ncgroupDriver: systemd\n',
            ),
          ],
        },
        systemd: {
          units: [
            {
              name: 'kubelet.service',
              enabled: true,
              contents: `[Unit]\nDescription=Kubernetes Kubelet\n[Service]\nExecStart=/usr/bin/kubelet --config=/etc/kubernetes/kubelet.conf --node-labels=node-role.kubernetes.io/${role}\n[Install]\nWantedBy=multi-user.target\n`,
            },
          ],
        },
      },
    }),
    generated(`99-${role}-generated-registries`, {
      config: {
        ignition: { version: '3.5.0' },
        storage: {
          files: [
            file(
              '/etc/containers/registries.conf',
              'unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]\nshort-name-mode = ""\n',
            ),
          ],
        },
      },
    }),
    {
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfig',
      metadata: { name: `99-${role}-ssh`, labels: { [RoleLabel]: role } },
      spec: {
        config: {
          ignition: { version: '3.2.0' },
          passwd: {
            users: [
              {
                name: 'core',
                sshAuthorizedKeys: [
                  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBTHXHrsIrx0y7D0K9R8E1vCkrsX1Zc6f5nF0bJ9Jb0x sim@strata',
                ],
              },
            ],
          },
        },
      },
    },
  ];
}

/** The cluster ID ClusterVersion carries: a stable UUID from the cluster's name and the seed. */
export function clusterId(seed: number | string, cluster: string): string {
  const hex = sha256(`cluster-id/${seed}/${cluster}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
