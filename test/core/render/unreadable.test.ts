/**
 * Specs MCO cannot render because go-yaml v2 refuses to read back their JSON (ghodss/yaml's JSONToYAML in
 * the rendered-name hash): DEL, a C1 control other than NEL, U+FFFE or U+FFFF anywhere in the merged spec,
 * or a NEL that starts a line with a document marker. Strata refuses them with MCO's message, located at
 * the field of the MachineConfig that brought the string.
 */
import { describe, expect, it } from 'vitest';
import {
  type MachineConfig,
  RenderError,
  renderedName,
  renderPool,
  UnreadableSpecError,
} from '../../../functions/core/render/index.ts';
import { ign, mc, pool } from './factories.ts';

const mco = (pool: string) =>
  `Failed to render configuration for pool ${pool}: error converting JSON to YAML: yaml: control characters are not allowed`;

function refusal(machineConfigs: MachineConfig[], baseOSImage = 'quay.io/os@sha256:1'): UnreadableSpecError {
  try {
    renderPool({ pool: pool('worker'), machineConfigs, baseOSImage });
  } catch (error) {
    if (error instanceof UnreadableSpecError) return error;
    throw error;
  }
  throw new Error('expected the render to be refused');
}

const withFile = (source: string) =>
  ign({ storage: { files: [{ path: '/etc/x', mode: 420, contents: { source } }] } });

describe('characters go-yaml v2 refuses to read back', () => {
  it.each([
    ['U+009B', '\u009b', 'U+009B (a C1 control character)'],
    ['U+FFFE', '\ufffe', 'U+FFFE (a non-character)'],
    ['U+007F', '\u007f', 'U+007F (DEL)'],
  ])('refuses %s in a kernel argument, naming the MachineConfig and the argument', (_, ch, described) => {
    // Act
    const error = refusal([
      mc('00-worker-a', { kernelArguments: ['quiet'] }),
      mc('10-worker-b', { kernelArguments: ['nosmt', `console=ttyS0${ch}`] }),
    ]);
    // Assess: concatenated in merge order, the spec's third argument is 10-worker-b's second.
    expect(error).toBeInstanceOf(RenderError);
    expect(error.object).toBe('MachineConfig "10-worker-b"');
    expect(error.field).toBe('spec.kernelArguments[1]');
    expect(error.specPath).toEqual(['kernelArguments', 2]);
    expect(error.reason).toContain(`${described} at character 14`);
    expect(error.message).toContain(mco('worker'));
  });

  it.each([
    ['U+009B', '\u009b'],
    ['U+FFFE', '\ufffe'],
    ['U+0080', '\u0080'],
  ])('refuses %s raw in file contents (a data URL)', (_, ch) => {
    // Act
    const error = refusal([mc('99-worker-file', { config: withFile(`data:,a${ch}b`) })]);
    // Assess
    expect(error.field).toBe('spec.config.storage.files[0].contents.source');
    expect(error.object).toBe('MachineConfig "99-worker-file"');
    expect(error.message).toContain(mco('worker'));
  });

  it('refuses DEL in file contents earlier, as Ignition does: Go url.Parse rejects ASCII control characters', () => {
    // Act
    const run = () =>
      renderPool({ pool: pool('worker'), machineConfigs: [mc('a', { config: withFile('data:,a\u007fb') })] });
    // Assess
    expect(run).toThrow(RenderError);
    expect(run).toThrow(
      /spec\.config\.storage\.files\[0\]\.contents\.source: invalid data url: it contains control characters/,
    );
  });

  it('renders file contents that carry the characters encoded: percent-escapes and base64 are plain ASCII in the spec', () => {
    // Act
    const result = renderPool({
      pool: pool('worker'),
      machineConfigs: [mc('a', { config: withFile('data:,a%7F%C2%9B%EF%BF%BE') })],
    });
    // Assess
    expect(result.name).toMatch(/^rendered-worker-[0-9a-f]{32}$/);
  });

  it('refuses them in unit contents, user fields, extensions images and the OS image of a MachineConfig', () => {
    // Act
    const unit = refusal([
      mc('a', { config: ign({ systemd: { units: [{ name: 'a.service', contents: '[Unit]\nX=\u0090' }] } }) }),
    ]);
    const gecos = refusal([
      mc('a', { config: ign({ passwd: { users: [{ name: 'core', gecos: 'C\u0099' }] } }) }),
    ]);
    const image = refusal([mc('a', { osImageURL: 'quay.io/os\u007f@sha256:2' })]);
    const extensions = refusal([mc('a', { baseOSExtensionsContainerImage: 'quay.io/ext\uffff' })]);
    // Assess
    expect(unit.field).toBe('spec.config.systemd.units[0].contents');
    expect(gecos.field).toBe('spec.config.passwd.users[0].gecos');
    expect(image.field).toBe('spec.osImageURL');
    expect(extensions.field).toBe('spec.baseOSExtensionsContainerImage');
  });

  it('blames the base OS image (ControllerConfig) when no MachineConfig overrides it', () => {
    // Act
    const error = refusal([mc('a', {})], 'quay.io/os\u0086');
    // Assess
    expect(error.object).toBe('ControllerConfig');
    expect(error.field).toBe('spec.baseOSContainerImage');
  });

  it('judges the merged spec: a value a later MachineConfig overrides never reaches go-yaml', () => {
    // Act
    const result = renderPool({
      pool: pool('worker'),
      machineConfigs: [
        mc('00-worker-a', { config: withFile('data:,bad\u009b') }),
        mc('10-worker-b', { config: withFile('data:,good') }),
      ],
    });
    // Assess
    expect(result.machineConfig.spec.config).toMatchObject({
      storage: { files: [{ path: '/etc/x', contents: { source: 'data:,good' } }] },
    });
  });

  it('blames the MachineConfig whose value won the merge', () => {
    // Act
    const error = refusal([
      mc('00-worker-a', { config: withFile('data:,good') }),
      mc('10-worker-b', { config: withFile('data:,bad\u009b') }),
    ]);
    // Assess
    expect(error.object).toBe('MachineConfig "10-worker-b"');
    expect(error.field).toBe('spec.config.storage.files[0].contents.source');
  });

  it('ignores MachineConfigs of other pools: MCO only fails the pool whose spec holds the character', () => {
    // Act
    const result = renderPool({
      pool: pool('worker'),
      machineConfigs: [
        mc('00-worker', { kernelArguments: ['quiet'] }),
        mc(
          '00-infra',
          { kernelArguments: ['bad\u007f'] },
          { 'machineconfiguration.openshift.io/role': 'infra' },
        ),
      ],
    });
    // Assess
    expect(result.machineConfig.spec.kernelArguments).toEqual(['quiet']);
  });
});

describe('a NEL that puts a document marker at the start of a line', () => {
  it('refuses "<NEL>--- " with go-yaml\'s line number', () => {
    // Act
    const error = refusal([mc('99-worker-x', { kernelArguments: ['a\u0085--- b'] })]);
    // Assess: the only NEL of the JSON text is this one, so the marker is on line 2.
    expect(error.kind).toBe('document-indicator');
    expect(error.field).toBe('spec.kernelArguments[0]');
    expect(error.message).toContain(
      'Failed to render configuration for pool worker: error converting JSON to YAML: yaml: line 2: found unexpected document indicator',
    );
    expect(error.reason).toContain('NEL (U+0085) at character 2 followed by "---"');
  });

  it('renders "<NEL> --- " and "<NEL>---x": a space after the NEL, or no blank after the dashes, is no marker', () => {
    for (const arg of ['a\u0085 --- b', 'a\u0085---x']) {
      expect(
        renderPool({ pool: pool('worker'), machineConfigs: [mc('a', { kernelArguments: [arg] })] }).name,
      ).toMatch(/^rendered-worker-/);
    }
  });
});

describe('renderedName on a stored spec', () => {
  it("throws UnreadableSpecError with the path in the spec and MCO's message for the pool", () => {
    // Prepare
    const spec = {
      osImageURL: '',
      baseOSExtensionsContainerImage: '',
      config: { ignition: { version: '3.5.0' } },
      kernelArguments: ['\u007f'],
      extensions: [],
      fips: false,
      kernelType: 'default',
    };
    // Act
    const run = () => renderedName('infra', spec);
    // Assess
    expect(run).toThrow(UnreadableSpecError);
    expect(run).toThrow(`spec.kernelArguments[0]: U+007F (DEL) at character 1`);
    expect(run).toThrow(mco('infra'));
  });
});
