// npm run train -- --data <dir|file.jsonl> [--captions file] [--keywords "a,b"] --base <model> --out <dir>
//   --mode full|lora|inpaint-lora [--steps N --batch N --lr X --resolution N ...]   (--help lists all)
// Fine-tunes Stable Diffusion on a dataset with a progress bar and a final summary.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { initBackend, parseBackendName } from '@fitting-room/server/engine/training';
import { loadBaseModel, findLatestCheckpoint, loadDataset, parseKeywords, parseTrainConfig, type TrainConfigInput, Trainer } from '@fitting-room/server/training';
import { UsageError, numberFlag, requiredFlag } from './lib/flags.js';

const USAGE = `usage: npm run train -- --data <dir|file.jsonl> --base <model> --out <dir> [options]
  --data DIR|FILE        images + --captions file, a folder of name.jpg + name.txt, a JSONL manifest {image, text},
                         or a storefront catalog export (folder with catalog.jsonl)
  --captions FILE        one caption per image, in file-name order (layout a)
  --keywords "a,b"       keep only pairs whose text mentions one of these (case-insensitive)
  --base MODEL           diffusers folder or single-file .safetensors (--config-dir for its configs)
  --out DIR              checkpoints, samples and the final export
  --mode M               full | lora | inpaint-lora (default lora)
  --steps N --batch N --accumulation N --lr X --lr-schedule constant|constant_with_warmup|linear|cosine --warmup N
  --resolution N (multiple of 8, default 512) --crop center|random --flip --seed N
  --max-grad-norm X --weight-decay X --ema DECAY --min-snr GAMMA --debiased-estimation --noise-offset X
  --caption-dropout P --timestep-bias earlier|later --timestep-bias-multiplier X --timestep-bias-portion P
  --rank N --alpha X --train-text-encoder        LoRA settings
  --checkpoint-every N --keep-checkpoints N --resume [DIR]   (no DIR: the newest checkpoint in --out)
  --validation-prompt TEXT (repeatable) --validation-every N --validation-steps N
  --mixed-precision no|fp16 --backend wasm|cpu|tensorflow|tensorflow-gpu|webgpu
  --offload-weights      LoRA modes: keep the UNet's weights in host memory, uploaded layer by layer, with
                         gradients checkpointed per layer (SD 1.5 on wasm, whose 4 GB heap cannot hold them)`;

const OPTIONS = {
  data: { type: 'string' },
  captions: { type: 'string' },
  keywords: { type: 'string' },
  base: { type: 'string' },
  'config-dir': { type: 'string' },
  'offload-weights': { type: 'boolean' },
  out: { type: 'string' },
  mode: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  accumulation: { type: 'string' },
  lr: { type: 'string' },
  'lr-schedule': { type: 'string' },
  warmup: { type: 'string' },
  resolution: { type: 'string' },
  crop: { type: 'string' },
  flip: { type: 'boolean' },
  seed: { type: 'string' },
  'max-grad-norm': { type: 'string' },
  'weight-decay': { type: 'string' },
  ema: { type: 'string' },
  'min-snr': { type: 'string' },
  'debiased-estimation': { type: 'boolean' },
  'noise-offset': { type: 'string' },
  'caption-dropout': { type: 'string' },
  'timestep-bias': { type: 'string' },
  'timestep-bias-multiplier': { type: 'string' },
  'timestep-bias-portion': { type: 'string' },
  rank: { type: 'string' },
  alpha: { type: 'string' },
  'train-text-encoder': { type: 'boolean' },
  'checkpoint-every': { type: 'string' },
  'keep-checkpoints': { type: 'string' },
  resume: { type: 'string' },
  'validation-prompt': { type: 'string', multiple: true },
  'validation-every': { type: 'string' },
  'validation-steps': { type: 'string' },
  'mixed-precision': { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean' },
} as const;




async function main(): Promise<number> {
  // --resume may come without a value: give it an empty one so parseArgs accepts it.
  const argv = process.argv.slice(2).flatMap((a, i, all) => (a === '--resume' && (all[i + 1] ?? '--').startsWith('--') ? [a, ''] : [a]));
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const data = requiredFlag('data', values.data);
  const base = requiredFlag('base', values.base);
  const out = path.resolve(requiredFlag('out', values.out));
  const input: TrainConfigInput = {
    mode: values.mode as TrainConfigInput['mode'],
    steps: numberFlag('steps', values.steps) ?? 1000,
    batchSize: numberFlag('batch', values.batch),
    gradientAccumulation: numberFlag('accumulation', values.accumulation),
    lr: numberFlag('lr', values.lr),
    lrSchedule: values['lr-schedule'] as TrainConfigInput['lrSchedule'],
    warmupSteps: numberFlag('warmup', values.warmup),
    resolution: numberFlag('resolution', values.resolution),
    crop: values.crop as TrainConfigInput['crop'],
    flip: values.flip,
    seed: numberFlag('seed', values.seed),
    maxGradNorm: numberFlag('max-grad-norm', values['max-grad-norm']),
    weightDecay: numberFlag('weight-decay', values['weight-decay']),
    emaDecay: numberFlag('ema', values.ema),
    minSnrGamma: numberFlag('min-snr', values['min-snr']),
    debiasedEstimation: values['debiased-estimation'],
    noiseOffset: numberFlag('noise-offset', values['noise-offset']),
    captionDropout: numberFlag('caption-dropout', values['caption-dropout']),
    timestepBias: values['timestep-bias'] as TrainConfigInput['timestepBias'],
    timestepBiasMultiplier: numberFlag('timestep-bias-multiplier', values['timestep-bias-multiplier']),
    timestepBiasPortion: numberFlag('timestep-bias-portion', values['timestep-bias-portion']),
    loraRank: numberFlag('rank', values.rank),
    loraAlpha: numberFlag('alpha', values.alpha),
    loraTextEncoder: values['train-text-encoder'],
    checkpointEvery: numberFlag('checkpoint-every', values['checkpoint-every']),
    keepCheckpoints: numberFlag('keep-checkpoints', values['keep-checkpoints']),
    validationPrompts: values['validation-prompt'],
    validationEvery: numberFlag('validation-every', values['validation-every']),
    validationSteps: numberFlag('validation-steps', values['validation-steps']),
    mixedPrecision: values['mixed-precision'] as TrainConfigInput['mixedPrecision'],
  };
  // Absent flags take the schema's defaults.
  for (const key of Object.keys(input) as (keyof TrainConfigInput)[]) if (input[key] === undefined) delete input[key];
  const config = parseTrainConfig(input);
  let resumeFrom: string | undefined;
  if (values.resume !== undefined) {
    resumeFrom = values.resume === '' ? await findLatestCheckpoint(out) : path.resolve(values.resume);
    if (resumeFrom === undefined) throw new UsageError(`--resume: no checkpoint in ${out}`);
  }

  const backend = await initBackend(values.backend ? parseBackendName(values.backend, '--backend') : undefined, {
    logger: { info: () => {}, warn: (_o, msg) => console.warn(msg) },
  });
  const { examples, report } = await loadDataset({ data, captions: values.captions, keywords: values.keywords ? parseKeywords(values.keywords) : [] });
  console.log(`dataset: ${report.format}, ${report.total} pairs, kept ${report.kept}, dropped ${report.dropped} by keywords, ${report.unreadable.length} unreadable`);
  for (const u of report.unreadable) console.warn(`  unreadable: ${u.image}: ${u.reason}`);
  for (const w of report.warnings) console.warn(`  ${w}`);
  console.log(`base ${base} on ${backend.name}; mode ${config.mode}, ${config.steps} steps, batch ${config.batchSize}x${config.gradientAccumulation}, lr ${config.lr}, ${config.resolution}px`);
  const offload = values['offload-weights'] === true;
  if (offload && config.mode === 'full') throw new UsageError('--offload-weights trains LoRAs only (--mode lora or inpaint-lora)');
  if (offload && config.loraTextEncoder) throw new UsageError('--offload-weights does not train a text-encoder LoRA (drop --train-text-encoder)');
  const { model, files } = await loadBaseModel(base, { configDir: values['config-dir'], offloadUNetWeights: offload });
  const trainer = new Trainer({ model, base: files, examples, config, outDir: out, resumeFrom });
  const bar = new SingleBar(
    { format: 'training [{bar}] {value}/{total} | loss {loss} | lr {lr} | {ips} img/s | ETA {eta_s}s', hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(config.steps, 0, { loss: '-', lr: '-', ips: '-' });
  trainer.on('progress', (p) => {
    bar.update(p.step, { loss: p.loss.toFixed(4), lr: p.lr.toExponential(2), ips: p.imagesPerSecond.toFixed(2), eta_s: Math.round(p.etaSeconds) });
  });
  // Above the bar's line: the bar redraws itself on the next update.
  const note = (line: string) => process.stderr.write(`\r\x1b[K${line}\n`);
  trainer.on('warning', (w) => note(`warning: ${w}`));
  trainer.on('checkpoint', (c) => note(`checkpoint at step ${c.step}: ${c.dir}`));
  trainer.on('sample', (s) => note(`sample "${s.prompt}": ${s.file}`));
  const stop = () => trainer.cancel();
  process.once('SIGINT', stop);
  try {
    const summary = await trainer.run();
    bar.stop();
    const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const tenth = Math.max(1, Math.floor(summary.losses.length / 10));
    console.log(`\n${summary.status}: ${summary.steps} steps from step ${summary.startStep} in ${summary.seconds.toFixed(1)} s, ${summary.imagesPerSecond.toFixed(2)} images/s`);
    console.log(`loss: first ${tenth} steps ${mean(summary.losses.slice(0, tenth)).toFixed(4)}, last ${tenth} ${mean(summary.losses.slice(-tenth)).toFixed(4)}`);
    if (summary.output) console.log(`output: ${summary.output}`);
    return summary.status === 'completed' ? 0 : 130;
  } finally {
    process.off('SIGINT', stop);
    bar.stop();
    trainer.dispose();
    model.dispose();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
    else console.error(`train: ${(err as Error).message}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
