/**
 * Whether a new rendered config can be applied in place over the current one (MCO
 * `pkg/controller/common/reconcile.go`, reference/mco.md §4.4), and MCO's blame attribution when not
 * (§1.6): which component MachineConfig brought the unreconcilable change.
 */
import { UnreconcilableError } from './errors.ts';
import { DecodeIssue } from './ignition/decode.ts';
import { parseIgnition } from './ignition/parse.ts';
import type { IgnObject } from './ignition/schema.ts';
import { toJsonTree } from './ignition/serialize.ts';
import type { MachineConfigSpec } from './types.ts';

/** A MachineConfig (rendered or not) as far as reconcilability is concerned. */
export interface ConfigLike {
  metadata?: { name?: string };
  spec: Pick<MachineConfigSpec, 'config' | 'fips'>;
}

/** Paths MCO refuses to create through Ignition. */
const forceFile = '/run/machine-config-daemon-force';

function ignitionOf(mc: ConfigLike, which: string): IgnObject {
  const raw = mc.spec?.config;
  if (raw === undefined || raw === null) return { ignition: { version: '3.5.0' } };
  try {
    return parseIgnition(raw).config;
  } catch (error) {
    if (error instanceof DecodeIssue) {
      throw new UnreconcilableError(
        `ignition section contains invalid ignition config in ${which} config: ${error.message}`,
      );
    }
    throw error;
  }
}

// Compare as MCO's reflect.DeepEqual on decoded structs; the JSON tree drops what decoding would not keep.
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const section = (config: IgnObject, ...path: string[]): unknown => {
  let v: unknown = toJsonTree(config);
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
};

/**
 * Throws `UnreconcilableError` with MCO's message when `next` cannot replace `current` in place:
 * passwd groups changed; a non-core user; the last user with fields other than name/keys/password hash
 * or with neither; Ignition kernelArguments changed; disks, filesystems, raid or directories changed;
 * links changed while any remain; a file with `append` or creating the daemon's force file; FIPS changed.
 */
export function checkReconcilable(current: ConfigLike, next: ConfigLike): void {
  const oldIgn = ignitionOf(current, 'current');
  const newIgn = ignitionOf(next, 'new');

  if (!same(section(oldIgn, 'passwd'), section(newIgn, 'passwd'))) {
    if (!same(section(oldIgn, 'passwd', 'groups'), section(newIgn, 'passwd', 'groups'))) {
      throw new UnreconcilableError('ignition Passwd Groups section contains changes');
    }
    const users = ((newIgn.passwd as IgnObject | undefined)?.users as IgnObject[] | undefined) ?? [];
    if (!same(section(oldIgn, 'passwd', 'users'), section(newIgn, 'passwd', 'users'))) {
      for (const user of users) {
        if (user.name !== 'core') {
          throw new UnreconcilableError(
            'ignition passwd user section contains unsupported changes: non-core user',
            'non-core user',
          );
        }
      }
      const last = users[users.length - 1];
      if (last) verifyUserFields(last);
    }
  }
  if (!same(section(oldIgn, 'kernelArguments'), section(newIgn, 'kernelArguments'))) {
    throw new UnreconcilableError('ignition kernelArguments section contains changes');
  }
  for (const part of ['disks', 'filesystems', 'raid', 'directories'] as const) {
    if (!same(section(oldIgn, 'storage', part), section(newIgn, 'storage', part))) {
      throw new UnreconcilableError(`ignition ${part} section contains changes`);
    }
  }
  const newLinks = section(newIgn, 'storage', 'links') as unknown[] | undefined;
  if (!same(section(oldIgn, 'storage', 'links'), newLinks) && (newLinks?.length ?? 0) > 0) {
    throw new UnreconcilableError('ignition links section contains changes');
  }
  const files = ((newIgn.storage as IgnObject | undefined)?.files as IgnObject[] | undefined) ?? [];
  for (const file of files) {
    if (Array.isArray(file.append) && file.append.length > 0) {
      throw new UnreconcilableError(
        `ignition file ${JSON.stringify(file.path)} includes append: unreconcilable`,
        'unreconcilable',
      );
    }
    if (file.path === forceFile) throw new UnreconcilableError(`cannot create ${forceFile} via Ignition`);
  }
  if ((current.spec?.fips ?? false) !== (next.spec?.fips ?? false)) {
    throw new UnreconcilableError(
      'detected change to FIPS flag; refusing to modify FIPS on a running cluster',
    );
  }
}

function verifyUserFields(user: IgnObject): void {
  const hasKeys = Array.isArray(user.sshAuthorizedKeys) && user.sshAuthorizedKeys.length >= 1;
  if (user.name === 'core' && (user.passwordHash !== undefined || hasKeys)) {
    const others = Object.keys(user).filter(
      (k) => !['name', 'sshAuthorizedKeys', 'passwordHash'].includes(k),
    );
    if (others.length > 0) {
      throw new UnreconcilableError('SSH keys and password hash are not reconcilable');
    }
    return;
  }
  throw new UnreconcilableError(
    'ignition passwd user section contains unsupported changes: user must be core and have 1 or more sshKeys',
    'user must be core and have 1 or more sshKeys',
  );
}

/** `isConfigReconcilable` as a boolean with the error, for callers that prefer no exceptions. */
export function reconcilable(
  current: ConfigLike,
  next: ConfigLike,
): { ok: true } | { ok: false; error: UnreconcilableError } {
  try {
    checkReconcilable(current, next);
    return { ok: true };
  } catch (error) {
    if (error instanceof UnreconcilableError) return { ok: false, error };
    throw error;
  }
}

/** The text after the first ": " of an error message (MCO's "reason"). */
function reasonOf(message: string): string {
  const i = message.indexOf(': ');
  return i < 0 ? message : message.slice(i + 2);
}

/**
 * Checks `next` against `current` and, on failure, blames a component MachineConfig as MCO's render
 * controller does: the first component that is itself unreconcilable with `current` for a reason that
 * appears in the full error gives `reconciliation failed between current config "<cur>" and base config
 * "<mc>": <reason>`; otherwise `render reconciliation error: <full>; component errors: <…>`.
 */
export function checkRenderedReconcilable(
  current: ConfigLike & { metadata: { name: string } },
  next: ConfigLike,
  components: readonly (ConfigLike & { metadata: { name: string } })[],
): void {
  const full = reconcilable(current, next);
  if (full.ok) return;
  const componentErrors: string[] = [];
  for (const component of components) {
    const result = reconcilable(current, component);
    if (result.ok) continue;
    const reason = reasonOf(result.error.message);
    if (full.error.message.includes(reason)) {
      throw new UnreconcilableError(
        `reconciliation failed between current config "${current.metadata.name}" and base config "${component.metadata.name}": ${reason}`,
        full.error.reason,
      );
    }
    componentErrors.push(`${component.metadata.name}: ${result.error.message}`);
  }
  throw new UnreconcilableError(
    `render reconciliation error: ${full.error.message}; component errors: [${componentErrors.join('; ')}]`,
    full.error.reason,
  );
}

/**
 * MCO's `CalculateConfigFileDiffs`: paths of files removed, then of files added or changed (in the order
 * of the new config; MCO's order is Go map order, so only the set is meaningful).
 */
export function configFileDiffs(oldConfig: IgnObject, newConfig: IgnObject): string[] {
  const filesOf = (c: IgnObject): IgnObject[] =>
    ((c.storage as IgnObject | undefined)?.files as IgnObject[] | undefined) ?? [];
  const oldFiles = new Map(filesOf(oldConfig).map((f) => [String(f.path ?? ''), f]));
  const newFiles = new Map(filesOf(newConfig).map((f) => [String(f.path ?? ''), f]));
  const diffs = [...oldFiles.keys()].filter((path) => !newFiles.has(path));
  for (const [path, file] of newFiles) {
    const old = oldFiles.get(path);
    if (!old || !same(toJsonTree(old, 'File'), toJsonTree(file, 'File'))) diffs.push(path);
  }
  return diffs;
}
