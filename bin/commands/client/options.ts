/** The connection options every command that talks to a running Strata takes. */
import type { Command } from 'commander';
import { type AdminClient, createAdminClient, DEFAULT_URL } from './admin-client.ts';

/** `--url` and `--aws-region` as commander parses them. */
export interface ConnectionOptions {
  url?: string;
  awsRegion?: string;
}

/** Adds `--url` and `--aws-region` to a command. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', `Strata's admin API (default: $STRATA_URL or ${DEFAULT_URL})`)
    .option(
      '--aws-region <region>',
      'sign requests with SigV4 for a deployed, IAM-authorised API in this region',
    );
}

/** The client for a command's connection options. */
export function clientFor(options: ConnectionOptions): AdminClient {
  return createAdminClient({
    ...(options.url ? { url: options.url } : {}),
    ...(options.awsRegion ? { awsRegion: options.awsRegion } : {}),
  });
}
