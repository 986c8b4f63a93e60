/**
 * The cases of MCO's `pkg/controller/common/helpers_test.go` and render controller tests
 * (reference/mco.md §1.8), restated as test vectors for Strata's render engine.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  checkRenderedReconcilable,
  configFileDiffs,
  convertIgnition,
  DecodeIssue,
  IgnitionConversionError,
  mergeIgnition,
  mergeMachineConfigs,
  mergeOrder,
  packagesForExtensions,
  parseIgnition,
  RenderError,
  renderPool,
  supportedMinorVersion,
  supportedVersions,
  UnreconcilableError,
  validateIgnition,
  validateMachineConfig,
} from '../../../functions/core/render/index.ts';
import { file, ign, mc, pool, role } from './factories.ts';

const merge = (mcs: ReturnType<typeof mc>[], base = 'newformatURL', ext = '') =>
  mergeMachineConfigs(mergeOrder(mcs.map((m) => validateMachineConfig(m))), base, ext);

describe('TestMergeMachineConfigs', () => {
  it('merges a single FIPS-only MC into an empty 3.5 config with default fields', () => {
    // Prepare
    const mcs = [mc('fips', { fips: true })];
    // Act
    const result = renderPool({ pool: pool('worker'), machineConfigs: mcs, baseOSImage: 'newformatURL' });
    // Assess
    expect(result.machineConfig.spec).toEqual({
      osImageURL: 'newformatURL',
      baseOSExtensionsContainerImage: '',
      config: { ignition: { version: '3.5.0' } },
      kernelArguments: [],
      extensions: [],
      fips: true,
      kernelType: 'default',
    });
    expect(result.configJson).toBe('{"ignition":{"version":"3.5.0"}}');
    expect(result.name).toBe('rendered-worker-552a0f58ccdcced4c68ca23fe3db7b58');
  });

  it('merges nine worker MCs: last osImageURL, concatenated kargs, realtime, union of SSH keys in stable name order', () => {
    // Prepare
    const mcs = [
      mc('osimageurl', { osImageURL: 'overriddenURL' }),
      mc('kargs', { kernelArguments: ['testKarg', 'kargFromIgnitionDowngrade'] }),
      mc('kerneltype', { kernelType: 'realtime' }),
      mc('extension', { extensions: ['testExtensions'] }),
      mc('ssh', { config: ign({ passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['5678'] }] } }) }),
      mc('fips', { fips: true }),
      mc('passwd', { config: ign({ passwd: { users: [{ name: 'core', passwordHash: 'testpass' }] } }) }),
      mc('ssh', { config: ign({ passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['1234'] }] } }) }),
      mc('v2', { config: { ignition: { version: '2.2.0' } } }),
    ];
    // Act
    const merged = merge(mcs);
    // Assess
    expect(merged.osImageURL).toBe('overriddenURL');
    expect(merged.kernelArguments).toEqual(['testKarg', 'kargFromIgnitionDowngrade']);
    expect(merged.ignition).toEqual({
      ignition: { version: '3.5.0' },
      passwd: { users: [{ name: 'core', passwordHash: 'testpass', sshAuthorizedKeys: ['5678', '1234'] }] },
    });
    expect(merged.fips).toBe(true);
    expect(merged.kernelType).toBe('realtime');
    expect(merged.extensions).toEqual(['testExtensions']);
  });

  it("lets a custom pool's own MC override worker MCs whatever the names, and drops compression on override", () => {
    // Prepare
    const gz = gzipSync('old').toString('base64');
    const user = { user: { name: 'root' } };
    const mcs = [
      mc(
        'ccc',
        { config: ign({ storage: { files: [file('/etc/test2', 'new', user)] } }) },
        { [role]: 'infra' },
      ),
      mc('aaa', { config: ign({ storage: { files: [file('/etc/test1', 'old', user)] } }) }),
      mc('bbb', { config: ign({ storage: { files: [file('/etc/test1', 'new', user)] } }) }),
      mc('ddd', {
        config: ign({
          storage: {
            files: [
              {
                path: '/etc/test2',
                contents: { source: `data:;base64,${gz}`, compression: 'gzip' },
                mode: 420,
                ...user,
              },
            ],
          },
        }),
      }),
    ];
    // Act
    const result = renderPool({ pool: pool('infra', ['worker', 'infra']), machineConfigs: mcs });
    // Assess
    expect(result.source.map((s) => s.name)).toEqual(['aaa', 'bbb', 'ddd', 'ccc']);
    expect(result.machineConfig.spec.config).toEqual({
      ignition: { version: '3.5.0' },
      storage: {
        files: [
          {
            overwrite: true,
            path: '/etc/test1',
            user: { name: 'root' },
            contents: { source: 'data:,new' },
            mode: 420,
          },
          {
            overwrite: true,
            path: '/etc/test2',
            user: { name: 'root' },
            contents: { source: 'data:,new' },
            mode: 420,
          },
        ],
      },
    });
    expect(result.machineConfig.spec).toMatchObject({
      kernelArguments: [],
      extensions: [],
      fips: false,
      kernelType: 'default',
      osImageURL: '',
    });
  });
});

describe('TestRemoveIgnDuplicateFilesAndUnits (v2 normalisation)', () => {
  it('keeps the last file per path and merges duplicate units, dropins of dropped units appended', () => {
    // Prepare
    const v2 = {
      ignition: { version: '2.2.0' },
      storage: {
        files: [
          { filesystem: 'root', path: '/etc/testfileconfig', contents: { source: 'data:,old' }, mode: 420 },
          { filesystem: 'root', path: '/etc/testfileconfig', contents: { source: 'data:,new' }, mode: 420 },
        ],
      },
      systemd: {
        units: [
          { name: 'testUnit', contents: 'old', dropins: [{ name: 'one', contents: 'old' }] },
          { name: 'testUnit', dropins: [{ name: 'one', contents: 'new' }] },
          { name: 'testUnit', contents: 'new', dropins: [{ name: 'two', contents: 'new' }] },
        ],
      },
    };
    // Act
    const { config } = parseIgnition(v2);
    // Assess
    expect(config.storage).toEqual({
      files: [{ path: '/etc/testfileconfig', contents: { source: 'data:,new' }, mode: 420 }],
    });
    expect(config.systemd).toEqual({
      units: [
        {
          name: 'testUnit',
          contents: 'new',
          dropins: [
            { name: 'two', contents: 'new' },
            { name: 'one', contents: 'new' },
          ],
        },
      ],
    });
  });

  it('reverses the file list relative to the input', () => {
    // Prepare
    const v2 = {
      ignition: { version: '2.2.0' },
      storage: {
        files: [
          { path: '/a', filesystem: 'root' },
          { path: '/b', filesystem: 'root' },
        ],
      },
    };
    // Act
    const files = (parseIgnition(v2).config.storage as { files: { path: string }[] }).files;
    // Assess
    expect(files.map((f) => f.path)).toEqual(['/b', '/a']);
  });

  it('refuses users other than core', () => {
    // Prepare
    const v2 = { ignition: { version: '2.2.0' }, passwd: { users: [{ name: 'admin' }] } };
    // Act / Assess
    expect(() => parseIgnition(v2)).toThrow('unexpected user with name: admin. Only core user is supported');
  });
});

describe('TestSetDefaultFileOverwrite', () => {
  it('sets overwrite true only where it is unset', () => {
    // Prepare
    const mcs = [
      mc('files', {
        config: ign({
          storage: {
            files: [
              { path: '/etc/testfileconfig1', contents: { source: 'data:,a' } },
              { path: '/etc/testfileconfig2', contents: { source: 'data:,b' }, overwrite: false },
            ],
          },
        }),
      }),
    ];
    // Act
    const merged = merge(mcs);
    // Assess
    const files = (merged.ignition.storage as { files: { overwrite: boolean }[] }).files;
    expect(files.map((f) => f.overwrite)).toEqual([true, false]);
    expect(merged.kernelArguments).toEqual([]);
    expect(merged.kernelType).toBe('default');
    expect(merged.extensions).toEqual([]);
  });
});

describe('TestIgnitionMergeCompressed', () => {
  it('lets an uncompressed child replace a gzip parent file', () => {
    // Prepare
    const parent = parseIgnition(
      ign({
        storage: {
          files: [
            {
              path: '/etc/f',
              contents: { source: 'data:;base64,H4sIAAAAAAAAA0vLz+cCAKhlMn4EAAAA', compression: 'gzip' },
            },
          ],
        },
      }),
    ).config;
    const child = parseIgnition(
      ign({
        storage: {
          files: [
            {
              ...file('/etc/f', 'hello world'),
              contents: { source: 'data:,hello%20world', compression: '' },
            },
          ],
        },
      }),
    ).config;
    // Act
    const merged = mergeIgnition(parent, child);
    // Assess
    const contents = (merged.storage as { files: { contents: { source: string; compression: string } }[] })
      .files[0]!.contents;
    expect(contents.compression).toBe('');
    expect(decodeURIComponent(contents.source.slice('data:,'.length))).toBe('hello world');
  });
});

describe('TestParseAndConvert', () => {
  it('converts a 2.2 config, de-duplicating the core SSH keys', () => {
    // Prepare
    const v2 = {
      ignition: { version: '2.2.0' },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['5678', '5678', 'abc'] }] },
    };
    // Act
    const { config } = parseIgnition(v2);
    // Assess
    expect(config).toEqual({
      ignition: { version: '3.5.0' },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['5678', 'abc'] }] },
    });
  });

  it.each(['3.0.0', '3.1.0', '3.2.0', '3.3.0', '3.4.0', '3.5.0'])('converts %s to 3.5.0', (version) => {
    // Act
    const { config, sourceVersion } = parseIgnition(
      ign({ storage: { files: [file('/etc/x', 'x')] } }, version),
    );
    // Assess
    expect((config.ignition as { version: string }).version).toBe('3.5.0');
    expect(sourceVersion).toBe(version);
  });

  it('refuses version 21.0.0 as unknown', () => {
    // Act / Assess
    expect(() => parseIgnition(ign({}, '21.0.0'))).toThrow(
      /unknown version .*Supported spec versions: 2.2,3.0,3.1,3.2,3.3,3.4,3.5/,
    );
  });

  it('refuses an unparseable version as invalid', () => {
    // Act / Assess
    expect(() => parseIgnition(ign({}, 'three'))).toThrow(/invalid version .*Supported spec versions/);
  });
});

describe('TestValidateIgnition', () => {
  it('accepts an empty config', () => {
    // Act / Assess
    expect(validateIgnition({})).toEqual([]);
  });

  it('refuses a config with a user but no version', () => {
    // Act / Assess
    expect(() => parseIgnition({ passwd: { users: [{ name: 'core' }] } })).toThrow(DecodeIssue);
  });

  it('accepts a file with mode 420', () => {
    // Act
    const issues = validateIgnition(parseIgnition(ign({ storage: { files: [file('/etc/x', 'x')] } })).config);
    // Assess
    expect(issues).toEqual([]);
  });

  it.each([
    ['3.5.0', { path: '/etc/x', contents: { source: 'data:,x' }, mode: 0o1777 }],
    ['2.2.0', { filesystem: 'root', path: '/etc/x', contents: { source: 'data:,x' }, mode: 0o1777 }],
  ])('refuses mode 0o1777 in a %s config', (version, entry) => {
    // Prepare
    const machineConfig = mc('bad-mode', { config: { ignition: { version }, storage: { files: [entry] } } });
    // Act / Assess
    expect(() => validateMachineConfig(machineConfig)).toThrow(
      /storage\.files\[0\]\.mode: invalid mode 0o1777/,
    );
  });

  it('refuses something that is not a config', () => {
    // Act / Assess
    expect(() => parseIgnition(42)).toThrow(DecodeIssue);
    expect(() => parseIgnition('not json')).toThrow(/not valid JSON/);
  });
});

describe('Ignition converter', () => {
  it('lists the supported minor versions', () => {
    // Assess
    expect(supportedVersions).toEqual(['2.2', '3.0', '3.1', '3.2', '3.3', '3.4', '3.5']);
  });

  it('converts 2.2 to 3.5, 3.5 to 2.2 and 3.5 down to 3.4, 3.3, 3.2 and 3.1', () => {
    // Prepare
    const v35 = ign({
      storage: { files: [file('/etc/x', 'x')] },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['k'] }] },
    });
    const v22 = {
      ignition: { version: '2.2.0' },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['k'] }] },
    };
    // Act / Assess
    expect(convertIgnition(v22, '2.2', '3.5')).toEqual({
      ignition: { version: '3.5.0' },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['k'] }] },
    });
    expect(convertIgnition(v35, '3.5', '2.2')).toEqual({
      ignition: { version: '2.2.0' },
      storage: {
        files: [
          {
            filesystem: 'root',
            path: '/etc/x',
            contents: { source: 'data:,x', verification: {} },
            mode: 420,
          },
        ],
      },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['k'] }] },
    });
    for (const to of ['3.4', '3.3', '3.2', '3.1']) {
      expect(convertIgnition(v35, '3.5', to)).toMatchObject({ ignition: { version: `${to}.0` } });
    }
  });

  it('refuses a v2 config given as 3.5 (wrong source type) and 3.1 → 3.5 (unsupported)', () => {
    // Act / Assess
    expect(() => convertIgnition({ ignition: { version: '2.2.0' } }, '3.5', '3.4')).toThrow(
      IgnitionConversionError,
    );
    expect(() => convertIgnition({ ignition: { version: '2.2.0' } }, '3.5', '3.4')).toThrow(
      /wrong source type/,
    );
    expect(() => convertIgnition(ign({}, '3.1.0'), '3.1', '3.5')).toThrow(
      /unsupported conversion from 3.1 to 3.5/,
    );
    expect(() => convertIgnition(ign({ kernelArguments: { shouldExist: ['a'] } }), '3.5', '3.2')).toThrow(
      /kernelArguments cannot be represented in spec 3.2/,
    );
  });

  it('resolves 3.5.2 to 3.5.0 and refuses 7.7.7', () => {
    // Act / Assess
    expect(supportedMinorVersion('3.5.2')).toBe('3.5.0');
    expect(() => supportedMinorVersion('7.7.7')).toThrow(/unknown version/);
  });
});

describe('TestCalculateConfigFileDiffs', () => {
  it('reports a changed file and nothing for identical configs', () => {
    // Prepare
    const a = parseIgnition(
      ign({ storage: { files: [file('/etc/kubernetes/kubelet-ca.crt', 'one')] } }),
    ).config;
    const b = parseIgnition(
      ign({ storage: { files: [file('/etc/kubernetes/kubelet-ca.crt', 'two')] } }),
    ).config;
    // Act / Assess
    expect(configFileDiffs(a, b)).toEqual(['/etc/kubernetes/kubelet-ca.crt']);
    expect(configFileDiffs(a, a)).toEqual([]);
  });
});

describe('TestParseAndConvertGzippedConfig', () => {
  it('parses the same config plain, gzipped, and gzipped then base64-encoded', () => {
    // Prepare
    const text = JSON.stringify(
      ign({
        storage: {
          files: [{ path: '/etc/hello-worker', contents: { source: 'data:,hello%20world%0A' }, mode: 420 }],
        },
      }),
    );
    const gz = gzipSync(text);
    const expected = {
      ignition: { version: '3.5.0' },
      storage: {
        files: [{ path: '/etc/hello-worker', contents: { source: 'data:,hello%20world%0A' }, mode: 420 }],
      },
    };
    // Act / Assess
    expect(parseIgnition(text).config).toEqual(expected);
    expect(parseIgnition(new Uint8Array(gz)).config).toEqual(expected);
    expect(parseIgnition(gz.toString('base64')).config).toEqual(expected);
  });
});

describe('extensions', () => {
  it('accepts supported extensions and names every unknown one', () => {
    // Prepare
    const good = mc('ext', { config: ign(), extensions: ['sysstat', 'sandboxed-containers'] });
    const bad = mc('ext', { config: ign(), extensions: ['sysstat', 'foo', 'bar'] });
    // Act / Assess
    expect(validateMachineConfig(good).machineConfig).toBe(good);
    expect(() => validateMachineConfig(bad)).toThrow(
      /spec\.extensions: invalid extensions found: \[foo bar\]/,
    );
  });

  it('skips the allowlist when the MC has no config (MCO quirk)', () => {
    // Act / Assess
    expect(() => validateMachineConfig(mc('ext', { extensions: ['foo'] }))).not.toThrow();
  });

  it.each([
    [['two-node-ha'], ['pacemaker', 'pcs', 'fence-agents-all']],
    [['sysstat'], ['sysstat']],
    [['kerberos'], ['krb5-workstation', 'libkadm5']],
    [
      ['ipsec', 'kerberos'],
      ['NetworkManager-libreswan', 'libreswan', 'openvswitch3.5-ipsec', 'krb5-workstation', 'libkadm5'],
    ],
  ])('maps %j to its packages', (extensions, packages) => {
    // Act / Assess
    expect(packagesForExtensions(extensions)).toEqual(packages);
  });

  it('refuses packages for an unknown extension', () => {
    // Act / Assess
    expect(() => packagesForExtensions(['nope'])).toThrow(RenderError);
  });

  it('refuses kernel-devel with a non-default kernel type', () => {
    // Prepare
    const mcs = [mc('a', { kernelType: 'realtime' }), mc('b', { extensions: ['kernel-devel'] })];
    // Act / Assess
    expect(() => merge(mcs)).toThrow(
      'installing kernel-devel extension is not supported with kernelType: realtime',
    );
  });
});

describe('render controller tests', () => {
  it('TestGenerateMachineConfigOverrideOSImageURL: the last user MC wins', () => {
    // Prepare
    const master = (name: string, url: string) => mc(name, { osImageURL: url }, { [role]: 'master' });
    const two = [
      master('00-test-cluster-master', 'dummy-test-1'),
      master('00-test-cluster-master-0', 'dummy-change'),
    ];
    // Act
    const first = renderPool({ pool: pool('master'), machineConfigs: two, baseOSImage: 'base' });
    const second = renderPool({
      pool: pool('master'),
      machineConfigs: [...two, master('00-test-cluster-master-1', 'dummy-change-2')],
      baseOSImage: 'base',
    });
    // Assess
    expect(first.machineConfig.spec.osImageURL).toBe('dummy-change');
    expect(second.machineConfig.spec.osImageURL).toBe('dummy-change-2');
    expect(
      second.machineConfig.metadata.annotations['machineconfiguration.openshift.io/os-image-url-overridden'],
    ).toBe('true');
  });

  it('refuses to override osImageURL when the pool sets an OS image stream', () => {
    // Prepare
    const p = pool('worker');
    p.spec.osImageStream = { name: 'rhel-10' };
    // Act / Assess
    expect(() =>
      renderPool({
        pool: p,
        machineConfigs: [mc('x', { osImageURL: 'quay.io/x@sha256:ab' })],
        baseOSImage: 'base',
      }),
    ).toThrow(
      'cannot override MachineConfig osImageURL and set MachineConfigPool spec.osImageStream.name simultaneously',
    );
  });

  it('TestGenerateRenderedConfigOnLatestControllerVersionOnly', () => {
    // Prepare
    const generated = mc(
      '00-worker',
      {},
      { [role]: 'worker' },
      {
        'machineconfiguration.openshift.io/generated-by-controller-version': '1',
      },
    );
    const user = mc(
      '99-user',
      {},
      { [role]: 'worker' },
      { 'machineconfiguration.openshift.io/generated-by-controller-version': '' },
    );
    // Act / Assess
    expect(() =>
      renderPool({ pool: pool('worker'), machineConfigs: [generated], controllerVersion: '2' }),
    ).toThrow('ignoring MC 00-worker generated by older version 1 (my version: 2)');
    expect(() =>
      renderPool({ pool: pool('worker'), machineConfigs: [user], controllerVersion: '2' }),
    ).not.toThrow();
    expect(() => renderPool({ pool: pool('worker'), machineConfigs: [generated] })).not.toThrow();
  });

  it("ignores a generated MC's osImageURL whatever its version value", () => {
    // Prepare
    const generated = mc(
      '00-worker',
      { osImageURL: 'from-generated' },
      { [role]: 'worker' },
      {
        'machineconfiguration.openshift.io/generated-by-controller-version': 'anything',
      },
    );
    // Act
    const result = renderPool({ pool: pool('worker'), machineConfigs: [generated], baseOSImage: 'base' });
    // Assess
    expect(result.machineConfig.spec.osImageURL).toBe('base');
    expect(result.osImageURLOverridden).toBe(false);
  });

  it('TestGenerateMachineConfigValidation: a FIPS change is unreconcilable', () => {
    // Prepare
    const current = renderPool({ pool: pool('worker'), machineConfigs: [mc('a', {})] });
    const nextMcs = [mc('a', {}), mc('b', { fips: true })];
    const next = renderPool({ pool: pool('worker'), machineConfigs: nextMcs });
    // Act / Assess
    expect(() => checkRenderedReconcilable(current.machineConfig, next.machineConfig, nextMcs)).toThrow(
      UnreconcilableError,
    );
    expect(() => checkRenderedReconcilable(current.machineConfig, next.machineConfig, nextMcs)).toThrow(
      `reconciliation failed between current config "${current.name}" and base config "b": detected change to FIPS flag; refusing to modify FIPS on a running cluster`,
    );
  });

  it('TestGetMachineConfigsForPool: the selector picks the pool MCs, none is an error', () => {
    // Prepare
    const mcs = [
      mc('m1', {}, { [role]: 'master' }),
      mc('m2', {}, { [role]: 'master' }),
      mc('w', {}, { [role]: 'infra' }),
    ];
    // Act
    const master = renderPool({ pool: pool('master'), machineConfigs: mcs });
    // Assess
    expect(master.source.map((s) => s.name)).toEqual(['m1', 'm2']);
    expect(() => renderPool({ pool: pool('worker'), machineConfigs: mcs })).toThrow(
      'no MachineConfigs found matching selector machineconfiguration.openshift.io/role=worker',
    );
  });
});
