/**
 * OpenAPI v3 documents for what a simulated cluster serves (`/openapi/v3` and `/openapi/v3/<api|apis/g/v>`),
 * good enough for kubectl: its field-validation check (a PATCH operation per kind that takes the
 * `fieldValidation` query parameter, so kubectl leaves validation to the server), `kubectl apply` (no
 * strategic-merge content type on custom kinds, so it sends a JSON merge patch as for a CRD) and
 * `kubectl explain`. The MachineConfig and MachineConfigPool schemas are structural, as MCO's CRDs are: the
 * server validates types, prunes unknown fields and, with `fieldValidation=Strict`, refuses them.
 *
 * Hand-written schemas: the simulator serves a handful of kinds, and their CRDs are not vendored here.
 */
import { createHash } from 'node:crypto';
import type { ServedResource } from './cluster.ts';

/** A (small) OpenAPI v3 schema. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'number';
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  required?: string[];
}

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const open = (description?: string): Schema => ({
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
  ...(description ? { description } : {}),
});
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };

/** ObjectMeta as the API server knows it. */
const objectMeta: Schema = {
  type: 'object',
  description: 'Standard object metadata.',
  properties: {
    name: str('Name must be unique within a namespace.'),
    generateName: str(),
    namespace: str(),
    uid: str(),
    resourceVersion: str(),
    generation: { type: 'integer' },
    creationTimestamp: str(),
    deletionTimestamp: str(),
    deletionGracePeriodSeconds: { type: 'integer' },
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: { type: 'array', items: open() },
    finalizers: { type: 'array', items: { type: 'string' } },
    managedFields: { type: 'array', items: open() },
    selfLink: str(),
  },
};

const labelSelector: Schema = {
  type: 'object',
  properties: {
    matchLabels: stringMap,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: { key: str(), operator: str(), values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};

/** The MachineConfig CRD's schema (machineconfiguration.openshift.io/v1). */
const machineConfigSpec: Schema = {
  type: 'object',
  description: 'MachineConfigSpec is the spec for MachineConfig',
  properties: {
    baseOSExtensionsContainerImage: str('the OS extensions container image'),
    config: open('Ignition config (any supported version)'),
    extensions: { type: 'array', items: { type: 'string' } },
    fips: { type: 'boolean' },
    kernelArguments: { type: 'array', items: { type: 'string' } },
    kernelType: str('default, realtime or 64k-pages'),
    osImageURL: str('the OS image to boot, pinned by digest'),
  },
};

const machineConfigPoolSpec: Schema = {
  type: 'object',
  properties: {
    configuration: {
      type: 'object',
      properties: {
        apiVersion: str(),
        fieldPath: str(),
        kind: str(),
        name: str(),
        namespace: str(),
        resourceVersion: str(),
        uid: str(),
        source: { type: 'array', items: open() },
      },
    },
    machineConfigSelector: labelSelector,
    nodeSelector: labelSelector,
    maxUnavailable: { 'x-kubernetes-int-or-string': true },
    paused: { type: 'boolean' },
    pinnedImageSets: { type: 'array', items: open() },
    osImageStream: open(),
  },
};

/** Schemas by kind: the structural ones (validated and pruned) and open ones for the rest. */
const specs: Record<string, { spec?: Schema; structural: boolean; top?: Record<string, Schema> }> = {
  MachineConfig: { spec: machineConfigSpec, structural: true },
  MachineConfigPool: { spec: machineConfigPoolSpec, structural: true, top: { status: open() } },
  ConfigMap: {
    structural: false,
    top: { data: stringMap, binaryData: stringMap, immutable: { type: 'boolean' } },
  },
  Event: { structural: false },
};

/** The schema of a kind. */
export function schemaOf(group: string, version: string, kind: string): Schema {
  const s = specs[kind];
  return {
    type: 'object',
    description: `${kind} (${group ? `${group}/` : ''}${version})`,
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: objectMeta,
      spec: s?.spec ?? open(),
      status: open(),
      ...(s?.top ?? {}),
    },
    ...(s?.structural ? {} : { 'x-kubernetes-preserve-unknown-fields': true }),
    'x-kubernetes-group-version-kind': [{ group, version, kind }],
  };
}

/** Whether the server validates and prunes a kind against its schema (the CRD-backed ones). */
export function isStructural(kind: string): boolean {
  return specs[kind]?.structural === true;
}

/** One field problem found by {@link validateObject}. */
export interface FieldProblem {
  path: string;
  message: string;
}

const typeOf = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v;

/**
 * Checks `value` against `schema` as the API server does for a structural CRD: wrong types are errors;
 * unknown fields are pruned from `value` (in place) and returned.
 */
export function validateObject(
  value: unknown,
  schema: Schema,
  path = '',
): { errors: FieldProblem[]; unknown: string[] } {
  const errors: FieldProblem[] = [];
  const unknown: string[] = [];
  const walk = (v: unknown, s: Schema, at: string): void => {
    if (v === null || v === undefined) return;
    if (s['x-kubernetes-int-or-string']) {
      if (typeof v !== 'string' && !Number.isInteger(v))
        errors.push({
          path: at,
          message: `Invalid value: "${typeOf(v)}": ${at} in body must be of type int-or-string`,
        });
      return;
    }
    const actual = typeOf(v);
    const expected = s.type;
    if (
      expected &&
      !(expected === actual || (expected === 'number' && (actual === 'number' || actual === 'integer')))
    ) {
      errors.push({
        path: at,
        message: `Invalid value: "${actual}": ${at} in body must be of type ${expected}: "${actual}"`,
      });
      return;
    }
    if (Array.isArray(v)) {
      if (s.items) for (const [i, item] of v.entries()) walk(item, s.items, `${at}[${i}]`);
      return;
    }
    if (actual !== 'object' || s['x-kubernetes-preserve-unknown-fields']) return;
    const object = v as Record<string, unknown>;
    for (const field of Object.keys(object)) {
      const child = s.properties?.[field];
      const childPath = at ? `${at}.${field}` : field;
      if (child) walk(object[field], child, childPath);
      else if (typeof s.additionalProperties === 'object')
        walk(object[field], s.additionalProperties, childPath);
      else if (s.additionalProperties !== true && s.properties) {
        unknown.push(childPath);
        delete object[field];
      }
    }
  };
  walk(value, schema, path);
  return { errors, unknown };
}

/** Query parameters a write operation takes (kubectl looks for `fieldValidation` on PATCH). */
const writeParameters = ['dryRun', 'fieldManager', 'fieldValidation', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
}));

/** The OpenAPI v3 document of one group version. */
export function groupVersionDocument(
  resources: readonly ServedResource[],
  group: string,
  version: string,
): object {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const schemas: Record<string, Schema> = {};
  const paths: Record<string, object> = {};
  for (const { type } of resources) {
    if (type.group !== group || type.version !== version) continue;
    const gvk = { group, version, kind: type.kind };
    const schemaName = `${group ? group.split('.').reverse().join('.') : 'io.k8s.api.core'}.${version}.${type.kind}`;
    schemas[schemaName] = schemaOf(group, version, type.kind);
    const ref = { $ref: `#/components/schemas/${schemaName}` };
    const body = (types: string[]) => ({
      content: Object.fromEntries(types.map((t) => [t, { schema: ref }])),
      required: true,
    });
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    const op = (action: string, extra: object = {}) => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      operationId: `${action}${type.kind}`,
      responses: ok,
      ...extra,
    });
    const collection = type.namespaced
      ? `${prefix}/namespaces/{namespace}/${type.plural}`
      : `${prefix}/${type.plural}`;
    const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
    const nsParam = { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } };
    const pathParams = type.namespaced ? [nameParam, nsParam] : [nameParam];
    paths[collection] = {
      ...(type.namespaced ? { parameters: [nsParam] } : {}),
      get: op('list'),
      post: op('post', {
        parameters: writeParameters,
        requestBody: body(['application/json', 'application/yaml']),
      }),
    };
    paths[`${collection}/{name}`] = {
      parameters: pathParams,
      get: op('get'),
      put: op('put', {
        parameters: writeParameters,
        requestBody: body(['application/json', 'application/yaml']),
      }),
      patch: op('patch', {
        parameters: [...writeParameters, { name: 'force', in: 'query', schema: { type: 'boolean' } }],
        // No strategic merge (custom kinds take none; kubectl then uses its compiled-in types for core
        // kinds) and no server-side apply (the simulator does not implement managed fields).
        requestBody: body(['application/json-patch+json', 'application/merge-patch+json']),
      }),
      delete: op('delete', {
        parameters: ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'].map((name) => ({
          name,
          in: 'query',
          schema: { type: 'string' },
        })),
      }),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas },
  };
}

/** The `/openapi/v3` root: one entry per group version, with a content hash in the URL. */
export function openApiRoot(resources: readonly ServedResource[]): object {
  const gvs = new Set(resources.map((r) => `${r.type.group}/${r.type.version}`));
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of gvs) {
    const [group, version] = gv.split('/') as [string, string];
    const key = group ? `apis/${group}/${version}` : `api/${version}`;
    const hash = createHash('sha512')
      .update(JSON.stringify(groupVersionDocument(resources, group, version)))
      .digest('hex')
      .slice(0, 128)
      .toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}
