/**
 * Parsing a MachineConfig's raw Ignition config and converting it to spec 3.5, as MCO's
 * `ParseAndConvertConfig`/`IgnParseWrapper` do: 3.0–3.5 are read as their own version and translated
 * (always `3.5.0` out), 2.x goes through MCO's duplicate removal and the v2 → v3 translation, anything
 * else is refused with MCO's messages. Raw bytes may be gzip-compressed and/or base64-encoded
 * (`ParseAndConvertGzippedConfig`).
 */
import { gunzipSync } from 'node:zlib';
import { prune, removeDuplicateFilesUnitsUsers, translateV2ToV3 } from './convert-v2.ts';
import { DecodeIssue, decodeStruct } from './decode.ts';
import type { IgnObject } from './schema.ts';

/** Spec versions MCO accepts (`GetSupportedMinorVersions`). */
export const supportedVersions = ['2.2', '3.0', '3.1', '3.2', '3.3', '3.4', '3.5'] as const;
/** The version every converted config carries. */
export const internalVersion = '3.5.0';

const supportedList = supportedVersions.join(',');

/** A converted config and the version it was written in. */
export interface ParsedIgnition {
  config: IgnObject;
  /** `major.minor.patch` as declared. */
  sourceVersion: string;
}

/**
 * Parses raw Ignition: a decoded JSON object (what YAML/JSON parsing of a MachineConfig gives), JSON text,
 * or bytes/text that are gzip-compressed and/or base64-encoded. Throws `DecodeIssue` naming the field.
 */
export function parseIgnition(raw: unknown, warnings?: string[]): ParsedIgnition {
  const value = typeof raw === 'string' || raw instanceof Uint8Array ? decodeRawBytes(raw) : raw;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DecodeIssue(
      '',
      `the Ignition config must be a JSON object, got ${Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'null' : `a ${typeof value}`}`,
    );
  }
  const config = value as Record<string, unknown>;
  const ignition = config.ignition;
  const version =
    ignition && typeof ignition === 'object' && !Array.isArray(ignition)
      ? (ignition as Record<string, unknown>).version
      : undefined;
  const parsed = typeof version === 'string' ? parseSemver(version) : undefined;
  if (!parsed) {
    throw new DecodeIssue(
      'ignition.version',
      `parsing Ignition config failed: invalid version${version === undefined ? ' (missing)' : ` ${JSON.stringify(version)}`}. Supported spec versions: ${supportedList}`,
    );
  }
  const { major, minor, patch, pre } = parsed;
  if (major === 3 && minor <= 5 && patch === 0 && !pre) {
    const decoded = decodeStruct('Config', config, '', { minor, warnings }) ?? {};
    if (minor < 4) {
      // Before 3.4 a link's target was a plain string; the 3.3 → 3.4 translation makes it a pointer.
      const links = (decoded.storage as IgnObject | undefined)?.links as IgnObject[] | undefined;
      for (const link of links ?? []) if (link.target === undefined) link.target = '';
    }
    return { config: withVersion(decoded), sourceVersion: version as string };
  }
  if (major === 2 && minor <= 2 && patch === 0 && !pre) {
    const translated = prune(translateV2ToV3(removeDuplicateFilesUnitsUsers(config)));
    const decoded = decodeStruct('Config', translated, '', { minor: 0 }) ?? {};
    return { config: withVersion(decoded), sourceVersion: version as string };
  }
  throw new DecodeIssue(
    'ignition.version',
    `parsing Ignition config failed: unknown version ${JSON.stringify(version)}. Supported spec versions: ${supportedList}`,
  );
}

function withVersion(config: IgnObject): IgnObject {
  const ignition = { ...((config.ignition as IgnObject | undefined) ?? {}), version: internalVersion };
  return { ...config, ignition };
}

function parseSemver(v: string): { major: number; minor: number; patch: number; pre: boolean } | undefined {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] !== undefined };
}

const base64Text = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64 (standard, padded) → bytes when it decodes; gzip → gunzipped; then JSON. */
function decodeRawBytes(raw: string | Uint8Array): unknown {
  let bytes: Uint8Array = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const text = Buffer.from(bytes).toString('latin1').trim();
  if (text.length > 0 && base64Text.test(text)) bytes = Buffer.from(text, 'base64');
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new DecodeIssue(
        '',
        `the gzip-compressed Ignition config is corrupt: ${(error as Error).message}`,
      );
    }
  }
  const json = Buffer.from(bytes).toString('utf8');
  if (json.trim() === '') throw new DecodeIssue('', 'the Ignition config is empty');
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new DecodeIssue('', `the Ignition config is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * MCO's `GetSupportedMinorVersion`: the supported `major.minor.0` a version belongs to (`3.5.2` → `3.5.0`).
 * Throws `DecodeIssue` for versions outside the supported list.
 */
export function supportedMinorVersion(version: string): string {
  const parsed = parseSemver(version);
  const minor = parsed ? `${parsed.major}.${parsed.minor}` : undefined;
  if (!minor || !(supportedVersions as readonly string[]).includes(minor)) {
    throw new DecodeIssue(
      'ignition.version',
      `unknown version ${JSON.stringify(version)}. Supported spec versions: ${supportedList}`,
    );
  }
  return `${minor}.0`;
}
