/** RBAC of recorded API requests, and what a manifest's ClusterRole grants. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The RBAC (`group/resource:verb`) of one API request. */
export function rbacOf(method: string, url: string): string {
  const { pathname, searchParams } = new URL(url, 'https://proxy');
  const parts = pathname.split('/').filter(Boolean);
  const core = parts[0] === 'api';
  const rest = core ? parts.slice(2) : parts.slice(3);
  const group = core ? '' : parts[1]!;
  const watchPath = rest[0] === 'watch';
  const path = watchPath ? rest.slice(1) : rest;
  const namespaced = path[0] === 'namespaces' && path.length > 2;
  const [resource, name, subresource] = namespaced ? path.slice(2) : path;
  const full = subresource ? `${resource}/${subresource}` : resource;
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  let verb = verbs[method] ?? 'get';
  if (method === 'GET')
    verb = watchPath || searchParams.get('watch') === 'true' ? 'watch' : name === undefined ? 'list' : 'get';
  return `${group}/${full}:${verb}`;
}

/** Every `group/resource:verb` a ClusterRole of a deploy/cluster manifest grants. */
export function clusterRoleGrants(file: string, name: string): string[] {
  return roleGrants(file, 'ClusterRole', name);
}

/** Every `group/resource:verb` a Role or ClusterRole of a deploy/cluster manifest grants. */
export function roleGrants(file: string, kind: 'Role' | 'ClusterRole', name: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`../../deploy/cluster/${file}`, import.meta.url)), 'utf8');
  const docs = parseAllDocuments(text).map(
    (d) =>
      d.toJS() as {
        kind: string;
        metadata: { name: string };
        rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      },
  );
  const role = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!role?.rules) throw new Error(`${file}: no ${kind} ${name}`);
  return role.rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))),
    )
    .sort();
}
