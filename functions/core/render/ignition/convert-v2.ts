/**
 * Ignition spec 2.x → 3.0 shape, as MCO does it: first `removeIgnDuplicateFilesUnitsUsers` (MCO's own
 * normalisation of v2 configs), then the `ign-converter` v2.4 → v3.0 translation. Works on generic JSON;
 * the result is decoded as a 3.0 config afterwards, which checks the types.
 */
import { DecodeIssue } from './decode.ts';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
// ign-converter's strP/boolP: Go zero values become nil pointers.
const strP = (v: unknown): unknown => (v === '' || v === null ? undefined : v);
const boolP = (v: unknown): unknown => (v === false || v === null ? undefined : v);

/**
 * MCO's v2 normalisation. Files and units: the last definition of a path/name wins and the list comes out
 * reversed; a dropped unit's dropins that the kept one lacks are appended. Users: only `core` is allowed;
 * the last entry is kept with the SSH keys of all entries (last first), de-duplicated.
 */
export function removeDuplicateFilesUnitsUsers(config: Json): Json {
  const out: Json = { ...config };
  const storage = obj(config.storage);
  if (Array.isArray(storage.files)) {
    const seen = new Set<string>();
    const files: unknown[] = [];
    for (let i = storage.files.length - 1; i >= 0; i--) {
      const path = String(obj(storage.files[i]).path ?? '');
      if (seen.has(path)) continue;
      seen.add(path);
      files.push(storage.files[i]);
    }
    out.storage = { ...storage, files };
  }
  const systemd = obj(config.systemd);
  if (Array.isArray(systemd.units)) {
    const kept = new Map<string, Json>();
    const units: Json[] = [];
    for (let i = systemd.units.length - 1; i >= 0; i--) {
      const unit = obj(systemd.units[i]);
      const name = String(unit.name ?? '');
      const existing = kept.get(name);
      if (!existing) {
        const copy = { ...unit, dropins: [...arr(unit.dropins)] };
        kept.set(name, copy);
        units.push(copy);
        continue;
      }
      const dropins = existing.dropins as unknown[];
      const names = new Set(dropins.map((d) => String(obj(d).name ?? '')));
      for (const dropin of arr(unit.dropins)) {
        if (!names.has(String(obj(dropin).name ?? ''))) dropins.push(dropin);
      }
    }
    for (const unit of units) if ((unit.dropins as unknown[]).length === 0) delete unit.dropins;
    out.systemd = { ...systemd, units };
  }
  const passwd = obj(config.passwd);
  const users = arr(passwd.users);
  if (users.length > 0) {
    for (const [i, user] of users.entries()) {
      const name = obj(user).name;
      if (name !== 'core') {
        throw new DecodeIssue(
          `passwd.users[${i}].name`,
          `unexpected user with name: ${String(name)}. Only core user is supported`,
        );
      }
    }
    const last = obj(users[users.length - 1]);
    const keys: unknown[] = [...arr(last.sshAuthorizedKeys)];
    for (let i = users.length - 2; i >= 0; i--) keys.push(...arr(obj(users[i]).sshAuthorizedKeys));
    const unique = [...new Set(keys)];
    out.passwd = { ...passwd, users: [{ ...last, sshAuthorizedKeys: unique }] };
  }
  return out;
}

/** Translates a (normalised) v2.x config to the 3.0 JSON shape. */
export function translateV2ToV3(config: Json): Json {
  const ign = obj(config.ignition);
  const cfg = obj(ign.config);
  const resource = (r: unknown): Json => {
    const o = obj(r);
    return { source: strP(o.source), verification: obj(o.verification) };
  };
  const ignition: Json = {
    version: '3.0.0',
    config: {
      merge: arr(cfg.append).map(resource),
      replace: cfg.replace ? resource(cfg.replace) : undefined,
    },
    timeouts: ign.timeouts,
    security: {
      tls: { certificateAuthorities: arr(obj(obj(ign.security).tls).certificateAuthorities).map(resource) },
    },
  };
  const storage = obj(config.storage);
  const node = (n: Json, where: string): Json => {
    if (n.filesystem !== undefined && n.filesystem !== 'root') {
      throw new DecodeIssue(
        `${where}.filesystem`,
        `filesystem ${JSON.stringify(n.filesystem)} cannot be translated to spec 3 (only "root" is supported)`,
      );
    }
    const user = obj(n.user);
    const group = obj(n.group);
    return {
      path: n.path,
      overwrite: n.overwrite,
      user: { id: user.id, name: strP(user.name) },
      group: { id: group.id, name: strP(group.name) },
    };
  };
  const files = arr(storage.files).map((f, i) => {
    const file = obj(f);
    const contents = obj(file.contents);
    const c = {
      compression: strP(contents.compression),
      source: strP(contents.source),
      verification: { hash: strP(obj(contents.verification).hash) },
    };
    const out: Json = { ...node(file, `storage.files[${i}]`), mode: file.mode };
    if (file.append === true) out.append = [c];
    else out.contents = c;
    return out;
  });
  const directories = arr(storage.directories).map((d, i) => ({
    ...node(obj(d), `storage.directories[${i}]`),
    mode: obj(d).mode,
  }));
  const links = arr(storage.links).map((l, i) => ({
    ...node(obj(l), `storage.links[${i}]`),
    target: obj(l).target ?? '',
    hard: boolP(obj(l).hard),
  }));
  const filesystems = arr(storage.filesystems).map((f, i) => {
    const fs = obj(f);
    if (fs.path !== undefined && fs.path !== null) {
      throw new DecodeIssue(
        `storage.filesystems[${i}].path`,
        'path-type filesystems cannot be translated to spec 3',
      );
    }
    const mount = obj(fs.mount);
    return {
      device: mount.device,
      format: strP(mount.format),
      label: strP(mount.label),
      uuid: strP(mount.uuid),
      wipeFilesystem: boolP(mount.wipeFilesystem),
      options: mount.options,
    };
  });
  const disks = arr(storage.disks).map((d, i) => {
    const disk = obj(d);
    return {
      device: disk.device,
      wipeTable: boolP(disk.wipeTable),
      partitions: arr(disk.partitions).map((p, j) => {
        const part = obj(p);
        if ((part.size ?? 0) !== 0 || (part.start ?? 0) !== 0) {
          throw new DecodeIssue(
            `storage.disks[${i}].partitions[${j}]`,
            'partition size/start in sectors cannot be translated to spec 3',
          );
        }
        return {
          label: strP(part.label),
          number: part.number,
          typeGuid: strP(part.typeGuid),
          guid: strP(part.guid),
        };
      }),
    };
  });
  const raid = arr(storage.raid).map((r) => {
    const o = obj(r);
    return {
      name: o.name,
      level: strP(o.level),
      devices: o.devices,
      spares: o.spares || undefined,
      options: o.options,
    };
  });
  if (arr(obj(config.networkd).units).length > 0) {
    throw new DecodeIssue('networkd.units', 'networkd units cannot be translated to spec 3');
  }
  const units = arr(obj(config.systemd).units).map((u) => {
    const unit = obj(u);
    return {
      name: unit.name,
      enabled: unit.enabled ?? (unit.enable === true ? true : undefined),
      mask: boolP(unit.mask),
      contents: strP(unit.contents),
      dropins: arr(unit.dropins).map((d) => ({ name: obj(d).name, contents: strP(obj(d).contents) })),
    };
  });
  const passwd = obj(config.passwd);
  const users = arr(passwd.users).map((u, i) => {
    const user = obj(u);
    if (user.create !== undefined && user.create !== null) {
      throw new DecodeIssue(
        `passwd.users[${i}].create`,
        'the deprecated create section cannot be translated to spec 3',
      );
    }
    return {
      name: user.name,
      passwordHash: user.passwordHash,
      sshAuthorizedKeys: user.sshAuthorizedKeys,
      uid: user.uid,
      gecos: strP(user.gecos),
      homeDir: strP(user.homeDir),
      noCreateHome: boolP(user.noCreateHome),
      primaryGroup: strP(user.primaryGroup),
      groups: user.groups,
      noUserGroup: boolP(user.noUserGroup),
      noLogInit: boolP(user.noLogInit),
      shell: strP(user.shell),
      system: boolP(user.system),
    };
  });
  const groups = arr(passwd.groups).map((g) => {
    const group = obj(g);
    return {
      name: group.name,
      gid: group.gid,
      passwordHash: strP(group.passwordHash),
      system: boolP(group.system),
    };
  });
  return {
    ignition,
    storage: { files, directories, links, filesystems, disks, raid },
    systemd: { units },
    passwd: { users, groups },
  };
}

/** Drops empty lists and unset values, as Go's converter leaves nil slices and nil pointers there. */
export function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [key, v] of Object.entries(value as Json)) {
      if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
      out[key] = prune(v);
    }
    return out;
  }
  return value;
}
