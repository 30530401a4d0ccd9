// npm run conformance -- <fixture dir> [--backend wasm|cpu|webgpu|tensorflow|tensorflow-gpu] [--max-tensor-bytes N] [--winograd auto|always|never] [--only <id or type>]...
// Runs every case of <dir>/manifest.json, one line per case, then "N passed, M failed"; exit 1 on any failure.
// --max-tensor-bytes lowers the largest tensor the engine may make (as a small GPU binding limit would), so
// every chunked path runs. --winograd always sends every 3x3 convolution with even output sides through the
// Winograd route (layers/winograd.ts), which 'auto' takes only for large maps on wasm.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, isWinogradPolicy, parseBackendName, formatResult, formatSummary, runConformance, setWinogradPolicy } from '@fitting-room/server/engine';
import { integerFlag, UsageError } from './lib/flags.js';

const USAGE =
  'usage: npm run conformance -- <fixture dir> [--backend wasm|cpu|webgpu|tensorflow|tensorflow-gpu] [--max-tensor-bytes N] [--winograd auto|always|never] [--only <id|type>]...';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        backend: { type: 'string', default: 'wasm' },
        'max-tensor-bytes': { type: 'string' },
        winograd: { type: 'string', default: 'auto' },
        only: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`expected one fixture folder, got ${positionals.length}\n${USAGE}`);
    return 2;
  }
  const dir = path.resolve(positionals[0]);
  let maxTensorBytes: number | undefined;
  try {
    maxTensorBytes = integerFlag('max-tensor-bytes', values['max-tensor-bytes'], { min: 1024 });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  if (!isWinogradPolicy(values.winograd)) {
    console.error(`--winograd takes auto, always or never; got "${values.winograd}"\n${USAGE}`);
    return 2;
  }
  setWinogradPolicy(values.winograd);
  const backend = await initBackend(parseBackendName(values.backend, '--backend'), { strict: true, maxTensorBytes });
  const limitNote = backend.maxTensorBytes === undefined ? '' : `, tensors up to ${backend.maxTensorBytes} bytes`;
  const winogradNote = values.winograd === 'auto' ? '' : `, Winograd ${values.winograd}`;
  console.log(`conformance: ${dir} on backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}${limitNote}${winogradNote}`);
  const summary = await runConformance(dir, { only: values.only, onResult: (r) => console.log(formatResult(r)) });
  console.log(formatSummary(summary));
  return summary.failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`conformance: ${(err as Error).message}`);
    process.exitCode = 2;
  },
);
