// npm run bench:tryon -- [--backend wasm|cpu|...] [--runs 1] [--model <inpainting dir>] [--steps 30] [--height 256]
//   [--taesd <dir>] [--lcm-lora <file>]
// Time per stage (analysis, mask, garment prep, generation, compositing) of the try-on pipeline over the
// shared fixture photos: every person with one garment of each category, warp engine, then (with --model,
// default the tiny fixture model) the diffusion engine's concat and text paths in both presets: standard
// (--steps, guidance 2.5, the VAE) and fast (LCM, 4 steps, guidance 1, TAESD; the LCM-LoRA when given).
// Model loading is warmed up first.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendName } from '../server/src/engine/index.js';
import { loadAutoencoderTiny } from '../server/src/engine/models/taesd/load-autoencoder-tiny.js';
import { taesdDecoder } from '../server/src/engine/pipelines/adapters.js';
import type { DiffusionDecoders } from '../server/src/tryon/engines/diffusion/generate.js';
import { runTryOn, type DiffusionSettings, type EngineName, type TryOnStage } from '../server/src/tryon/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared');
const photos = path.join(shared, 'fixtures/photos');
const STAGES: TryOnStage[] = ['analysis', 'mask', 'garment', 'generation', 'compositing'];

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    runs: { type: 'string', default: '1' },
    model: { type: 'string', default: path.join(shared, 'fixtures/sd-tiny/models/sd-tiny-inpaint') },
    steps: { type: 'string', default: '30' },
    height: { type: 'string', default: '256' },
    taesd: { type: 'string', default: path.join(shared, 'fixtures/sd-tiny-ext/models/taesd-tiny') },
    'lcm-lora': { type: 'string' },
    'no-diffusion': { type: 'boolean' },
  },
});

const files = (kind: string): string[] => readdirSync(path.join(photos, kind)).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
const people = files('person');
const garmentFor = (category: string): string => files('garment').find((f) => f.includes(`_${category}_`)) ?? files('garment')[0];

interface Row {
  label: string;
  times: Record<TryOnStage, number[]>;
}

async function bench(label: string, engine: EngineName, model?: DiffusionSettings, decoders?: DiffusionDecoders): Promise<Row> {
  const times = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<TryOnStage, number[]>;
  for (let run = 0; run < Number(values.runs); run++) {
    for (const person of people) {
      for (const category of model ? ['upper'] : ['upper', 'lower', 'dress']) {
        const result = await runTryOn({
          personImage: readFileSync(path.join(photos, 'person', person)),
          garmentImage: readFileSync(path.join(photos, 'garment', garmentFor(category))),
          category,
          description: 'a two-tone polo shirt',
          engine,
          model,
          decoders,
        });
        for (const s of STAGES) times[s].push(result.timings[s]);
      }
    }
  }
  return { label, times };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const backend = await initBackend(values.backend ? parseBackendName(values.backend, '--backend') : undefined);
  console.log(`backend: ${backend.name}${backend.simd ? ' (SIMD)' : ''}; ${people.length} person photos`);
  // Warm-up: loads the person-analysis models (and the diffusion model) outside the timings.
  await runTryOn({
    personImage: readFileSync(path.join(photos, 'person', people[0])),
    garmentImage: readFileSync(path.join(photos, 'garment', garmentFor('upper'))),
    category: 'upper',
  });
  const rows: Row[] = [await bench('warp', 'warp')];
  if (!values['no-diffusion']) {
    const base = { modelDir: values.model!, steps: Number(values.steps), height: Number(values.height), strength: 1 };
    await bench('(warm-up)', 'diffusion', { ...base, mode: 'concat', steps: 1 }).catch((err: Error) => {
      console.log(`diffusion skipped: ${err.message}`);
      values['no-diffusion'] = true;
    });
    if (!values['no-diffusion']) {
      const taesd = await loadAutoencoderTiny(values.taesd);
      const decoder = taesdDecoder(taesd);
      const lcmLoras = values['lcm-lora'] ? [{ path: values['lcm-lora'], scale: 1 }] : [];
      const fast = { ...base, scheduler: 'lcm', steps: 4, guidanceScale: 1, loras: lcmLoras };
      const fastLabel = `fast: lcm 4, taesd${lcmLoras.length ? ', lcm-lora' : ''}`;
      for (const mode of ['concat', 'text'] as const) {
        rows.push(await bench(`${mode} standard (${values.steps} steps, ${values.height}px)`, 'diffusion', { ...base, mode, guidanceScale: 2.5 }));
        rows.push(await bench(`${mode} ${fastLabel}`, 'diffusion', { ...fast, mode }, { result: decoder }));
      }
      taesd.dispose();
    }
  }
  console.log(`\nmedian ms per try-on (n = runs x photos x categories)`);
  console.log(['engine'.padEnd(44), ...STAGES.map((s) => s.padStart(12)), 'total'.padStart(10), 'n'.padStart(5)].join(''));
  for (const row of rows) {
    const med = STAGES.map((s) => median(row.times[s]));
    console.log(
      [row.label.padEnd(44), ...med.map((m) => m.toFixed(0).padStart(12)), med.reduce((a, b) => a + b, 0).toFixed(0).padStart(10), String(row.times.analysis.length).padStart(5)].join(''),
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
