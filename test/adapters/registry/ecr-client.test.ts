/**
 * ECR DescribeImages through the real AWS SDK client, against a loopback endpoint that speaks ECR's JSON
 * protocol for one repository (ECR itself cannot run here). Checks the request Strata sends and how answers
 * and errors map to resolver results.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTagResolver,
  EcrTagResolver,
  ManifestUnknownError,
  OciRegistryClient,
  parseEcrHost,
  RegistryAuthError,
  RegistryUnavailableError,
  staticCredentials,
} from '../../../functions/adapters/registry/index.ts';

const DIGEST = `sha256:${'e0'.repeat(32)}`;
const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

let server: Server;
let endpoint: string;
const requests: { target: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as { repositoryName: string; imageIds: { imageTag: string }[] };
      requests.push({ target: String(req.headers['x-amz-target']), body });
      const error = (type: string, status: number) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ __type: type, message: type }));
      };
      if (body.repositoryName === 'private') return error('AccessDeniedException', 400);
      if (body.repositoryName !== 'fleet/os') return error('RepositoryNotFoundException', 400);
      if (body.imageIds[0]?.imageTag !== 'prod') return error('ImageNotFoundException', 400);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          imageDetails: [
            {
              registryId: '123456789012',
              repositoryName: 'fleet/os',
              imageDigest: DIGEST,
              imageTags: ['prod'],
              imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const resolver = () =>
  new EcrTagResolver(
    (region) =>
      new ECRClient({
        region,
        endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
  );

describe('ECR tag resolution', () => {
  it('asks DescribeImages for the tag in the host’s account and region', async () => {
    requests.length = 0;
    const resolved = await resolver().resolveTag({ host: HOST, repository: 'fleet/os', tag: 'prod' });
    expect(resolved).toEqual({ digest: DIGEST, mediaType: 'application/vnd.oci.image.index.v1+json' });
    expect(requests).toEqual([
      {
        target: 'AmazonEC2ContainerRegistry_V20150921.DescribeImages',
        body: { registryId: '123456789012', repositoryName: 'fleet/os', imageIds: [{ imageTag: 'prod' }] },
      },
    ]);
  });

  it('maps missing images and repositories to ManifestUnknownError, denial to RegistryAuthError', async () => {
    await expect(
      resolver().resolveTag({ host: HOST, repository: 'fleet/os', tag: 'nope' }),
    ).rejects.toBeInstanceOf(ManifestUnknownError);
    await expect(
      resolver().resolveTag({ host: HOST, repository: 'other', tag: 'prod' }),
    ).rejects.toBeInstanceOf(ManifestUnknownError);
    await expect(
      resolver().resolveTag({ host: HOST, repository: 'private', tag: 'prod' }),
    ).rejects.toBeInstanceOf(RegistryAuthError);
  });

  it('recognises ECR hosts', () => {
    expect(parseEcrHost(HOST)).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toEqual({
      account: '123456789012',
      region: 'cn-north-1',
    });
    expect(parseEcrHost('quay.io')).toBeNull();
  });

  it('routes ECR hosts to DescribeImages and others to the OCI client', async () => {
    const credentials = staticCredentials({ registries: { 'quay.io': { endpoint: 'http://127.0.0.1:1' } } });
    const tagResolver = createTagResolver(credentials, {
      ecr: resolver(),
      oci: new OciRegistryClient({ credentials, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
    });
    expect((await tagResolver.resolveTag({ host: HOST, repository: 'fleet/os', tag: 'prod' })).digest).toBe(
      DIGEST,
    );
    // quay.io goes to the OCI client, whose configured endpoint is closed.
    await expect(
      tagResolver.resolveTag({ host: 'quay.io', repository: 'a/b', tag: 'c' }),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
  });
});
