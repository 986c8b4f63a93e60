/** Reading MachineConfigs from YAML/JSON text and the errors that say where and why. */
import { describe, expect, it } from 'vitest';
import {
  parseMachineConfigs,
  RenderError,
  renderPool,
  sourceOf,
  validateMachineConfig,
} from '../../../functions/core/render/index.ts';
import { pool } from './factories.ts';

const mcYaml = (name: string, spec = 'fips: true') => `apiVersion: machineconfiguration.openshift.io/v1
kind: MachineConfig
metadata:
  name: ${name}
  labels:
    machineconfiguration.openshift.io/role: worker
spec:
  ${spec}
`;

describe('parseMachineConfigs', () => {
  it('reads several documents, remembering the source', () => {
    const { machineConfigs } = parseMachineConfigs(`${mcYaml('a')}---\n${mcYaml('b')}`, 'two.yaml');
    expect(machineConfigs.map((m) => m.metadata.name)).toEqual(['a', 'b']);
    expect(sourceOf(machineConfigs[0]!)).toBe('two.yaml');
  });

  it('reads a List and JSON, and collects pools; other kinds are skipped', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'machineconfiguration.openshift.io/v1',
          kind: 'MachineConfig',
          metadata: { name: 'x', labels: {} },
          spec: {},
        },
        {
          apiVersion: 'machineconfiguration.openshift.io/v1',
          kind: 'MachineConfigPool',
          metadata: { name: 'p' },
          spec: {},
        },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
      ],
    };
    const parsed = parseMachineConfigs(JSON.stringify(list), 'list.json');
    expect(parsed.machineConfigs.map((m) => m.metadata.name)).toEqual(['x']);
    expect(parsed.pools.map((p) => p.metadata.name)).toEqual(['p']);
    expect(parsed.skipped).toEqual([
      'list.json: document item 3: ConfigMap skipped (not a MachineConfig or MachineConfigPool)',
    ]);
  });

  it('reads YAML as Kubernetes does: 0644 is octal, yes is a boolean, dates stay strings', () => {
    const text = mcYaml(
      'm',
      `fips: yes
  kernelArguments: ["2024-01-01"]
  config:
    ignition: {version: 3.5.0}
    storage:
      files: [{path: /etc/x, mode: 0644, contents: {source: "data:,x"}}]`,
    );
    const [m] = parseMachineConfigs(text, 'm.yaml').machineConfigs;
    expect(m!.spec.fips).toBe(true);
    expect(m!.spec.kernelArguments).toEqual(['2024-01-01']);
    expect(validateMachineConfig(m!).ignition?.storage).toEqual({
      files: [{ path: '/etc/x', mode: 420, contents: { source: 'data:,x' } }],
    });
  });

  it.each([
    ['bad YAML', 'kind: MachineConfig\nmetadata: [\n', /^bad\.yaml: line \d+, column \d+: invalid YAML/],
    [
      'no name',
      'apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata: {}\n',
      /metadata\.name: a name is required/,
    ],
    [
      'wrong apiVersion',
      'apiVersion: v1\nkind: MachineConfig\nmetadata: {name: x}\n',
      /MachineConfig "x": apiVersion: expected machineconfiguration/,
    ],
    [
      'label not a string',
      mcYaml('x').replace('role: worker', 'role: 1'),
      /metadata\.labels\.machineconfiguration\.openshift\.io\/role: expected a string, got the number 1/,
    ],
    ['fips not a boolean', mcYaml('x', 'fips: maybe'), /spec\.fips: expected a boolean/],
    [
      'kernel argument not a string',
      mcYaml('x', 'kernelArguments: [1]'),
      /spec\.kernelArguments\[0\]: expected a string/,
    ],
    ['duplicate keys', mcYaml('x', 'fips: true\n  fips: false'), /invalid YAML/],
  ])('refuses %s with a located message', (_, text, message) => {
    expect(() => parseMachineConfigs(text, 'bad.yaml')).toThrow(RenderError);
    expect(() => parseMachineConfigs(text, 'bad.yaml')).toThrow(message);
  });

  it.each([
    [
      'an unknown Ignition version',
      'config: {ignition: {version: 9.9.0}}',
      'spec.config.ignition.version: parsing Ignition config failed: unknown version',
    ],
    [
      'a setuid mode',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: /usr/bin/x, mode: 0o4755}]}}',
      'spec.config.storage.files[0].mode: invalid mode 0o4755',
    ],
    [
      'a relative path',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: etc/x}]}}',
      'spec.config.storage.files[0].path: path "etc/x" must be absolute',
    ],
    [
      'a duplicate path',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: /x}], links: [{path: /x, target: /y}]}}',
      'spec.config.storage.links[0].path: duplicate entry defined',
    ],
    [
      'a bad compression',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: /x, contents: {source: "data:,x", compression: xz}}]}}',
      'spec.config.storage.files[0].contents.compression: invalid compression "xz"',
    ],
    [
      'a bad source',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: /x, contents: {source: "ftp://h/x"}}]}}',
      'spec.config.storage.files[0].contents.source: invalid url scheme',
    ],
    [
      'a bad data URL',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: /x, contents: {source: "data:;base64,%%%"}}]}}',
      'spec.config.storage.files[0].contents.source: invalid data url',
    ],
    [
      'a bad unit name',
      'config: {ignition: {version: 3.5.0}, systemd: {units: [{name: foo}]}}',
      'spec.config.systemd.units[0].name: invalid systemd unit name "foo"',
    ],
    [
      'a bad dropin name',
      'config: {ignition: {version: 3.5.0}, systemd: {units: [{name: a.service, dropins: [{name: x}]}]}}',
      'spec.config.systemd.units[0].dropins[0].name: invalid systemd dropin name',
    ],
    [
      'a wrong type',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: /x, mode: "644"}]}}',
      'spec.config.storage.files[0].mode: expected an integer, got the string "644"',
    ],
    ['a bad kernelType', 'kernelType: rt', 'spec.kernelType: kernelType=rt is invalid'],
    [
      'overwrite without source',
      'config: {ignition: {version: 3.5.0}, storage: {files: [{path: /x, overwrite: true}]}}',
      'spec.config.storage.files[0].overwrite: overwrite must be false if source is unspecified',
    ],
  ])('refuses %s naming file, object and field', (_, spec, message) => {
    const [m] = parseMachineConfigs(mcYaml('99-bad', spec), 'bad.yaml').machineConfigs;
    expect(() => validateMachineConfig(m!)).toThrow(`bad.yaml: MachineConfig "99-bad": ${message}`);
  });

  it('warns about unknown fields and fields newer than the declared spec version, and drops them', () => {
    const text = mcYaml(
      'w',
      'config: {ignition: {version: 3.2.0}, kernelArguments: {shouldExist: [a]}, storage: {files: [{path: /x, bogus: 1}]}}',
    );
    const [m] = parseMachineConfigs(text, 'w.yaml').machineConfigs;
    const validated = validateMachineConfig(m!);
    expect(validated.warnings).toEqual([
      'w.yaml: MachineConfig "w": spec.config.kernelArguments: not part of spec 3.2, ignored',
      'w.yaml: MachineConfig "w": spec.config.storage.files[0].bogus: unknown field, ignored',
    ]);
    expect(validated.ignition).toEqual({
      ignition: { version: '3.5.0' },
      storage: { files: [{ path: '/x' }] },
    });
  });

  it('refuses an MC without labels when merging', () => {
    const text =
      'apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata: {name: nolabels}\nspec: {}\n';
    const machineConfigs = parseMachineConfigs(text, 'nolabels.yaml').machineConfigs;
    const everything = { ...pool('x'), spec: { machineConfigSelector: { matchLabels: {} } } };
    expect(() => renderPool({ pool: everything, machineConfigs })).toThrow(
      'nolabels.yaml: MachineConfig "nolabels": metadata.labels: cannot find label in MachineConfig nolabels',
    );
  });
});
