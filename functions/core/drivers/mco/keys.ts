/** Names the mco driver writes and reads on a cluster (reference/mco.md §9). */

/**
 * Annotations Strata sets on a MachineConfigPool it paused (the first three always, or none; the fourth
 * with an operator's pool pause).
 */
export const PauseAnnotations = {
  /** `strata`: the pause is Strata's (an administrator's pause has no such annotation). */
  pausedBy: 'strata.io/paused-by',
  /** The hold that paused it (`pool-paused`, `window-closed`, `paused`, `halted`, `failure-budget`). */
  reason: 'strata.io/pause-reason',
  /** ISO time of the pause. */
  pausedAt: 'strata.io/paused-at',
  /** Who asked Strata to pause the pool (`strata pool pause`: the admin API's actor). */
  requestedBy: 'strata.io/pause-requested-by',
} as const;

/** Annotation with the pool's `spec.maxUnavailable` before Strata set it (JSON; `null`: unset). */
export const OriginalMaxUnavailableAnnotation = 'strata.io/original-max-unavailable';

/** The value of {@link PauseAnnotations.pausedBy} on Strata's pauses. */
export const STRATA = 'strata';

/** ControllerConfig of MCO's controller (render inputs, reference/mco.md §9.3). */
export const CONTROLLER_CONFIG = 'machine-config-controller';

/** ConfigMap with the release's base images. */
export const OSIMAGEURL_CONFIGMAP = {
  namespace: 'openshift-machine-config-operator',
  name: 'machine-config-osimageurl',
};
