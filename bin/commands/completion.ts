/** `strata completion bash|zsh`: shell completion generated from the command tree (bin/actions/completion.ts). */
import { Argument } from 'commander';
import { lazy, type RegisterCommand } from './options.ts';

export const registerCompletion: RegisterCommand = (program) => {
  program
    .command('completion')
    .description('Print a shell completion script: source <(npx strata completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(lazy(() => import('../actions/completion.ts'), 'completion'));
};
