/**
 * The Ignition 3.5 config types as data: one table per Go struct, fields in Go declaration order
 * (embedded `Node` fields first, then `FileEmbedded1` etc.). The same table drives decoding, merging
 * and serialising, so the three cannot disagree about a field.
 *
 * Kinds follow Ignition's merge rules (`config/merge/merge.go`):
 * - `str`/`int`: Go primitives, always replaced by the child's value, even its zero value;
 * - `pstr`/`pint`/`pbool`: Go pointers, replaced only when the child sets them;
 * - `struct`: merged field by field; an all-zero child keeps the parent;
 * - `list`: keyed list of structs (key function, optional key space shared with sibling lists);
 * - `plist`: list of strings keyed by value (an order-preserving union, parent first);
 * - `concat`: a list Ignition never de-duplicates, merged by concatenation.
 */

/** A decoded Ignition object: JSON field names; `undefined` is a nil pointer, an absent list or zero struct. */
export type IgnObject = { [field: string]: IgnValue | undefined };
export type IgnValue = string | number | boolean | IgnObject | IgnValue[];

export type FieldKind =
  | { kind: 'str' }
  | { kind: 'int' }
  | { kind: 'pstr' }
  | { kind: 'pint' }
  | { kind: 'pbool' }
  | { kind: 'struct'; type: string }
  | { kind: 'list'; type: string; key: (item: IgnObject) => string; space?: string }
  | { kind: 'plist' }
  | { kind: 'concat'; type?: string };

export interface FieldSpec {
  /** JSON name. */
  name: string;
  type: FieldKind;
  /** `omitempty` in the Go tag. */
  omitempty: boolean;
  /** First spec minor version (3.x) that has this field; older configs drop it like Go's decoder. */
  since?: number;
}

const str = (name: string, omitempty = true): FieldSpec => ({ name, type: { kind: 'str' }, omitempty });
const int = (name: string): FieldSpec => ({ name, type: { kind: 'int' }, omitempty: true });
const pstr = (name: string, since?: number): FieldSpec => ({
  name,
  type: { kind: 'pstr' },
  omitempty: true,
  since,
});
const pint = (name: string, since?: number): FieldSpec => ({
  name,
  type: { kind: 'pint' },
  omitempty: true,
  since,
});
const pbool = (name: string, since?: number): FieldSpec => ({
  name,
  type: { kind: 'pbool' },
  omitempty: true,
  since,
});
const struct = (name: string, type: string, omitempty = true, since?: number): FieldSpec => ({
  name,
  type: { kind: 'struct', type },
  omitempty,
  since,
});
const list = (
  name: string,
  type: string,
  key: (item: IgnObject) => string,
  space?: string,
  since?: number,
): FieldSpec => ({ name, type: { kind: 'list', type, key, space }, omitempty: true, since });
const plist = (name: string, since?: number): FieldSpec => ({
  name,
  type: { kind: 'plist' },
  omitempty: true,
  since,
});
const concat = (name: string, type?: string, since?: number): FieldSpec => ({
  name,
  type: { kind: 'concat', type },
  omitempty: true,
  since,
});

const byName = (item: IgnObject): string => String(item.name ?? '');
const byPath = (item: IgnObject): string => String(item.path ?? '');
const byDevice = (item: IgnObject): string => String(item.device ?? '');
const bySource = (item: IgnObject): string => String(item.source ?? '');
const byUrl = (item: IgnObject): string => String(item.url ?? '');
// Partition.Key(): the number when set, else the label.
const byPartition = (item: IgnObject): string =>
  typeof item.number === 'number' && item.number !== 0
    ? `number:${item.number}`
    : `label:${String(item.label ?? '')}`;

const nodeFields: FieldSpec[] = [
  struct('group', 'NodeGroup'),
  pbool('overwrite'),
  str('path', false),
  struct('user', 'NodeUser'),
];

/** Every struct of the Ignition 3.5 config, by Go type name. */
export const structs: Record<string, FieldSpec[]> = {
  Config: [
    struct('ignition', 'Ignition', false),
    struct('kernelArguments', 'KernelArguments', true, 3),
    struct('passwd', 'Passwd'),
    struct('storage', 'Storage'),
    struct('systemd', 'Systemd'),
  ],
  Ignition: [
    struct('config', 'IgnitionConfig'),
    struct('proxy', 'Proxy', true, 1),
    struct('security', 'Security'),
    struct('timeouts', 'Timeouts'),
    str('version'),
  ],
  IgnitionConfig: [list('merge', 'Resource', bySource), struct('replace', 'Resource')],
  Proxy: [pstr('httpProxy'), pstr('httpsProxy'), plist('noProxy')],
  Security: [struct('tls', 'TLS')],
  TLS: [list('certificateAuthorities', 'Resource', bySource)],
  Timeouts: [pint('httpResponseHeaders'), pint('httpTotal')],
  KernelArguments: [plist('shouldExist'), plist('shouldNotExist')],
  Passwd: [list('groups', 'PasswdGroup', byName), list('users', 'PasswdUser', byName)],
  PasswdGroup: [
    pint('gid'),
    str('name', false),
    pstr('passwordHash'),
    pbool('shouldExist', 2),
    pbool('system'),
  ],
  PasswdUser: [
    pstr('gecos'),
    plist('groups'),
    pstr('homeDir'),
    str('name', false),
    pbool('noCreateHome'),
    pbool('noLogInit'),
    pbool('noUserGroup'),
    pstr('passwordHash'),
    pstr('primaryGroup'),
    plist('sshAuthorizedKeys'),
    pstr('shell'),
    pbool('shouldExist', 2),
    pbool('system'),
    pint('uid'),
  ],
  Storage: [
    list('directories', 'Directory', byPath, 'node'),
    list('disks', 'Disk', byDevice),
    list('files', 'File', byPath, 'node'),
    list('filesystems', 'Filesystem', byDevice),
    list('links', 'Link', byPath, 'node'),
    list('luks', 'Luks', byName, undefined, 2),
    list('raid', 'Raid', byName),
  ],
  Directory: [...nodeFields, pint('mode')],
  File: [...nodeFields, concat('append', 'Resource'), struct('contents', 'Resource'), pint('mode')],
  Link: [...nodeFields, pbool('hard'), pstr('target')],
  NodeGroup: [pint('id'), pstr('name')],
  NodeUser: [pint('id'), pstr('name')],
  Resource: [
    pstr('compression'),
    list('httpHeaders', 'HTTPHeader', byName, undefined, 1),
    pstr('source'),
    struct('verification', 'Verification'),
  ],
  HTTPHeader: [str('name', false), pstr('value')],
  Verification: [pstr('hash')],
  Disk: [str('device', false), list('partitions', 'Partition', byPartition), pbool('wipeTable')],
  Partition: [
    pstr('guid'),
    pstr('label'),
    int('number'),
    pbool('resize', 2),
    pbool('shouldExist'),
    pint('sizeMiB'),
    pint('startMiB'),
    pstr('typeGuid'),
    pbool('wipePartitionEntry'),
  ],
  Filesystem: [
    str('device', false),
    pstr('format'),
    pstr('label'),
    concat('mountOptions', undefined, 1),
    concat('options'),
    pstr('path'),
    pstr('uuid'),
    pbool('wipeFilesystem'),
  ],
  Luks: [
    struct('cex', 'Cex', true, 5),
    struct('clevis', 'Clevis'),
    pstr('device'),
    pbool('discard', 4),
    struct('keyFile', 'Resource'),
    pstr('label'),
    str('name', false),
    concat('openOptions', undefined, 4),
    concat('options'),
    pstr('uuid'),
    pbool('wipeVolume'),
  ],
  Cex: [pbool('enabled')],
  Clevis: [struct('custom', 'ClevisCustom'), list('tang', 'Tang', byUrl), pint('threshold'), pbool('tpm2')],
  ClevisCustom: [pstr('config'), pbool('needsNetwork'), pstr('pin')],
  Tang: [pstr('advertisement', 4), pstr('thumbprint'), str('url')],
  Raid: [plist('devices'), pstr('level'), str('name', false), concat('options'), pint('spares')],
  Systemd: [list('units', 'Unit', byName)],
  Unit: [
    pstr('contents'),
    list('dropins', 'Dropin', byName),
    pbool('enabled'),
    pbool('mask'),
    str('name', false),
  ],
  Dropin: [pstr('contents'), str('name', false)],
};

/** Fields of one struct type. */
export function fieldsOf(type: string): FieldSpec[] {
  const fields = structs[type];
  if (!fields) throw new Error(`unknown Ignition type ${type}`);
  return fields;
}
