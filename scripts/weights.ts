// npm run weights -- <name>... [--dir models] [--endpoint https://huggingface.co]   |   npm run weights -- --list
// Downloads known models (Stable Diffusion 1.5 inpainting, CatVTON's attention weights, TAESD) from the
// Hugging Face Hub in diffusers layout into <dir>/<name>/, with progress, resume and sha256 checks.
// HF_ENDPOINT and HF_TOKEN are honoured as by the Hub's own clients.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { DEFAULT_ENDPOINT, downloadModel, findKnownModel, KNOWN_MODELS } from '@fitting-room/server/tryon';

const USAGE = `usage: npm run weights -- <name>... [--dir models] [--endpoint <hub url>]
       npm run weights -- --list
known: ${KNOWN_MODELS.map((m) => m.name).join(', ')}`;

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { dir: { type: 'string', default: 'models' }, endpoint: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.help) return void console.log(USAGE);
  if (values.list || positionals.length === 0) {
    for (const m of KNOWN_MODELS) {
      console.log(`${m.name.padEnd(16)} ${m.description}\n${''.padEnd(16)} from ${m.repo} (${m.revision}); licence: ${m.licence}\n${''.padEnd(16)} use: ${m.usage}`);
    }
    if (positionals.length === 0 && !values.list) process.exitCode = 2;
    return;
  }
  const models = positionals.map(findKnownModel);
  const endpoint = values.endpoint ?? process.env.HF_ENDPOINT ?? DEFAULT_ENDPOINT;
  const dir = path.resolve(values.dir!);
  for (const model of models) {
    console.log(`${model.name}: ${model.repo} -> ${path.join(dir, model.name)} (licence: ${model.licence})`);
    if (model.nonCommercial) console.log(`  note: ${model.name} is for non-commercial use only`);
    const bar = new SingleBar({ format: '  {file} [{bar}] {percentage}% | {done}/{size} MiB{resumed}', hideCursor: true }, Presets.shades_classic);
    let current = '';
    const results = await downloadModel(model, {
      dir,
      endpoint,
      token: process.env.HF_TOKEN,
      onProgress: (p) => {
        const total = p.total ?? p.done;
        if (p.file !== current) {
          if (current) bar.stop();
          current = p.file;
          bar.start(Math.max(1, total), p.done, { file: p.file, size: mib(total), done: mib(p.done), resumed: p.resumedFrom ? ` (resumed at ${mib(p.resumedFrom)} MiB)` : '' });
        }
        bar.update(p.done, { done: mib(p.done) });
      },
    }).finally(() => bar.stop());
    for (const r of results) {
      console.log(`  ${r.skipped ? 'kept' : 'got '} ${r.file} ${mib(r.bytes)} MiB sha256 ${r.sha256.slice(0, 16)}… ${r.verified ? 'verified' : '(no server checksum: recorded)'}`);
    }
    console.log(`  use: ${model.usage.replaceAll('<dir>', dir)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
