/** `strata render`: a pool's rendered MachineConfig, as MCO would render it (bin/actions/render.ts, docs/render.md). */
import { Option } from 'commander';
import { lazy, type RegisterCommand } from './options.ts';

export const registerRender: RegisterCommand = (program) => {
  program
    .command('render')
    .description("Render a pool's MachineConfig from MachineConfig files exactly as OpenShift's MCO would")
    .argument(
      '<paths...>',
      'MachineConfig files, or directories of them (.yaml, .yml, .json; read recursively)',
    )
    .requiredOption('--pool <name>', 'pool to render (worker, master or a custom pool)')
    .option('--base-os-image <ref>', "base OS image (ControllerConfig's baseOSContainerImage)")
    .option(
      '--base-extensions-image <ref>',
      "base extensions image (ControllerConfig's baseOSExtensionsContainerImage)",
    )
    .option(
      '--current <file>',
      "the pool's current rendered MachineConfig: also check the new one can replace it in place",
    )
    .option('--require-digest', 'refuse an osImageURL that is not pinned by digest (@sha256:)')
    .option('--controller-version <v>', 'refuse generated MachineConfigs from another controller version')
    .option('--strict', 'refuse unknown fields (otherwise a warning each, naming file, object and field)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(lazy(() => import('../actions/render.ts'), 'render'));
};
