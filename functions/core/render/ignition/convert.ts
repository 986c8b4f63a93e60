/**
 * MCO's `IgnitionConverter` (`pkg/controller/common/ignition_converter.go`): the conversions MCO allows
 * between spec versions, used to serve configs to older clients. Allowed: 2.2 → 3.5, 3.5 → 2.2, and
 * 3.5 → 3.4, 3.3, 3.2, 3.1. Anything else is `unsupported conversion`; a config whose declared version is
 * not the source version asked for is `wrong source type`.
 */
import { DecodeIssue } from './decode.ts';
import { parseIgnition } from './parse.ts';
import { fieldsOf, type IgnObject, type IgnValue } from './schema.ts';
import { goJson, toJsonTree } from './serialize.ts';

/** The converter refused; `kind` mirrors MCO's error values. */
export class IgnitionConversionError extends Error {
  readonly kind: 'unknown-version' | 'unsupported-conversion' | 'wrong-source-type' | 'lossy';
  constructor(kind: IgnitionConversionError['kind'], message: string) {
    super(message);
    this.name = 'IgnitionConversionError';
    this.kind = kind;
  }
}

const allowed = new Set(['2.2->3.5', '3.5->2.2', '3.5->3.4', '3.5->3.3', '3.5->3.2', '3.5->3.1']);

const minorOf = (version: string): string | undefined => /^(\d+\.\d+)\.\d+/.exec(version)?.[1];

/**
 * Converts a raw config (JSON object or text) declared as spec `from` (e.g. `2.2`) to spec `to`, returning
 * the converted config as a JSON tree.
 */
export function convertIgnition(raw: unknown, from: string, to: string): { [key: string]: unknown } {
  if (!allowed.has(`${from}->${to}`)) {
    throw new IgnitionConversionError(
      'unsupported-conversion',
      `unsupported conversion from ${from} to ${to}`,
    );
  }
  const value = typeof raw === 'string' ? JSON.parse(raw) : raw;
  const declared = (value as { ignition?: { version?: unknown } } | null)?.ignition?.version;
  if (typeof declared !== 'string' || minorOf(declared) !== from) {
    throw new IgnitionConversionError(
      'wrong-source-type',
      `wrong source type: expected a spec ${from} config, got version ${JSON.stringify(declared)}`,
    );
  }
  let config: IgnObject;
  try {
    config = parseIgnition(value).config;
  } catch (error) {
    if (error instanceof DecodeIssue) throw new IgnitionConversionError('wrong-source-type', error.message);
    throw error;
  }
  if (to === '3.5') return toJsonTree(config);
  if (to === '2.2') return toV2(config);
  const minor = Number(to.split('.')[1]);
  dropCheck(config, 'Config', minor, '');
  const tree = toJsonTree(config) as { ignition: { version: string } };
  tree.ignition.version = `${to}.0`;
  return JSON.parse(goJson(tree as never));
}

// Refuses fields the target 3.x version does not have (Ignition's down-translation is not lossy).
function dropCheck(value: IgnObject, type: string, minor: number, path: string): void {
  for (const field of fieldsOf(type)) {
    const v = value[field.name];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    const at = path ? `${path}.${field.name}` : field.name;
    if (field.since !== undefined && minor < field.since) {
      throw new IgnitionConversionError('lossy', `${at} cannot be represented in spec 3.${minor}`);
    }
    const t = field.type;
    if (t.kind === 'struct') dropCheck(v as IgnObject, t.type, minor, at);
    if (t.kind === 'list' || (t.kind === 'concat' && t.type)) {
      const itemType = t.type as string;
      (v as IgnObject[]).forEach((item, i) => {
        dropCheck(item, itemType, minor, `${at}[${i}]`);
      });
    }
  }
}

// 3.5 → 2.2, for the parts MCO configs use; anything else cannot be represented and is refused.
function toV2(config: IgnObject): { [key: string]: unknown } {
  const supported = new Set(['ignition', 'passwd', 'storage', 'systemd']);
  for (const key of Object.keys(config)) {
    if (!supported.has(key))
      throw new IgnitionConversionError('lossy', `${key} cannot be represented in spec 2.2`);
  }
  const storage = (config.storage as IgnObject | undefined) ?? {};
  for (const key of Object.keys(storage)) {
    if (!['files', 'directories', 'links'].includes(key)) {
      throw new IgnitionConversionError('lossy', `storage.${key} cannot be converted to spec 2.2 by Strata`);
    }
  }
  const node = (n: IgnObject): { [key: string]: unknown } => ({
    filesystem: 'root',
    path: n.path,
    ...(n.overwrite !== undefined ? { overwrite: n.overwrite } : {}),
    ...(n.user ? { user: n.user } : {}),
    ...(n.group ? { group: n.group } : {}),
  });
  const list = (v: IgnValue | undefined): IgnObject[] => (Array.isArray(v) ? (v as IgnObject[]) : []);
  const files = list(storage.files).map((f) => {
    if (list(f.append).length > 1)
      throw new IgnitionConversionError('lossy', `file ${String(f.path)}: more than one append`);
    const contents = (list(f.append)[0] ?? (f.contents as IgnObject | undefined) ?? {}) as IgnObject;
    return {
      ...node(f),
      ...(list(f.append).length === 1 ? { append: true } : {}),
      contents: {
        source: contents.source ?? '',
        verification: contents.verification ?? {},
        ...(contents.compression ? { compression: contents.compression } : {}),
      },
      ...(f.mode !== undefined ? { mode: f.mode } : {}),
    };
  });
  const directories = list(storage.directories).map((d) => ({
    ...node(d),
    ...(d.mode !== undefined ? { mode: d.mode } : {}),
  }));
  const links = list(storage.links).map((l) => ({
    ...node(l),
    target: l.target ?? '',
    ...(l.hard ? { hard: true } : {}),
  }));
  const units = list((config.systemd as IgnObject | undefined)?.units).map((u) => ({
    name: u.name,
    ...(u.enabled !== undefined ? { enabled: u.enabled } : {}),
    ...(u.mask ? { mask: true } : {}),
    ...(u.contents !== undefined ? { contents: u.contents } : {}),
    ...(list(u.dropins).length > 0
      ? { dropins: list(u.dropins).map((d) => ({ name: d.name, contents: d.contents ?? '' })) }
      : {}),
  }));
  const passwd = (config.passwd as IgnObject | undefined) ?? {};
  const out: { [key: string]: unknown } = { ignition: { version: '2.2.0' } };
  if (files.length + directories.length + links.length > 0) {
    out.storage = {
      ...(files.length ? { files } : {}),
      ...(directories.length ? { directories } : {}),
      ...(links.length ? { links } : {}),
    };
  }
  if (units.length > 0) out.systemd = { units };
  if (list(passwd.users).length + list(passwd.groups).length > 0)
    out.passwd = JSON.parse(goJson(toJsonTree(passwd, 'Passwd') as never));
  return out;
}
