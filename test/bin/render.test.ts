/** `strata render` through the real CLI entry point. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { poolFor } from '../../bin/actions/render.ts';
import { parseMachineConfigs, renderPool } from '../../functions/core/render/index.ts';
import { strata } from '../support/cli.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/render/${path}`, import.meta.url));

describe('strata render', () => {
  it('renders TV1 as rendered-worker-552a0f58ccdcced4c68ca23fe3db7b58', () => {
    // Act
    const { code, stdout, stderr } = strata([
      'render',
      '--pool',
      'worker',
      '--base-os-image',
      'newformatURL',
      fixture('tv1/fips.yaml'),
    ]);
    // Assess
    expect(code).toBe(0);
    const rendered = parse(stdout);
    expect(rendered.metadata.name).toBe('rendered-worker-552a0f58ccdcced4c68ca23fe3db7b58');
    expect(rendered.spec).toEqual({
      osImageURL: 'newformatURL',
      baseOSExtensionsContainerImage: '',
      config: { ignition: { version: '3.5.0' } },
      kernelArguments: [],
      extensions: [],
      fips: true,
      kernelType: 'default',
    });
    expect(stderr).toContain('--base-os-image: newformatURL is not pinned by digest');
  });

  it('reads a directory recursively, skips other kinds and pools, and prints JSON', () => {
    // Act
    const { code, stdout, stderr } = strata([
      'render',
      '--pool',
      'worker',
      '-o',
      'json',
      fixture('cluster/base'),
    ]);
    // Assess
    expect(code).toBe(0);
    const rendered = JSON.parse(stdout);
    expect(rendered.metadata.name).toMatch(/^rendered-worker-[0-9a-f]{32}$/);
    expect(rendered.metadata.ownerReferences[0]).toMatchObject({
      kind: 'MachineConfigPool',
      name: 'worker',
      controller: true,
    });
    expect(rendered.spec.kernelArguments).toEqual(['nosmt']);
    expect(rendered.spec.kernelType).toBe('default');
    expect(rendered.spec.config.passwd.users).toEqual([
      { name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA worker@example'] },
    ]);
    expect(rendered.spec.config.storage.files[0]).toMatchObject({
      path: '/etc/motd',
      mode: 420,
      overwrite: true,
    });
    expect(stderr).toContain('ConfigMap skipped');
  });

  it('renders a custom pool from worker MCs plus its own (role In [worker, infra]), its own winning', () => {
    // Act
    const { code, stdout } = strata(['render', '--pool', 'infra', '-o', 'json', fixture('cluster')]);
    // Assess
    expect(code).toBe(0);
    const rendered = JSON.parse(stdout);
    expect(rendered.metadata.name).toMatch(/^rendered-infra-/);
    expect(rendered.spec.config.storage.files).toEqual([
      { overwrite: true, path: '/etc/motd', contents: { source: 'data:,infra%0A' }, mode: 420 },
    ]);
    expect(rendered.spec.osImageURL).toContain('@sha256:');
    expect(rendered.metadata.annotations['machineconfiguration.openshift.io/os-image-url-overridden']).toBe(
      'true',
    );
  });

  it('uses a MachineConfigPool from the input when it names the pool', () => {
    // Act
    const { code, stdout } = strata(['render', '--pool', 'gpu', '-o', 'json', fixture('cluster')]);
    // Assess
    expect(code).toBe(0);
    const rendered = JSON.parse(stdout);
    expect(rendered.spec.config.systemd).toBeUndefined();
    expect(rendered.spec.config.storage.files[0].contents.source).toBe('data:,infra%0A');
  });

  it('checks reconcilability against --current', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'strata-render-'));
    const { machineConfigs } = parseMachineConfigs(
      readFileSync(fixture('tv1/fips.yaml'), 'utf8'),
      'fips.yaml',
    );
    const current = renderPool({ pool: poolFor('worker', []), machineConfigs });
    writeFileSync(join(dir, 'current.yaml'), stringify(current.machineConfig));
    // Act
    const same = strata([
      'render',
      '--pool',
      'worker',
      '--current',
      join(dir, 'current.yaml'),
      fixture('tv1/fips.yaml'),
    ]);
    const changed = strata([
      'render',
      '--pool',
      'worker',
      '--current',
      join(dir, 'current.yaml'),
      fixture('cluster/base'),
    ]);
    // Assess
    expect(same.code).toBe(0);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(
      /current\.yaml: MachineConfig "rendered-worker-[0-9a-f]{32}": cannot move to rendered-worker-[0-9a-f]{32} in place: .*FIPS/,
    );
  });

  it.each([
    ['bad YAML', 'bad/bad-yaml.yaml', /bad-yaml\.yaml: line \d+, column \d+: invalid YAML/],
    [
      'an unknown Ignition version',
      'bad/unknown-version.yaml',
      /unknown-version\.yaml: MachineConfig "99-future": spec\.config\.ignition\.version: parsing Ignition config failed: unknown version "4\.0\.0"/,
    ],
    [
      'mode 0o4755',
      'bad/setuid.yaml',
      /setuid\.yaml: MachineConfig "99-setuid": spec\.config\.storage\.files\[0\]\.mode: invalid mode 0o4755: setuid, setgid and sticky bits are not supported/,
    ],
    [
      'an unknown extension',
      'bad/unknown-extension.yaml',
      /unknown-extension\.yaml: MachineConfig "99-extensions": spec\.extensions: invalid extensions found: \[emacs\]/,
    ],
    [
      'an MC without labels',
      'bad/no-labels.yaml',
      /no-labels\.yaml: MachineConfig "99-unlabelled": metadata\.labels: cannot find label in MachineConfig 99-unlabelled/,
    ],
  ])('exits 1 on %s, saying where and why', (_, file, message) => {
    // Act
    const { code, stdout, stderr } = strata([
      'render',
      '--pool',
      'worker',
      fixture('tv1/fips.yaml'),
      fixture(file),
    ]);
    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('warns on a tag-only osImageURL, and exits 1 with --require-digest', () => {
    // Act
    const warned = strata(['render', '--pool', 'worker', fixture('image')]);
    const refused = strata(['render', '--pool', 'worker', '--require-digest', fixture('image')]);
    // Assess
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('warning: ');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /99-worker-image\.yaml: MachineConfig "99-worker-image": spec\.osImageURL: quay\.io\/acme\/rhcos-layered:latest is not pinned by digest/,
    );
  });

  it('warns on unknown fields, naming file, object and field; --strict refuses them and renders nothing', () => {
    // Prepare: the misspellings a hand-written MachineConfig gets.
    const dir = mkdtempSync(join(tmpdir(), 'strata-render-'));
    const file = join(dir, '99-worker-typos.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: machineconfiguration.openshift.io/v1',
        'kind: MachineConfig',
        'metadata:',
        '  name: 99-worker-typos',
        '  labels: { machineconfiguration.openshift.io/role: worker }',
        'spec:',
        `  osImageUrl: quay.io/acme/rhcos-layered@sha256:${'a'.repeat(64)}`,
        '  kernelArgumnets: [nosmt]',
        '  config: { ignition: { version: 3.4.0 }, storag: {} }',
        '',
      ].join('\n'),
    );
    const where = `${file}: MachineConfig "99-worker-typos"`;
    // Act
    const warned = strata(['render', '--pool', 'worker', '-o', 'json', file]);
    const strict = strata(['render', '--pool', 'worker', '--strict', file]);
    const clean = strata(['render', '--pool', 'worker', '--strict', fixture('tv1/fips.yaml')]);
    // Assess: the values the misspelt fields meant are not rendered, and each one is named.
    expect(warned.code).toBe(0);
    expect(JSON.parse(warned.stdout).spec).toMatchObject({ osImageURL: '', kernelArguments: [] });
    expect(warned.stderr).toContain(
      `strata: warning: ${where}: spec.osImageUrl: unknown field, ignored (did you mean osImageURL?)\n`,
    );
    expect(warned.stderr).toContain(
      `strata: warning: ${where}: spec.kernelArgumnets: unknown field, ignored (did you mean kernelArguments?)\n`,
    );
    expect(warned.stderr).toContain(
      `strata: warning: ${where}: spec.config.storag: unknown field, ignored\n`,
    );
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toBe(
      [
        'strata: --strict: 3 unknown field(s), nothing rendered:',
        `  ${where}: spec.osImageUrl: unknown field (did you mean osImageURL?)`,
        `  ${where}: spec.kernelArgumnets: unknown field (did you mean kernelArguments?)`,
        `  ${where}: spec.config.storag: unknown field`,
        '',
      ].join('\n'),
    );
    expect(clean.code).toBe(0);
  });

  it('exits 1 when nothing matches the pool or a path does not exist', () => {
    expect(strata(['render', '--pool', 'nothing-here', fixture('tv1/fips.yaml')]).code).toBe(0);
    const none = strata(['render', '--pool', 'master', fixture('tv1/fips.yaml')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      'no MachineConfigs found matching selector machineconfiguration.openshift.io/role=master',
    );
    const missing = strata(['render', '--pool', 'worker', fixture('does-not-exist.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does-not-exist.yaml: cannot read: no such file or directory');
  });

  describe('characters go-yaml v2 cannot read back (test/fixtures/render/unreadable)', () => {
    const image =
      'quay.io/openshift/os@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    const cannot =
      'so MCO cannot render the pool (Failed to render configuration for pool worker: error converting JSON to YAML: yaml: control characters are not allowed)';

    it.each([
      ['karg-del', 'spec.kernelArguments[1]: U+007F (DEL) at character 14'],
      ['karg-c1', 'spec.kernelArguments[1]: U+009B (a C1 control character) at character 14'],
      ['karg-fffe', 'spec.kernelArguments[1]: U+FFFE (a non-character) at character 14'],
      [
        'file-c1',
        'spec.config.storage.files[0].contents.source: U+009B (a C1 control character) at character 12',
      ],
      ['file-fffe', 'spec.config.storage.files[0].contents.source: U+FFFE (a non-character) at character 12'],
    ])("%s: exits 1 naming file, MachineConfig and field, with MCO's reason", (name, where) => {
      // Act
      const { code, stdout, stderr } = strata([
        'render',
        '--pool',
        'worker',
        '--base-os-image',
        image,
        fixture(`unreadable/${name}.yaml`),
      ]);
      // Assess
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`${name}.yaml: MachineConfig "99-worker-${name}": ${where}`);
      expect(stderr).toContain(cannot);
    });

    it('file-del: exits 1 at validation already, as Ignition refuses a URL with an ASCII control character', () => {
      // Act
      const { code, stderr } = strata(['render', '--pool', 'worker', fixture('unreadable/file-del.yaml')]);
      // Assess
      expect(code).toBe(1);
      expect(stderr).toContain(
        'file-del.yaml: MachineConfig "99-worker-file-del": spec.config.storage.files[0].contents.source: invalid data url: it contains control characters',
      );
    });

    it("nel: exits 0 with MCO's name, NEL read back as a space in the argument and in the file's data URL", () => {
      // Prepare: the YAML MCO hashes (go-yaml folds each raw NEL in the spec's JSON to a space; both values
      // are then plain), and its md5 after the salt, computed apart from Strata with Python's hashlib:
      //   baseOSExtensionsContainerImage: ""   config: {ignition: {version: 3.5.0}, storage: {files: [{contents:
      //   {source: "data:,hello world"}, mode: 420, overwrite: true, path: /etc/motd}]}}   extensions: []
      //   fips: false   kernelArguments: ["console=ttyS0 quiet"]   kernelType: default   osImageURL: <image>
      // Act
      const { code, stdout, stderr } = strata([
        'render',
        '--pool',
        'worker',
        '--base-os-image',
        image,
        '-o',
        'json',
        fixture('unreadable/nel.yaml'),
      ]);
      // Assess
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const rendered = JSON.parse(stdout);
      expect(rendered.metadata.name).toBe('rendered-worker-2678cd993c1e7912861e05762025840e');
      // The rendered MachineConfig keeps what was written; only the hash input is folded.
      expect(rendered.spec.kernelArguments).toEqual(['console=ttyS0\u0085quiet']);
      expect(rendered.spec.config.storage.files[0].contents.source).toBe('data:,hello\u0085world');
    });
  });

  it.each([
    ['no --pool', ['render', 'x.yaml']],
    ['no path', ['render', '--pool', 'worker']],
    ['a bad output format', ['render', '--pool', 'worker', '-o', 'xml', 'x.yaml']],
    ['an unknown option', ['render', '--pool', 'worker', '--frobnicate', 'x.yaml']],
  ])('exits 2 on %s', (_, args) => {
    // Act
    const { code, stderr } = strata(args);
    // Assess
    expect(code).toBe(2);
    expect(stderr.length).toBeGreaterThan(0);
  });
});
