// The one place that says how tryon.proto is turned into JavaScript objects. The runtime loader and the
// type generator (proto/scripts/gen-types.ts) both read these, so the committed types match what the server sees.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from '@grpc/proto-loader';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const PROTO_ROOT = packageRoot;
/** Relative to PROTO_ROOT, so generated names follow the package path. */
export const PROTO_FILES = ['tryon/v1/tryon.proto'] as const;
export const GENERATED_TYPES_DIR = path.join(packageRoot, 'src/generated');

/**
 * keepCase: field names as written in the .proto (person_image); longs as decimal strings (uint64 seeds do not
 * fit a JS number); enums as their names; defaults filled in so handlers never see undefined scalars;
 * oneofs: a virtual `event` field naming the set member.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies Options;

/** Runtime loader options: the representation options above plus where imports resolve. */
export const RUNTIME_LOADER_OPTIONS: Options = { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] };

/** The representation options as proto-loader-gen-types flags (include dirs are the caller's: paths differ). */
export function protoLoaderCliFlags(): string[] {
  const o = PROTO_LOADER_OPTIONS;
  const flags: string[] = [];
  if (o.keepCase) flags.push('--keepCase');
  flags.push(`--longs=${o.longs.name}`, `--enums=${o.enums.name}`);
  if (o.defaults) flags.push('--defaults');
  if (o.oneofs) flags.push('--oneofs');
  return flags;
}
