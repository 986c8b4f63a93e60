/** Reconcilability between the current and the next rendered config (reference/mco.md §4.4, §1.6). */
import { describe, expect, it } from 'vitest';
import {
  type ConfigLike,
  checkReconcilable,
  checkRenderedReconcilable,
  UnreconcilableError,
} from '../../../functions/core/render/index.ts';
import { ign } from './factories.ts';

const cfg = (sections: Record<string, unknown> = {}, fips = false): ConfigLike => ({
  spec: { config: ign(sections), fips },
});
const core = (extra: Record<string, unknown> = {}) => ({
  passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['k1'], ...extra }] },
});

describe('checkReconcilable', () => {
  it('accepts identical configs and SSH key / password changes of core', () => {
    expect(() => checkReconcilable(cfg(core()), cfg(core()))).not.toThrow();
    expect(() => checkReconcilable(cfg(core()), cfg(core({ sshAuthorizedKeys: ['k2'] })))).not.toThrow();
    expect(() => checkReconcilable(cfg(core()), cfg(core({ passwordHash: 'x' })))).not.toThrow();
    expect(() => checkReconcilable(cfg(core()), cfg({}))).not.toThrow();
  });

  it.each([
    [
      'groups changed',
      cfg(),
      cfg({ passwd: { groups: [{ name: 'g' }] } }),
      'ignition Passwd Groups section contains changes',
    ],
    [
      'non-core user',
      cfg(),
      cfg({ passwd: { users: [{ name: 'admin', sshAuthorizedKeys: ['k'] }] } }),
      'ignition passwd user section contains unsupported changes: non-core user',
    ],
    [
      'core without keys or password',
      cfg(core()),
      cfg({ passwd: { users: [{ name: 'core', shell: '/bin/sh' }] } }),
      'user must be core and have 1 or more sshKeys',
    ],
    [
      'core with other fields',
      cfg(core()),
      cfg(core({ shell: '/bin/zsh' })),
      'SSH keys and password hash are not reconcilable',
    ],
    [
      'kernel arguments',
      cfg(),
      cfg({ kernelArguments: { shouldExist: ['a'] } }),
      'ignition kernelArguments section contains changes',
    ],
    [
      'disks',
      cfg(),
      cfg({ storage: { disks: [{ device: '/dev/sdb' }] } }),
      'ignition disks section contains changes',
    ],
    [
      'filesystems',
      cfg(),
      cfg({ storage: { filesystems: [{ device: '/dev/sdb', format: 'xfs' }] } }),
      'ignition filesystems section contains changes',
    ],
    [
      'raid',
      cfg(),
      cfg({ storage: { raid: [{ name: 'md0', level: 'raid1', devices: ['/dev/a'] }] } }),
      'ignition raid section contains changes',
    ],
    [
      'directories',
      cfg(),
      cfg({ storage: { directories: [{ path: '/d' }] } }),
      'ignition directories section contains changes',
    ],
    [
      'links added',
      cfg(),
      cfg({ storage: { links: [{ path: '/l', target: '/t' }] } }),
      'ignition links section contains changes',
    ],
    [
      'append',
      cfg(),
      cfg({ storage: { files: [{ path: '/f', append: [{ source: 'data:,x' }] }] } }),
      'ignition file "/f" includes append: unreconcilable',
    ],
    [
      'force file',
      cfg(),
      cfg({ storage: { files: [{ path: '/run/machine-config-daemon-force' }] } }),
      'cannot create /run/machine-config-daemon-force via Ignition',
    ],
    [
      'fips',
      cfg(),
      cfg({}, true),
      'detected change to FIPS flag; refusing to modify FIPS on a running cluster',
    ],
  ])('refuses: %s', (_, current, next, message) => {
    expect(() => checkReconcilable(current, next)).toThrow(UnreconcilableError);
    expect(() => checkReconcilable(current, next)).toThrow(message);
  });

  it('allows removing every link', () => {
    expect(() =>
      checkReconcilable(cfg({ storage: { links: [{ path: '/l', target: '/t' }] } }), cfg()),
    ).not.toThrow();
  });

  it('allows files, units and changed file contents', () => {
    const a = cfg({
      storage: { files: [{ path: '/f', contents: { source: 'data:,a' } }] },
      systemd: { units: [{ name: 'a.service' }] },
    });
    const b = cfg({ storage: { files: [{ path: '/f', contents: { source: 'data:,b' } }] } });
    expect(() => checkReconcilable(a, b)).not.toThrow();
  });
});

describe('checkRenderedReconcilable (blame)', () => {
  const current = { ...cfg(), metadata: { name: 'rendered-worker-old' } };

  it('names the component that brought the change', () => {
    const components: (ConfigLike & { metadata: { name: string } })[] = [
      { ...cfg(), metadata: { name: '00-ok' } },
      { ...cfg({ storage: { disks: [{ device: '/dev/sdb' }] } }), metadata: { name: '99-disks' } },
    ];
    expect(() => checkRenderedReconcilable(current, components[1]!, components)).toThrow(
      'reconciliation failed between current config "rendered-worker-old" and base config "99-disks": ignition disks section contains changes',
    );
  });

  it('reports the full error when no single component explains it', () => {
    const next = cfg({ storage: { raid: [{ name: 'md0', level: 'raid1', devices: ['/dev/a'] }] } });
    expect(() => checkRenderedReconcilable(current, next, [{ ...cfg(), metadata: { name: 'x' } }])).toThrow(
      'render reconciliation error: ignition raid section contains changes; component errors: []',
    );
  });
});
