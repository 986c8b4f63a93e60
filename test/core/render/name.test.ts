/**
 * Rendered names: TV1 (reference/mco.md §1.9, computed with MCO's own libraries) and the exact YAML MCO
 * hashes for a spec with files, units, users and kernel arguments.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseMachineConfigs,
  renderedNameSalt,
  renderPool,
  specYaml,
} from '../../../functions/core/render/index.ts';
import { ign, mc, pool } from './factories.ts';

describe('rendered name', () => {
  it('TV1: a single FIPS-only worker MC renders as rendered-worker-552a0f58ccdcced4c68ca23fe3db7b58', () => {
    // Prepare
    const path = new URL('../../fixtures/render/tv1/fips.yaml', import.meta.url);
    const { machineConfigs } = parseMachineConfigs(readFileSync(path, 'utf8'), 'fips.yaml');
    // Act
    const result = renderPool({ pool: pool('worker'), machineConfigs, baseOSImage: 'newformatURL' });
    // Assess
    expect(result.name).toBe('rendered-worker-552a0f58ccdcced4c68ca23fe3db7b58');
    expect(specYaml(result.machineConfig.spec as never)).toBe(
      [
        'baseOSExtensionsContainerImage: ""',
        'config:',
        '  ignition:',
        '    version: 3.5.0',
        'extensions: []',
        'fips: true',
        'kernelArguments: []',
        'kernelType: default',
        'osImageURL: newformatURL',
        '',
      ].join('\n'),
    );
  });

  it('hashes md5(salt || YAML) and prefixes rendered-<pool>-', () => {
    // Prepare
    const result = renderPool({ pool: pool('infra', ['worker', 'infra']), machineConfigs: [mc('a', {})] });
    const yaml = specYaml(result.machineConfig.spec as never);
    // Act
    const expected = createHash('md5').update(renderedNameSalt).update(yaml).digest('hex');
    // Assess
    expect(renderedNameSalt).toHaveLength(80);
    expect(result.name).toBe(`rendered-infra-${expected}`);
  });

  it('writes the YAML MCO hashes for files, units, users and kernel arguments', () => {
    // Prepare
    const unit =
      '[Unit]\nDescription=Hello world service that prints a long description for wrapping tests\n\n[Service]\nExecStart=/usr/bin/echo "yes"\n\n[Install]\nWantedBy=multi-user.target\n';
    const mcs = [
      mc('00-base', {
        config: ign({
          storage: {
            files: [
              {
                path: '/etc/motd',
                contents: { source: 'data:,hello%20world%0A' },
                mode: 420,
                user: { name: 'root' },
              },
              { path: '/etc/yes', contents: { source: 'data:,yes' }, mode: 384, overwrite: false },
            ],
          },
          systemd: {
            units: [
              { name: 'hello.service', enabled: true, contents: unit },
              { name: 'masked.service', mask: true },
              {
                name: 'kubelet.service',
                dropins: [{ name: '10-x.conf', contents: '[Service]\nEnvironment="A=b c"' }],
              },
            ],
          },
          passwd: {
            users: [
              { name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOxyz core@example'] },
            ],
          },
        }),
        kernelArguments: ['nosmt', 'mitigations=auto,nosmt'],
      }),
      mc('99-image', {
        osImageURL:
          'quay.io/acme/rhcos@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      }),
    ];
    // Act
    const result = renderPool({
      pool: pool('worker'),
      machineConfigs: mcs,
      baseOSImage: 'quay.io/openshift/base:4.20',
    });
    // Assess
    expect(specYaml(result.machineConfig.spec as never)).toBe(
      [
        'baseOSExtensionsContainerImage: ""',
        'config:',
        '  ignition:',
        '    version: 3.5.0',
        '  passwd:',
        '    users:',
        '    - name: core',
        '      sshAuthorizedKeys:',
        '      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOxyz core@example',
        '  storage:',
        '    files:',
        '    - contents:',
        '        source: data:,hello%20world%0A',
        '      mode: 420',
        '      overwrite: true',
        '      path: /etc/motd',
        '      user:',
        '        name: root',
        '    - contents:',
        '        source: data:,yes',
        '      mode: 384',
        '      overwrite: false',
        '      path: /etc/yes',
        '  systemd:',
        '    units:',
        '    - contents: |',
        '        [Unit]',
        '        Description=Hello world service that prints a long description for wrapping tests',
        '',
        '        [Service]',
        '        ExecStart=/usr/bin/echo "yes"',
        '',
        '        [Install]',
        '        WantedBy=multi-user.target',
        '      enabled: true',
        '      name: hello.service',
        '    - mask: true',
        '      name: masked.service',
        '    - dropins:',
        '      - contents: |-',
        '          [Service]',
        '          Environment="A=b c"',
        '        name: 10-x.conf',
        '      name: kubelet.service',
        'extensions: []',
        'fips: false',
        'kernelArguments:',
        '- nosmt',
        '- mitigations=auto,nosmt',
        'kernelType: default',
        'osImageURL: quay.io/acme/rhcos@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        '',
      ].join('\n'),
    );
    expect(result.configJson).toBe(
      '{"ignition":{"version":"3.5.0"},"passwd":{"users":[{"name":"core","sshAuthorizedKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOxyz core@example"]}]},' +
        '"storage":{"files":[{"overwrite":true,"path":"/etc/motd","user":{"name":"root"},"contents":{"source":"data:,hello%20world%0A"},"mode":420},' +
        '{"overwrite":false,"path":"/etc/yes","contents":{"source":"data:,yes"},"mode":384}]},' +
        `"systemd":{"units":[{"contents":${JSON.stringify(unit)},"enabled":true,"name":"hello.service"},{"mask":true,"name":"masked.service"},` +
        '{"dropins":[{"contents":"[Service]\\nEnvironment=\\"A=b c\\"","name":"10-x.conf"}],"name":"kubelet.service"}]}}',
    );
    expect(result.osImageURLOverridden).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('changes with any spec field and not with metadata', () => {
    // Prepare
    const base = renderPool({ pool: pool('worker'), machineConfigs: [mc('a', { kernelArguments: ['a'] })] });
    // Act
    const renamed = renderPool({
      pool: pool('worker'),
      machineConfigs: [mc('b', { kernelArguments: ['a'] })],
    });
    const changed = renderPool({
      pool: pool('worker'),
      machineConfigs: [mc('a', { kernelArguments: ['b'] })],
    });
    // Assess
    expect(renamed.name).toBe(base.name);
    expect(changed.name).not.toBe(base.name);
  });
});
