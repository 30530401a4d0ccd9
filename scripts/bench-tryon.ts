// npm run bench:tryon -- [--backend wasm|cpu|...] [--runs 1] [--model <inpainting dir>] [--steps 30] [--height 256]
//   [--taesd <dir>] [--lcm-lora <file>] [--ip-adapter <dir, h94/IP-Adapter layout>]
// Time per stage (analysis, mask, garment prep, generation, compositing) of the try-on pipeline over the
// shared fixture photos: every person with one garment of each category, warp engine, then (with --model,
// default the tiny fixture model) the diffusion engine's concat and text paths in both presets: standard
// (--steps, guidance 2.5, the VAE) and fast (LCM, 4 steps, guidance 1, TAESD; the LCM-LoRA when given), and the
// IP-Adapter refine (default: the tiny fixture adapter), with its image prompt's own stages (encoder, projection).
// The inpainting model is loaded once, outside the timings, and handed to every run (as the server's registry does).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendName, loadAutoencoderTiny, loadStableDiffusion, taesdDecoder, clipPixelValues, type StableDiffusionModel } from '@fitting-room/server/engine';
import { loadImagePromptModel, type ImagePromptModel } from '@fitting-room/server';
import * as tf from '@tensorflow/tfjs-core';
import { type DiffusionDecoders, type GarmentImagePrompt, runTryOn, type DiffusionSettings, type EngineName, type TryOnStage } from '@fitting-room/server/tryon';

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
    'ip-adapter': { type: 'string' },
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

/** The tiny fixture adapter laid out like h94/IP-Adapter in a temporary folder. */
function fixtureAdapterFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-ip-adapter-'));
  const fixtures = path.join(shared, 'fixtures/sd-tiny-ext/ip-adapter/models');
  mkdirSync(path.join(dir, 'models'));
  symlinkSync(path.join(fixtures, 'ip-adapter-plus_sd15-tiny.safetensors'), path.join(dir, 'models/ip-adapter-plus_sd15.safetensors'));
  symlinkSync(path.join(fixtures, 'image_encoder'), path.join(dir, 'models/image_encoder'));
  return dir;
}

/** The image prompt's stages alone, on the garment photo: CLIP preprocessing + encoder, then the projection. */
async function imagePromptStages(ip: ImagePromptModel, runs: number): Promise<void> {
  const garment = readFileSync(path.join(photos, 'garment', garmentFor('upper')));
  const encoderMs: number[] = [];
  const projectionMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const pixels = await clipPixelValues(garment, ip.processor);
    const encoded = ip.encoder.forward(pixels);
    await encoded.penultimateHiddenState.data();
    const t1 = performance.now();
    const tokens = ip.adapter.projection.tokens(ip.adapter.kind === 'plus' ? encoded.penultimateHiddenState : encoded.imageEmbeds);
    await tokens.data();
    projectionMs.push(performance.now() - t1);
    encoderMs.push(t1 - t0);
    tf.dispose([pixels, encoded, tokens]);
  }
  console.log(`image prompt (${ip.adapter.kind} adapter): encoder median ${median(encoderMs).toFixed(1)} ms, projection median ${median(projectionMs).toFixed(1)} ms (n = ${runs})`);
}

interface DiffusionRun {
  readonly settings: DiffusionSettings;
  readonly model: StableDiffusionModel;
  readonly decoders?: DiffusionDecoders;
  readonly imagePrompt?: GarmentImagePrompt;
}

async function bench(label: string, engine: EngineName, diffusion?: DiffusionRun): Promise<Row> {
  const times = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<TryOnStage, number[]>;
  for (let run = 0; run < Number(values.runs); run++) {
    for (const person of people) {
      for (const category of diffusion ? ['upper'] : ['upper', 'lower', 'dress']) {
        const result = await runTryOn({
          personImage: readFileSync(path.join(photos, 'person', person)),
          garmentImage: readFileSync(path.join(photos, 'garment', garmentFor(category))),
          category,
          description: 'a two-tone polo shirt',
          engine,
          model: diffusion?.settings,
          diffusionModel: diffusion?.model,
          decoders: diffusion?.decoders,
          imagePrompt: diffusion?.imagePrompt,
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
  // Warm-up: loads the person-analysis models outside the timings.
  await runTryOn({
    personImage: readFileSync(path.join(photos, 'person', people[0])),
    garmentImage: readFileSync(path.join(photos, 'garment', garmentFor('upper'))),
    category: 'upper',
  });
  const rows: Row[] = [await bench('warp', 'warp')];
  if (!values['no-diffusion']) {
    const base = { modelDir: values.model!, steps: Number(values.steps), height: Number(values.height), strength: 1 };
    const skipped = (err: Error): undefined => void console.log(`diffusion skipped: ${err.message}`);
    const model = await loadStableDiffusion(values.model!).catch(skipped);
    // The first run also refuses a model that is not an inpainting one.
    const warmedUp = model && (await bench('(warm-up)', 'diffusion', { settings: { ...base, mode: 'concat', steps: 1 }, model }).catch(skipped));
    if (model && warmedUp) {
      const taesd = await loadAutoencoderTiny(values.taesd);
      const decoder = taesdDecoder(taesd);
      const lcmLoras = values['lcm-lora'] ? [{ path: values['lcm-lora'], scale: 1 }] : [];
      const fast = { ...base, scheduler: 'lcm', steps: 4, guidanceScale: 1, loras: lcmLoras };
      const fastLabel = `fast: lcm 4, taesd${lcmLoras.length ? ', lcm-lora' : ''}`;
      for (const mode of ['concat', 'text'] as const) {
        rows.push(await bench(`${mode} standard (${values.steps} steps, ${values.height}px)`, 'diffusion', { settings: { ...base, mode, guidanceScale: 2.5 }, model }));
        rows.push(await bench(`${mode} ${fastLabel}`, 'diffusion', { settings: { ...fast, mode }, model, decoders: { result: decoder } }));
      }
      taesd.dispose();
      const ip = await loadImagePromptModel(values['ip-adapter'] ?? fixtureAdapterFolder());
      const garmentPrompt: GarmentImagePrompt = { tokens: (image) => ip.tokens(image), attach: (unet) => ip.adapter.attach(unet) };
      rows.push(await bench(`ip-adapter refine (${values.steps} steps, 0.6)`, 'diffusion', { settings: { ...base, mode: 'ip-adapter', strength: 0.6, guidanceScale: 2.5 }, model, imagePrompt: garmentPrompt }));
      await imagePromptStages(ip, Math.max(3, Number(values.runs)));
      ip.dispose();
    }
    model?.dispose();
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
