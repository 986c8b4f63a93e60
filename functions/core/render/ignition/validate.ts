/**
 * The structural checks Ignition's own validation makes (`config/v3_5/types/*.go` `Validate` methods)
 * that matter for configs MCO renders, plus MCO's file mode rule. Returns the problems found, each with
 * the field path; an empty list means valid.
 */
import type { IgnObject } from './schema.ts';

/** One validation problem. */
export interface IgnitionIssue {
  field: string;
  reason: string;
}

const unitSuffixes = [
  '.service',
  '.socket',
  '.device',
  '.mount',
  '.automount',
  '.swap',
  '.target',
  '.path',
  '.timer',
  '.snapshot',
  '.slice',
  '.scope',
];
const filesystemFormats = ['', 'ext4', 'btrfs', 'xfs', 'vfat', 'swap', 'none'];
const raidLevels = [
  'linear',
  'raid0',
  '0',
  'stripe',
  'raid1',
  '1',
  'mirror',
  'raid4',
  '4',
  'raid5',
  '5',
  'raid6',
  '6',
  'raid10',
  '10',
];

const list = (v: unknown): IgnObject[] => (Array.isArray(v) ? (v as IgnObject[]) : []);
const sub = (v: unknown): IgnObject => (v && typeof v === 'object' ? (v as IgnObject) : {});

/** Validates a 3.5 config; `mcoModes` adds MCO's rule that file modes stay within 0o777. */
export function validateIgnition(config: IgnObject, mcoModes = true): IgnitionIssue[] {
  const issues: IgnitionIssue[] = [];
  const add = (field: string, reason: string): void => {
    issues.push({ field, reason });
  };
  const ignition = sub(config.ignition);
  const igConfig = sub(ignition.config);
  list(igConfig.merge).forEach((r, i) => {
    validateResource(r, `ignition.config.merge[${i}]`, true, add);
  });
  if (igConfig.replace) validateResource(sub(igConfig.replace), 'ignition.config.replace', true, add);
  list(sub(sub(ignition.security).tls).certificateAuthorities).forEach((r, i) => {
    validateResource(r, `ignition.security.tls.certificateAuthorities[${i}]`, true, add);
  });

  const kargs = sub(config.kernelArguments);
  const shouldExist = new Set((kargs.shouldExist as string[] | undefined) ?? []);
  ((kargs.shouldNotExist as string[] | undefined) ?? []).forEach((arg, i) => {
    if (shouldExist.has(arg)) {
      add(
        `kernelArguments.shouldNotExist[${i}]`,
        `kernel argument ${JSON.stringify(arg)} is in both shouldExist and shouldNotExist`,
      );
    }
  });

  const storage = sub(config.storage);
  const paths = new Map<string, string>();
  const node = (n: IgnObject, where: string): void => {
    const path = (n.path as string | undefined) ?? '';
    if (path === '') add(`${where}.path`, 'path is required');
    else if (!path.startsWith('/')) add(`${where}.path`, `path ${JSON.stringify(path)} must be absolute`);
    const previous = paths.get(path);
    if (previous !== undefined)
      add(`${where}.path`, `duplicate entry defined: ${JSON.stringify(path)} is also ${previous}`);
    else paths.set(path, where);
    for (const owner of ['user', 'group']) {
      const o = sub(n[owner]);
      if (o.id !== undefined && o.name !== undefined) add(`${where}.${owner}`, 'cannot set both id and name');
    }
  };
  const mode = (m: unknown, where: string, isFile: boolean): void => {
    if (typeof m !== 'number') return;
    if (m < 0 || m > 0o7777) add(`${where}.mode`, `illegal file mode ${formatMode(m)}`);
    else if (isFile && mcoModes && m > 0o777) {
      add(
        `${where}.mode`,
        `invalid mode ${formatMode(m)}: setuid, setgid and sticky bits are not supported (MCO allows at most 0o777)`,
      );
    }
  };
  list(storage.files).forEach((f, i) => {
    const where = `storage.files[${i}]`;
    node(f, where);
    mode(f.mode, where, true);
    const contents = sub(f.contents);
    validateResource(contents, `${where}.contents`, false, add);
    list(f.append).forEach((r, j) => {
      validateResource(r, `${where}.append[${j}]`, true, add);
    });
    if (f.overwrite === true && contents.source === undefined) {
      add(`${where}.overwrite`, 'overwrite must be false if source is unspecified');
    }
  });
  list(storage.directories).forEach((d, i) => {
    node(d, `storage.directories[${i}]`);
    mode(d.mode, `storage.directories[${i}]`, false);
  });
  list(storage.links).forEach((l, i) => {
    node(l, `storage.links[${i}]`);
    if (l.target === undefined || l.target === '')
      add(`storage.links[${i}].target`, 'link target is required');
  });
  list(storage.disks).forEach((d, i) => {
    absoluteDevice(d.device, `storage.disks[${i}].device`, add);
  });
  list(storage.filesystems).forEach((f, i) => {
    const where = `storage.filesystems[${i}]`;
    absoluteDevice(f.device, `${where}.device`, add);
    if (f.format !== undefined && !filesystemFormats.includes(f.format as string)) {
      add(`${where}.format`, `invalid filesystem format ${JSON.stringify(f.format)}`);
    }
    if (f.path !== undefined && !(f.path as string).startsWith('/'))
      add(`${where}.path`, 'path must be absolute');
  });
  list(storage.raid).forEach((r, i) => {
    const where = `storage.raid[${i}]`;
    if (!r.name) add(`${where}.name`, 'name is required');
    if (r.level !== undefined && !raidLevels.includes(r.level as string)) {
      add(`${where}.level`, `invalid raid level ${JSON.stringify(r.level)}`);
    }
    ((r.devices as string[] | undefined) ?? []).forEach((dev, j) => {
      absoluteDevice(dev, `${where}.devices[${j}]`, add);
    });
  });
  list(storage.luks).forEach((l, i) => {
    if (!l.name) add(`storage.luks[${i}].name`, 'name is required');
    if (l.device !== undefined) absoluteDevice(l.device, `storage.luks[${i}].device`, add);
  });

  const unitNames = new Set<string>();
  list(sub(config.systemd).units).forEach((u, i) => {
    const where = `systemd.units[${i}]`;
    const name = (u.name as string | undefined) ?? '';
    if (!unitSuffixes.some((s) => name.endsWith(s) && name.length > s.length)) {
      add(
        `${where}.name`,
        `invalid systemd unit name ${JSON.stringify(name)}: it must end in one of ${unitSuffixes.join(', ')}`,
      );
    }
    if (unitNames.has(name)) add(`${where}.name`, `duplicate unit ${JSON.stringify(name)}`);
    unitNames.add(name);
    const dropins = new Set<string>();
    list(u.dropins).forEach((d, j) => {
      const dropin = (d.name as string | undefined) ?? '';
      if (!dropin.endsWith('.conf') || dropin.length === '.conf'.length) {
        add(
          `${where}.dropins[${j}].name`,
          `invalid systemd dropin name ${JSON.stringify(dropin)}: it must end in .conf`,
        );
      }
      if (dropins.has(dropin))
        add(`${where}.dropins[${j}].name`, `duplicate dropin ${JSON.stringify(dropin)}`);
      dropins.add(dropin);
    });
  });

  const passwd = sub(config.passwd);
  for (const kind of ['users', 'groups'] as const) {
    const names = new Set<string>();
    list(passwd[kind]).forEach((entry, i) => {
      const name = (entry.name as string | undefined) ?? '';
      if (name === '') add(`passwd.${kind}[${i}].name`, 'name is required');
      else if (names.has(name))
        add(`passwd.${kind}[${i}].name`, `duplicate ${kind.slice(0, -1)} ${JSON.stringify(name)}`);
      names.add(name);
    });
  }
  return issues;
}

type Add = (field: string, reason: string) => void;

function absoluteDevice(device: unknown, field: string, add: Add): void {
  if (typeof device !== 'string' || !device.startsWith('/'))
    add(field, `device ${JSON.stringify(device ?? '')} must be an absolute path`);
}

function validateResource(r: IgnObject, where: string, sourceRequired: boolean, add: Add): void {
  const source = r.source as string | undefined;
  if (source === undefined) {
    if (sourceRequired) add(`${where}.source`, 'source is required');
  } else {
    const problem = urlProblem(source);
    if (problem) add(`${where}.source`, problem);
  }
  if (r.compression !== undefined && r.compression !== '' && r.compression !== 'gzip') {
    add(
      `${where}.compression`,
      `invalid compression ${JSON.stringify(r.compression)}: only "gzip" (or none) is supported`,
    );
  }
  const hash = sub(r.verification).hash as string | undefined;
  if (hash !== undefined && !/^(sha512-[0-9a-f]{128}|sha256-[0-9a-f]{64})$/.test(hash)) {
    add(
      `${where}.verification.hash`,
      `invalid hash ${JSON.stringify(hash)}: expected sha512-<128 hex> or sha256-<64 hex>`,
    );
  }
  const headers = list(r.httpHeaders);
  if (headers.length > 0) {
    const scheme = source ? schemeOf(source) : '';
    if (scheme !== 'http' && scheme !== 'https')
      add(`${where}.httpHeaders`, 'http headers are only allowed for http and https sources');
    const names = new Set<string>();
    headers.forEach((h, i) => {
      const name = (h.name as string | undefined) ?? '';
      if (name === '') add(`${where}.httpHeaders[${i}].name`, 'header name is required');
      if (names.has(name)) add(`${where}.httpHeaders[${i}].name`, `duplicate header ${JSON.stringify(name)}`);
      names.add(name);
    });
  }
}

function schemeOf(url: string): string {
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase() ?? '';
}

/** Ignition's `validateURL`: known schemes only, data URLs must decode. */
export function urlProblem(url: string): string | undefined {
  if (isPlainBase64DataUrl(url)) return undefined;
  // Go's url.Parse rejects control characters and malformed percent-escapes.
  const what = url.startsWith('data:') ? 'invalid data url' : 'invalid url';
  if (controlCharacter.test(url)) return `${what}: it contains control characters`;
  if (hasBadPercentEscape(url)) return `${what}: bad percent-encoding`;
  const scheme = schemeOf(url);
  switch (scheme) {
    case 'http':
    case 'https':
    case 'tftp':
    case 'gs':
    case 's3':
    case 'arn':
      return undefined;
    case 'data':
      return dataUrlProblem(url);
    default:
      return `invalid url scheme in ${JSON.stringify(url.length > 60 ? `${url.slice(0, 60)}…` : url)}: expected http, https, tftp, s3, gs, arn or data`;
  }
}

/**
 * The common case, checked with one scan: `data:<header>;base64,<base64 without % or line breaks>`. Its
 * data cannot hold control characters or escapes, so only the header needs the other checks.
 */
function isPlainBase64DataUrl(url: string): boolean {
  if (!url.startsWith('data:')) return false;
  const comma = url.indexOf(',');
  if (comma < 0) return false;
  const header = url.slice(0, comma);
  if (!/;base64$/i.test(header) || controlCharacter.test(header) || header.includes('%')) return false;
  const data = url.slice(comma + 1);
  return data.length % 4 === 0 && base64Data.test(data);
}

function dataUrlProblem(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (comma < 0) return 'invalid data url: missing ","';
  const meta = url.slice(5, comma);
  const hasPercent = url.indexOf('%', comma) >= 0;
  if (/;base64$/i.test(meta)) {
    // Go's base64 decoder skips CR and LF and needs the padding.
    const data = hasPercent ? (decodeURIComponentSafe(url.slice(comma + 1)) ?? '') : url.slice(comma + 1);
    const clean = /[\r\n]/.test(data) ? data.replace(/[\r\n]/g, '') : data;
    if (!base64Data.test(clean) || clean.length % 4 !== 0) return 'invalid data url: bad base64 data';
  }
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
const controlCharacter = /[\u0000-\u001f\u007f]/;
const isHexDigit = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** A `%` not followed by two hex digits (a loop: much faster than a look-ahead regex on escaped text). */
function hasBadPercentEscape(s: string): boolean {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 3)) {
    if (!isHexDigit(s.charCodeAt(i + 1)) || !isHexDigit(s.charCodeAt(i + 2))) return true;
  }
  return false;
}
const base64Data = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeURIComponentSafe(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `0o4755` style, as messages show modes. */
export function formatMode(mode: number): string {
  return mode < 0 ? `-0o${(-mode).toString(8)}` : `0o${mode.toString(8)}`;
}
