// The gRPC client for internal services: `npm run client -- --help` prints its usage (USAGE below).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { Presets, SingleBar } from 'cli-progress';
import { createTryOnClient, type TryOnClient, type GenerateRequest, type TrainRequest, type Job__Output, JobKind, type JobKind__Output, JobState, type JobState__Output, ModelKind, type ModelKind__Output, type ListModelsResponse__Output } from '@fitting-room/proto';
import { UsageError, integerFlag, numberFlag, isUsageError } from './lib/flags.js';

const nonNegativeInt = (name: string, value: string | undefined) => integerFlag(name, value, { min: 0 });


const USAGE = `npm run client -- [--address host:port] [--key KEY] [--ca cert.pem] <command> ...
  generate --mode try-on|txt2img|img2img|inpaint [--person f --garment f --category upper|lower|dress
           --title t --description d --engine warp|diffusion] [--init f] [--mask f] [--prompt p]
           [--negative-prompt p] [--model m] [--lora name[:scale]]... [--steps n] [--guidance g]
           [--strength s] [--seed n] [--num-images n] [--width w --height h] [--scheduler s]
           [--quality fast|standard] [--decoder vae|taesd]
           [--preview-every n --preview-dir dir] [--mask-out mask.png] [--deadline seconds] [--out out.png]
  train    --dataset path --output-name name [--base model] [--mode lora|full|inpaint-lora] [--steps n]
           [--batch n] [--lr x] [--resolution n] [--rank n] [--keywords "a,b"] [--validation-prompt p]...
           [--captions file] [--checkpoint-every n] [--validation-every n] [--seed n] [--resume] [--sample-dir dir]
  jobs     [list [--state queued|running|...] [--kind generate|train]] | get <id> | cancel <id>
  models   [--kind base|inpaint|lora|fine-tuned|try-on]
TRYON_ADDRESS and TRYON_API_KEY set the defaults of --address and --key. Ctrl-C cancels a running job.`;

const COMMON = { address: { type: 'string' }, key: { type: 'string' }, ca: { type: 'string' }, help: { type: 'boolean' } } as const;

const MODES: Record<string, GenerateRequest['mode']> = { 'try-on': 'MODE_TRY_ON', txt2img: 'MODE_TEXT_TO_IMAGE', img2img: 'MODE_IMAGE_TO_IMAGE', inpaint: 'MODE_INPAINT' };
const CATEGORIES: Record<string, GenerateRequest['category']> = { upper: 'UPPER_BODY', lower: 'LOWER_BODY', dress: 'DRESS' };
const QUALITIES: Record<string, GenerateRequest['quality']> = { standard: 'QUALITY_STANDARD', fast: 'QUALITY_FAST' };
const DECODERS: Record<string, GenerateRequest['decoder']> = { vae: 'DECODER_VAE', taesd: 'DECODER_TAESD' };
const TRAIN_MODES: Record<string, TrainRequest['mode']> = { full: 'TRAIN_MODE_FULL', lora: 'TRAIN_MODE_LORA', 'inpaint-lora': 'TRAIN_MODE_INPAINT_LORA' };

/** CLI words for a proto enum: JOB_STATE_RUNNING → running, MODEL_KIND_FINE_TUNED → fine-tuned. */
function enumWords<T extends string>(values: Record<string, T>, prefix: string): Record<string, T> {
  return Object.fromEntries(
    Object.values(values)
      .filter((v) => !v.endsWith('_UNSPECIFIED'))
      .map((v) => [v.slice(prefix.length).toLowerCase().replaceAll('_', '-'), v]),
  );
}

const JOB_STATES = enumWords<JobState__Output>(JobState, 'JOB_STATE_');
const JOB_KINDS = enumWords<JobKind__Output>(JobKind, 'JOB_KIND_');
const MODEL_KINDS = enumWords<ModelKind__Output>(ModelKind, 'MODEL_KIND_');



function choice<T>(name: string, value: string | undefined, table: Record<string, T>): T | undefined {
  if (value === undefined) return undefined;
  if (!(value in table)) throw new UsageError(`--${name} must be one of ${Object.keys(table).join(', ')}, got "${value}"`);
  return table[value];
}

function readFile(name: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new UsageError(`--${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function connect(values: { address?: string; key?: string; ca?: string }): { client: TryOnClient; metadata: grpc.Metadata } {
  const address = values.address ?? process.env.TRYON_ADDRESS ?? 'localhost:50051';
  const credentials = values.ca ? grpc.credentials.createSsl(fs.readFileSync(values.ca)) : grpc.credentials.createInsecure();
  const metadata = new grpc.Metadata();
  const key = values.key ?? process.env.TRYON_API_KEY;
  if (key) metadata.set('authorization', `Bearer ${key}`);
  return { client: createTryOnClient(address, credentials, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 }), metadata };
}

/** Streams a call with a progress bar; Ctrl-C cancels it. Resolves on the end of the stream, rejects on an error status. */
function follow<E>(call: grpc.ClientReadableStream<E>, onEvent: (event: E, bar: SingleBar) => void | Promise<void>): Promise<void> {
  const bar = new SingleBar({ format: '{stage} [{bar}] {value}/{total} {info}', hideCursor: true }, Presets.shades_classic);
  bar.start(1, 0, { stage: 'queued', info: '' });
  const cancel = (): void => call.cancel();
  process.once('SIGINT', cancel);
  let pending: Promise<void> = Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    call.on('data', (event: E) => (pending = pending.then(() => onEvent(event, bar))));
    call.on('error', (error) => pending.finally(() => (bar.stop(), reject(error))));
    call.on('end', () => pending.then(() => (bar.stop(), resolve()), reject));
  }).finally(() => process.off('SIGINT', cancel));
}

function outputName(out: string, index: number, count: number): string {
  if (count === 1) return out;
  const ext = path.extname(out);
  return `${out.slice(0, out.length - ext.length)}-${index + 1}${ext || '.png'}`;
}

async function generateCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      mode: { type: 'string', default: 'try-on' },
      person: { type: 'string' },
      garment: { type: 'string' },
      category: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      engine: { type: 'string' },
      init: { type: 'string' },
      mask: { type: 'string' },
      prompt: { type: 'string' },
      'negative-prompt': { type: 'string' },
      model: { type: 'string' },
      lora: { type: 'string', multiple: true },
      steps: { type: 'string' },
      guidance: { type: 'string' },
      strength: { type: 'string' },
      seed: { type: 'string' },
      'num-images': { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      scheduler: { type: 'string' },
      quality: { type: 'string' },
      decoder: { type: 'string' },
      'preview-every': { type: 'string' },
      'preview-dir': { type: 'string' },
      'mask-out': { type: 'string' },
      deadline: { type: 'string' },
      out: { type: 'string', default: 'out.png' },
    },
  });
  const previewDir = values['preview-dir'];
  const previewEvery = nonNegativeInt('preview-every', values['preview-every']) ?? (previewDir ? 1 : 0);
  const request: GenerateRequest = {
    mode: choice('mode', values.mode, MODES),
    person_image: readFile('person', values.person),
    garment_image: readFile('garment', values.garment),
    init_image: readFile('init', values.init),
    mask_image: readFile('mask', values.mask),
    category: choice('category', values.category, CATEGORIES),
    garment_title: values.title,
    garment_description: values.description,
    engine: values.engine,
    prompt: values.prompt,
    negative_prompt: values['negative-prompt'],
    model: values.model,
    loras: (values.lora ?? []).map((spec) => {
      const [name, scale] = spec.split(':');
      return { name, scale: numberFlag('lora', scale) ?? 1 };
    }),
    steps: nonNegativeInt('steps', values.steps),
    guidance_scale: numberFlag('guidance', values.guidance),
    strength: numberFlag('strength', values.strength),
    seed: values.seed,
    num_images: nonNegativeInt('num-images', values['num-images']),
    width: nonNegativeInt('width', values.width),
    height: nonNegativeInt('height', values.height),
    scheduler: values.scheduler,
    quality: choice('quality', values.quality, QUALITIES),
    decoder: choice('decoder', values.decoder, DECODERS),
    preview_every: previewEvery,
    mask_out: values['mask-out'] !== undefined,
  };
  const deadline = numberFlag('deadline', values.deadline);
  const { client, metadata } = connect(values);
  if (previewDir) fs.mkdirSync(previewDir, { recursive: true });
  const call = client.Generate(request, metadata, deadline ? { deadline: Date.now() + deadline * 1000 } : {});
  await follow(call, (event, bar) => {
    if (event.queued) bar.update(0, { stage: 'queued', info: `position ${event.queued.position}, job ${event.queued.job_id}` });
    if (event.started) bar.update(0, { stage: 'started', info: '' });
    if (event.progress) {
      const p = event.progress;
      if (p.total_steps > 0) bar.setTotal(p.total_steps);
      bar.update(p.step, { stage: p.stage, info: '' });
      if (previewDir && p.preview_jpeg.length > 0) fs.writeFileSync(path.join(previewDir, `step-${String(p.step).padStart(3, '0')}.jpg`), p.preview_jpeg);
    }
    if (event.result) {
      const r = event.result;
      r.images_png.forEach((png, i) => fs.writeFileSync(outputName(values.out, i, r.images_png.length), png));
      if (values['mask-out'] && r.mask_png.length > 0) fs.writeFileSync(values['mask-out'], r.mask_png);
      bar.stop();
      const files = r.images_png.map((_, i) => outputName(values.out, i, r.images_png.length));
      for (const warning of r.warnings) console.warn(`warning: ${warning}`);
      console.log(`wrote ${files.join(', ')} (model ${r.model}, engine ${r.engine}, preset ${r.preset}, decoder ${r.decoder}, seeds ${r.seeds.join(', ')}, ${r.timings?.total_ms} ms: queued ${r.timings?.queued_ms}, load ${r.timings?.load_ms}, run ${r.timings?.run_ms})`);
    }
  });
  client.close();
}

async function trainCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      dataset: { type: 'string' },
      captions: { type: 'string' },
      keywords: { type: 'string' },
      base: { type: 'string' },
      mode: { type: 'string', default: 'lora' },
      steps: { type: 'string', default: '100' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      resolution: { type: 'string' },
      rank: { type: 'string' },
      'validation-prompt': { type: 'string', multiple: true },
      'output-name': { type: 'string' },
      'checkpoint-every': { type: 'string' },
      'validation-every': { type: 'string' },
      seed: { type: 'string' },
      resume: { type: 'boolean' },
      'sample-dir': { type: 'string' },
    },
  });
  if (!values.dataset || !values['output-name']) throw new UsageError('train needs --dataset and --output-name');
  const request: TrainRequest = {
    dataset_path: values.dataset,
    captions_path: values.captions,
    keywords: values.keywords?.split(',').map((k) => k.trim()).filter(Boolean),
    base_model: values.base,
    mode: choice('mode', values.mode, TRAIN_MODES),
    steps: nonNegativeInt('steps', values.steps),
    batch_size: nonNegativeInt('batch', values.batch),
    learning_rate: numberFlag('lr', values.lr),
    resolution: nonNegativeInt('resolution', values.resolution),
    rank: nonNegativeInt('rank', values.rank),
    validation_prompts: values['validation-prompt'],
    output_name: values['output-name'],
    checkpoint_every: nonNegativeInt('checkpoint-every', values['checkpoint-every']),
    validation_every: nonNegativeInt('validation-every', values['validation-every']),
    seed: values.seed,
    resume: values.resume,
  };
  const sampleDir = values['sample-dir'];
  if (sampleDir) fs.mkdirSync(sampleDir, { recursive: true });
  const { client, metadata } = connect(values);
  await follow(client.Train(request, metadata), (event, bar) => {
    if (event.queued) bar.update(0, { stage: 'queued', info: `position ${event.queued.position}, job ${event.queued.job_id}` });
    if (event.started) bar.update({ stage: 'training' });
    if (event.paused) bar.update({ stage: 'paused', info: `yielding to ${event.paused.waiting_jobs} shopper job(s)` });
    if (event.progress) {
      const p = event.progress;
      bar.setTotal(p.total_steps);
      bar.update(p.step, { stage: 'training', info: `loss ${p.loss.toFixed(4)} lr ${p.learning_rate.toExponential(2)} ${p.images_per_second.toFixed(2)} img/s eta ${Math.round(p.eta_seconds)}s` });
    }
    if (event.checkpoint) bar.update({ info: `checkpoint ${event.checkpoint.name} at step ${event.checkpoint.step}` });
    if (event.sample && sampleDir) {
      fs.writeFileSync(path.join(sampleDir, `step-${event.sample.step}-${fs.readdirSync(sampleDir).length}.png`), event.sample.image_png);
    }
    if (event.done) {
      bar.stop();
      console.log(`trained ${event.done.model_name}: ${event.done.steps} steps, final loss ${event.done.final_loss.toFixed(4)}`);
    }
  });
  client.close();
}

function formatJob(job: Job__Output): string {
  const when = (ms: string): string => (ms === '0' ? '-' : new Date(Number(ms)).toISOString());
  const kind = job.kind.replace('JOB_KIND_', '').toLowerCase();
  const state = job.state.replace('JOB_STATE_', '').toLowerCase();
  return `${job.id}  ${kind.padEnd(8)} ${state.padEnd(9)} ${String(Math.round(job.progress * 100)).padStart(3)}%  step ${job.step}/${job.total_steps}  ${job.model}  created ${when(job.created_unix_ms)}${job.error ? `  (${job.error})` : ''}`;
}

function unaryCall<T>(start: (callback: (error: grpc.ServiceError | null, response?: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => start((error, response) => (error ? reject(error) : resolve(response as T))));
}

async function jobsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON, state: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' } } });
  const [action = 'list', id] = positionals;
  const { client, metadata } = connect(values);
  try {
    if (action === 'list') {
      const state = choice('state', values.state, JOB_STATES);
      const kind = choice('kind', values.kind, JOB_KINDS);
      const { jobs } = await unaryCall<{ jobs: Job__Output[] }>((cb) => client.ListJobs({ state, kind, limit: nonNegativeInt('limit', values.limit) }, metadata, cb));
      console.log(jobs.length === 0 ? 'no jobs' : jobs.map(formatJob).join('\n'));
    } else if ((action === 'get' || action === 'cancel') && id) {
      const job = await unaryCall<Job__Output>((cb) => (action === 'get' ? client.GetJob({ id }, metadata, cb) : client.CancelJob({ id }, metadata, cb)));
      console.log(formatJob(job));
    } else {
      throw new UsageError('jobs [list] | jobs get <id> | jobs cancel <id>');
    }
  } finally {
    client.close();
  }
}

async function modelsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { ...COMMON, kind: { type: 'string' } } });
  const kind = choice('kind', values.kind, MODEL_KINDS);
  const { client, metadata } = connect(values);
  try {
    const { models, backend } = await unaryCall<ListModelsResponse__Output>((cb) => client.ListModels({ kind }, metadata, cb));
    if (backend) {
      const adapter = backend.adapter_vendor
        ? ` on ${backend.adapter_vendor} ${backend.adapter_architecture} (${backend.adapter_description})${backend.software_adapter ? ' [software]' : ''}, ${Math.floor(Number(backend.max_storage_buffer_binding_size) / 2 ** 20)} MiB per binding`
        : '';
      console.log(`backend: ${backend.name || 'none (engine worker down)'}${adapter}`);
    }
    for (const m of models) {
      const size = `${(Number(m.size_bytes) / 1024 / 1024).toFixed(1)} MB`;
      console.log(`${m.name.padEnd(32)} ${m.kind.replace('MODEL_KIND_', '').toLowerCase().replace('_', '-').padEnd(11)} ${m.format.padEnd(17)} ${size.padStart(10)}${m.loaded ? '  loaded' : ''}${m.is_default ? '  default' : ''}`);
    }
  } finally {
    client.close();
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = { generate: generateCommand, train: trainCommand, jobs: jobsCommand, models: modelsCommand };

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (!run) throw new UsageError(`unknown command "${command ?? ''}"\n\n${USAGE}`);
  await run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isUsageError(error)) {
    console.error(error.message);
    process.exit(2);
  }
  const grpcError = error as Partial<grpc.ServiceError>;
  if (typeof grpcError.code === 'number') {
    console.error(`${grpc.status[grpcError.code]}: ${grpcError.details}`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
