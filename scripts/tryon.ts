// npm run tryon -- --person <img> --garment <img> --category upper|lower|dress [--engine warp|diffusion]
//   [--model <dir>] [--mode ip-adapter|concat|text] [--ip-adapter <dir>] [--catvton <dir> --allow-noncommercial]
//   [--prompt "..."] [--title "..."] [--lora file[:scale]]
//   [--steps n] [--guidance g] [--strength s] [--height h] [--seed n] [--mask mask.png] [--backend name]
//   --out result.png [--mask-out mask.png] [--debug-dir dir]
// The debug dir gets keypoints drawn on the photo, the mask over the photo, the garment cut-out.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { initBackend, parseBackendName } from '@fitting-room/server/engine';
import { drawKeypoints, overlayMask, encodePng, greyToMask, runTryOn, TryOnError, type DiffusionSettings, type EngineName } from '@fitting-room/server/tryon';
import { loadImagePromptModel } from '@fitting-room/server';
import { UsageError, numberFlag } from './lib/flags.js';

const USAGE = `usage: npm run tryon -- --person <img> --garment <img> --category upper|lower|dress --out result.png
  [--engine warp|diffusion] [--model <diffusers inpainting dir>] [--mode ip-adapter|concat|text]
  [--ip-adapter <dir>]   an IP-Adapter folder (h94/IP-Adapter layout): the garment image as image prompt,
                         refining the warp (--strength 0.6 by default); the default mode when given
  [--catvton <dir> --allow-noncommercial]   CatVTON's weights are CC BY-NC-SA: non-commercial use only
  [--prompt "product description"] [--title "product title"] [--lora <file.safetensors>[:scale]]
  [--steps 30] [--guidance 2.5] [--strength 0.9] [--height 512] [--seed 0] [--mask <png>]
  [--backend wasm|cpu|tensorflow|...] [--mask-out mask.png] [--debug-dir dir]`;


const OPTIONS = {
  person: { type: 'string' },
  garment: { type: 'string' },
  category: { type: 'string' },
  engine: { type: 'string' },
  model: { type: 'string' },
  mode: { type: 'string' },
  catvton: { type: 'string' },
  'ip-adapter': { type: 'string' },
  'allow-noncommercial': { type: 'boolean' },
  prompt: { type: 'string' },
  title: { type: 'string' },
  lora: { type: 'string' },
  steps: { type: 'string' },
  guidance: { type: 'string' },
  strength: { type: 'string' },
  height: { type: 'string' },
  seed: { type: 'string' },
  mask: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  'mask-out': { type: 'string' },
  'debug-dir': { type: 'string' },
  help: { type: 'boolean' },
} as const;


function diffusionSettings(v: Record<string, string | boolean | undefined>): DiffusionSettings | undefined {
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const model = str('model');
  if (!model) return undefined;
  const mode = str('mode');
  if (mode !== undefined && mode !== 'concat' && mode !== 'text' && mode !== 'ip-adapter') throw new UsageError(`--mode must be ip-adapter, concat or text, got "${mode}"`);
  if (mode === 'ip-adapter' && !str('ip-adapter')) throw new UsageError('--mode ip-adapter needs --ip-adapter <folder>');
  if (str('catvton') && v['allow-noncommercial'] !== true) {
    throw new UsageError('--catvton loads weights licensed CC BY-NC-SA 4.0 (non-commercial use only): add --allow-noncommercial if this use is not commercial');
  }
  const ipMode = (mode ?? (str('ip-adapter') ? 'ip-adapter' : undefined)) === 'ip-adapter';
  const lora = str('lora');
  const [loraPath, loraScale] = lora ? (/^(.*):([\d.]+)$/.exec(lora)?.slice(1) ?? [lora, undefined]) : [undefined, undefined];
  return {
    modelDir: model,
    mode: ipMode ? 'ip-adapter' : ((mode as 'concat' | 'text' | undefined) ?? (str('catvton') ? 'concat' : str('prompt') ? 'text' : 'concat')),
    catvtonPath: str('catvton'),
    loraPath,
    loraScale: numberFlag('lora scale', loraScale),
    steps: numberFlag('steps', str('steps')),
    guidanceScale: numberFlag('guidance', str('guidance')),
    strength: numberFlag('strength', str('strength')) ?? (ipMode ? 0.6 : undefined),
    height: numberFlag('height', str('height')),
    seed: numberFlag('seed', str('seed')),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: OPTIONS, strict: true });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  for (const required of ['person', 'garment', 'out'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  const engine = (values.engine ?? (values.model ? 'diffusion' : 'warp')) as EngineName;
  if (engine !== 'warp' && engine !== 'diffusion') throw new UsageError(`--engine must be warp or diffusion, got "${values.engine}"`);
  const model = diffusionSettings(values);
  if (engine === 'diffusion' && !model) throw new UsageError('--engine diffusion needs --model <diffusers inpainting folder>');
  const backend = await initBackend(values.backend ? parseBackendName(values.backend, '--backend') : undefined);
  console.error(`backend: ${backend.name}`);

  const bar = new SingleBar({ format: 'try-on [{bar}] {percentage}% | {stage}{steps}', hideCursor: true }, Presets.shades_classic);
  bar.start(100, 0, { stage: 'analysis', steps: '' });
  const ipModels = values['ip-adapter'] ? await loadImagePromptModel(values['ip-adapter']) : undefined;
  let result;
  try {
    result = await runTryOn({
      ...(ipModels ? { imagePrompt: { tokens: (image) => ipModels.tokens(image), attach: (unet) => ipModels.adapter.attach(unet) } } : {}),
      personImage: await readFile(values.person!),
      garmentImage: await readFile(values.garment!),
      category: values.category,
      title: values.title,
      description: values.prompt,
      engine,
      model,
      mask: values.mask ? await readFile(values.mask) : undefined,
      onProgress: (p) => {
        bar.update(Math.round(p.fraction * 100), { stage: p.stage, steps: p.step ? ` ${p.step}/${p.totalSteps}` : '' });
      },
    });
  } finally {
    bar.stop();
    ipModels?.dispose();
  }
  await writeFile(values.out!, await encodePng(result.image));
  if (values['mask-out']) await writeFile(values['mask-out'], await encodePng(result.mask));
  if (values['debug-dir']) {
    const dir = values['debug-dir'];
    await mkdir(dir, { recursive: true });
    const { photo, analysis, garment } = result.debug;
    await writeFile(path.join(dir, 'keypoints.png'), await drawKeypoints(photo, analysis.keypoints));
    await writeFile(path.join(dir, 'mask.png'), await encodePng(result.mask));
    await writeFile(path.join(dir, 'mask-overlay.png'), await overlayMask(photo, greyToMask(result.mask)));
    await writeFile(path.join(dir, 'garment-cutout.png'), await encodePng(garment.image));
  }
  for (const w of result.warnings) console.error(`warning: ${w}`);
  const t = result.timings;
  console.error(
    `${result.width}x${result.height} ${result.category} via ${result.engine}: analysis ${t.analysis.toFixed(0)} ms, mask ${t.mask.toFixed(0)} ms, ` +
      `garment ${t.garment.toFixed(0)} ms, generation ${t.generation.toFixed(0)} ms, compositing ${t.compositing.toFixed(0)} ms -> ${values.out}`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) console.error(`${err.message}\n${USAGE}`);
  else if (err instanceof TryOnError) console.error(`try-on refused (${err.code}): ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
