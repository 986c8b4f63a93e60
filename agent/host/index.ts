export { type BootFiles, KERNEL_BOOT_FILES, readBoot } from './boot.ts';
export { bootcHost, parseBootcStatus } from './bootc.ts';
export { type CommandHost, STAGING_UNIT } from './common.ts';
export { detectHost } from './detect.ts';
export { type CommandResult, type HostCommandRunner, type NsenterOptions, NsenterRunner } from './exec.ts';
export { classifyFailure, stagingFailureReason, stderrTail } from './failures.ts';
export {
  AUTO_UPDATE_UNITS,
  type BootInfo,
  type Deployment,
  HostCommandError,
  type HostFailureKind,
  type HostPort,
  type HostStatus,
} from './port.ts';
export { imageOfContainerReference, parseRpmOstreeStatus, rpmOstreeHost } from './rpm-ostree.ts';
