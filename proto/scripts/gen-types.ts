// Generates TypeScript types for proto/ with proto-loader-gen-types, using the runtime loader's options.
//   npm run proto:gen          write proto/src/generated/
//   npm run check:proto        regenerate into a temp dir and fail if the committed files differ
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GENERATED_TYPES_DIR, PROTO_FILES, PROTO_ROOT, protoLoaderCliFlags } from '../src/loader-options.js';

const require = (await import('node:module')).createRequire(import.meta.url);
const generatorBin = path.join(path.dirname(require.resolve('@grpc/proto-loader/package.json')), 'build/bin/proto-loader-gen-types.js');

function generate(outDir: string): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  execFileSync(
    process.execPath,
    [
      generatorBin,
      ...protoLoaderCliFlags(),
      // Relative to cwd so the generated "Original file" comments do not embed this checkout's path.
      '--includeDirs=.',
      '--grpcLib=@grpc/grpc-js',
      '--includeComments',
      // ESM with NodeNext resolution: relative imports need an explicit .js extension.
      '--importFileExtension=.js',
      `--outDir=${outDir}`,
      ...PROTO_FILES,
    ],
    { cwd: PROTO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel) : [rel];
  });
}

function differences(expectedDir: string, actualDir: string): string[] {
  if (!fs.existsSync(actualDir)) return [`${actualDir} does not exist`];
  const expected = new Set(listFiles(expectedDir));
  const actual = new Set(listFiles(actualDir));
  const problems: string[] = [];
  for (const file of expected) {
    if (!actual.has(file)) problems.push(`missing: ${file}`);
    else if (!fs.readFileSync(path.join(expectedDir, file)).equals(fs.readFileSync(path.join(actualDir, file)))) {
      problems.push(`differs: ${file}`);
    }
  }
  for (const file of actual) if (!expected.has(file)) problems.push(`stale: ${file}`);
  return problems;
}

if (process.argv.includes('--check')) {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proto-types-'));
  try {
    generate(tempDir);
    const problems = differences(tempDir, GENERATED_TYPES_DIR);
    if (problems.length > 0) {
      console.error(`Generated gRPC types are out of date (run npm run proto:gen):\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.log(`Generated gRPC types are up to date (${path.relative(process.cwd(), GENERATED_TYPES_DIR)}).`);
    }
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
} else {
  generate(GENERATED_TYPES_DIR);
  console.log(`Wrote ${listFiles(GENERATED_TYPES_DIR).length} files to ${GENERATED_TYPES_DIR}`);
}
