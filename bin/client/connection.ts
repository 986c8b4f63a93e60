/** The client for the connection options (`--url`, `--aws-region`) of a command. */
import { type AdminClient, createAdminClient } from './admin-client.ts';

/** `--url` and `--aws-region` as commander parses them. */
export interface ConnectionOptions {
  url?: string;
  awsRegion?: string;
}

/** The client for a command's connection options. */
export function clientFor(options: ConnectionOptions): AdminClient {
  return createAdminClient({
    ...(options.url ? { url: options.url } : {}),
    ...(options.awsRegion ? { awsRegion: options.awsRegion } : {}),
  });
}
