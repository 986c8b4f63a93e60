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

/**
 * Spec strings holding line-break characters other than LF. MCO's hash input is go-yaml v2's output for
 * what go-yaml v2 reads back from encoding/json's text of the spec, so each expected YAML below is derived
 * in two steps, then the name is md5(salt || that YAML):
 * 1. encoding/json writes NEL (U+0085) raw but LS/PS (U+2028/U+2029) as \u2028/\u2029 escapes, and
 *    go-yaml's scanner folds raw NELs in a double-quoted scalar (yaml_parser_scan_flow_scalar): one NEL
 *    with the spaces around it reads as one space, k NELs in a row as k−1 line feeds. Escapes are copied.
 * 2. go-yaml's emitter then writes the value read: plain when nothing forbids it, literal (`|`) for text
 *    with LF (encoder.stringv), single-quoted for other breaks (LS/PS are printable but breaks, so not plain),
 *    copying LS/PS raw and re-indenting the next line to the scalar's indent (write_break, write_indent).
 * The two names written out in full were computed apart from Strata, with Python's hashlib over the salt
 * (reference/mco.md §1.7) and the expected text.
 */
describe('rendered name of specs with NEL, LS and PS', () => {
  const image =
    'quay.io/openshift/os@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
  const hashOf = (yaml: string): string =>
    createHash('md5').update(renderedNameSalt).update(yaml, 'utf8').digest('hex');
  const render = (spec: Parameters<typeof mc>[1]) =>
    renderPool({ pool: pool('worker'), machineConfigs: [mc('99-worker-x', spec)], baseOSImage: image });
  const specWith = (lines: string[]): string =>
    ['baseOSExtensionsContainerImage: ""', ...lines, `osImageURL: ${image}`, ''].join('\n');
  const noConfig = ['config:', '  ignition:', '    version: 3.5.0'];

  it('NEL in a kernel argument: go-yaml reads "console=ttyS0<NEL>quiet" as "console=ttyS0 quiet"', () => {
    // Prepare: the argument as MCO's API stores it, NEL included.
    const expected = specWith([
      ...noConfig,
      'extensions: []',
      'fips: false',
      'kernelArguments:',
      // Folded to one space, then plain: no indicator, nothing unprintable, no leading/trailing space.
      '- console=ttyS0 quiet',
      'kernelType: default',
    ]);
    // Act
    const result = render({ kernelArguments: ['console=ttyS0\u0085quiet'] });
    // Assess
    expect(specYaml(result.machineConfig.spec as never)).toBe(expected);
    expect(result.name).toBe(`rendered-worker-${hashOf(expected)}`);
    expect(result.name).toBe('rendered-worker-940302c4d0c95f5d32f8c092060b31bc');
    // The rendered MachineConfig keeps the argument as written; only the hash input is folded.
    expect(result.machineConfig.spec.kernelArguments).toEqual(['console=ttyS0\u0085quiet']);
    // The same YAML, so the same name, as for a plain space.
    expect(render({ kernelArguments: ['console=ttyS0 quiet'] }).name).toBe(result.name);
  });

  it('NEL in file contents (a data URL holding it raw): the source reads back with a space', () => {
    // Prepare
    const expected = specWith([
      ...noConfig,
      '  storage:',
      '    files:',
      '    - contents:',
      '        source: data:,hello world',
      '      mode: 420',
      '      overwrite: true',
      '      path: /etc/hello',
      'extensions: []',
      'fips: false',
      'kernelArguments: []',
      'kernelType: default',
    ]);
    // Act
    const result = render({
      config: ign({
        storage: {
          files: [{ path: '/etc/hello', mode: 420, contents: { source: 'data:,hello\u0085world' } }],
        },
      }),
    });
    // Assess
    expect(specYaml(result.machineConfig.spec as never)).toBe(expected);
    expect(result.name).toBe(`rendered-worker-${hashOf(expected)}`);
    expect(result.name).toBe('rendered-worker-5fd4dc16cf00df7294d5fccf40b125b9');
  });

  it('NEL in a unit: escaped line feeds stay, the raw NEL folds, and the text is a literal block', () => {
    // Prepare: the JSON text is "[Unit]\nDescription=a<NEL> b\n"; \n is an escape (copied), "<NEL> " folds.
    const expected = specWith([
      ...noConfig,
      '  systemd:',
      '    units:',
      '    - contents: |',
      '        [Unit]',
      '        Description=a b',
      '      name: a.service',
      'extensions: []',
      'fips: false',
      'kernelArguments: []',
      'kernelType: default',
    ]);
    // Act
    const result = render({
      config: ign({
        systemd: { units: [{ name: 'a.service', contents: '[Unit]\nDescription=a\u0085 b\n' }] },
      }),
    });
    // Assess
    expect(specYaml(result.machineConfig.spec as never)).toBe(expected);
    expect(result.name).toBe(`rendered-worker-${hashOf(expected)}`);
  });

  it('two NELs in a row read as one line feed, so the argument becomes a literal block', () => {
    // Prepare: "a<NEL> <NEL>b" is one run of breaks and spaces holding 2 NELs: 2 − 1 = 1 line feed. The
    // value "a\nb" has LF, so the encoder asks for a literal; no trailing break: strip chomping "|-";
    // the list is not indented under its key, the block one level deeper than the dash.
    const expected = specWith([
      ...noConfig,
      'extensions: []',
      'fips: false',
      'kernelArguments:',
      '- |-',
      '  a',
      '  b',
      'kernelType: default',
    ]);
    // Act
    const result = render({ kernelArguments: ['a\u0085 \u0085b'] });
    // Assess
    expect(specYaml(result.machineConfig.spec as never)).toBe(expected);
    expect(result.name).toBe(`rendered-worker-${hashOf(expected)}`);
  });

  it('LS and PS arrive escaped, read back as breaks, and are written raw in single quotes, re-indented', () => {
    // Prepare: "a<LS>b" is multiline (LS is a break) but printable: single-quoted; after the raw LS the
    // column is 0 and the next character is indented to the scalar's indent, 2 here.
    const expected = specWith([
      ...noConfig,
      'extensions: []',
      'fips: false',
      'kernelArguments:',
      "- 'a\u2028  b'",
      "- 'c\u2029  d'",
      'kernelType: default',
    ]);
    // Act
    const result = render({ kernelArguments: ['a\u2028b', 'c\u2029d'] });
    // Assess
    expect(specYaml(result.machineConfig.spec as never)).toBe(expected);
    expect(result.name).toBe(`rendered-worker-${hashOf(expected)}`);
  });
});
