// Server configuration: environment variables, then command-line flags over them, then programmatic
// overrides (tests, the `npm start` launcher), validated once with zod into a frozen object.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const keyList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((k) => k.trim()).filter((k) => k.length > 0));

export const serverConfigSchema = z
  .object({
    /** Interface for gRPC and metrics; loopback by default. A cluster sets 0.0.0.0 (and API keys). */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: port.default(50051),
    /** Folder of diffusers folders, single-file checkpoints and LoRAs; unset = the embedded default only. */
    modelsDir: z.string().min(1).optional(),
    /** Model served when a request names none; default: the first base model found, else the embedded one. */
    defaultModel: z.string().min(1).optional(),
    /** Empty = no auth (logged as a warning). */
    apiKeys: keyList.default([]),
    /** Keys that may also see and cancel every caller's jobs; accepted as API keys too. */
    adminKeys: keyList.default([]),
    /** Without API keys, who owns a job: the caller's address, or its connection (address and port). */
    anonymousOwner: z.enum(['address', 'connection']).default('address'),
    backend: z.enum(BACKENDS).optional(),
    /** Largest tensor the engine makes, in bytes (unset: webgpu's device limits, else none). */
    maxTensorBytes: z.coerce.number().int().min(1024).optional(),
    /** XNNPACK threads on the wasm backend (unset: every core). */
    wasmThreads: positiveInt.optional(),
    /** Prometheus /metrics; 0 picks a free port, -1 disables. */
    metricsPort: z.coerce.number().int().min(-1).max(65535).default(9464),
    /** Jobs allowed to wait (the running one not counted); more are refused with RESOURCE_EXHAUSTED. */
    maxQueue: positiveInt.default(16),
    /** Where the server writes: the embedded default model, training outputs' staging, job scratch. */
    dataDir: z.string().min(1).default(path.join(repoRoot, 'data')),
    /** Train requests' dataset_path is resolved inside this folder. */
    datasetsDir: z.string().min(1).optional(),
    tlsCertPath: z.string().min(1).optional(),
    tlsKeyPath: z.string().min(1).optional(),
    /** Largest request message; photos are a few MB, three images per request at most. */
    maxMessageBytes: positiveInt.default(64 * 1024 * 1024),
    /** Largest decoded image (width × height), against decompression bombs. */
    maxImagePixels: positiveInt.default(40_000_000),
    /**
     * Keep UNet weights in host memory and upload them layer by layer: SD 1.5 on the wasm backend, whose 4 GB
     * heap cannot hold them. LoRAs then cannot be applied to generations, and Train runs UNet LoRAs only.
     */
    offloadUnet: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /** The TAESD entry of the models directory (previews, fast decodes), when it has one. */
    taesdModel: z.string().min(1).default('taesd'),
    /** The IP-Adapter entry (h94/IP-Adapter layout) for image prompts and the try-on's garment conditioning. */
    ipAdapter: z.string().min(1).default('ip-adapter-plus-sd15'),
    /** Weights under a non-commercial licence (CatVTON's) load only when the operator sets this. */
    allowNoncommercialWeights: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
    /** The LCM-LoRA entry that QUALITY_FAST applies (latent-consistency/lcm-lora-sdv1-5 for SD 1.5). */
    lcmLora: z.string().min(1).default('lcm-lora-sdv1-5'),
    /** Memory budget for loaded models (weights' bytes), least recently used evicted first. */
    modelMemoryMb: positiveInt.default(8192),
    /** On SIGTERM: how long running jobs may finish before they are cancelled. */
    shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
    /** Finished jobs kept for GetJob / ListJobs. */
    jobHistory: positiveInt.default(200),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((c) => (c.tlsCertPath === undefined) === (c.tlsKeyPath === undefined), {
    message: 'TLS needs both tlsCertPath (TRYON_TLS_CERT) and tlsKeyPath (TRYON_TLS_KEY), or neither',
  });

export type ServerConfig = Readonly<z.output<typeof serverConfigSchema>>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/** Environment variable → config key. */
const ENV_KEYS: Record<string, keyof ServerConfigInput> = {
  TRYON_HOST: 'host',
  TRYON_PORT: 'port',
  TRYON_MODELS_DIR: 'modelsDir',
  TRYON_DEFAULT_MODEL: 'defaultModel',
  TRYON_API_KEYS: 'apiKeys',
  TRYON_ADMIN_KEYS: 'adminKeys',
  TRYON_ANONYMOUS_OWNER: 'anonymousOwner',
  TRYON_BACKEND: 'backend',
  TRYON_MAX_TENSOR_BYTES: 'maxTensorBytes',
  TRYON_WASM_THREADS: 'wasmThreads',
  TRYON_METRICS_PORT: 'metricsPort',
  TRYON_MAX_QUEUE: 'maxQueue',
  TRYON_DATA_DIR: 'dataDir',
  TRYON_DATASETS_DIR: 'datasetsDir',
  TRYON_TLS_CERT: 'tlsCertPath',
  TRYON_TLS_KEY: 'tlsKeyPath',
  TRYON_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  TRYON_MAX_IMAGE_PIXELS: 'maxImagePixels',
  TRYON_MODEL_MEMORY_MB: 'modelMemoryMb',
  TRYON_OFFLOAD_UNET: 'offloadUnet',
  TRYON_TAESD_MODEL: 'taesdModel',
  TRYON_LCM_LORA: 'lcmLora',
  TRYON_IP_ADAPTER: 'ipAdapter',
  TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS: 'allowNoncommercialWeights',
  TRYON_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  TRYON_LOG_LEVEL: 'logLevel',
};

/** The environment variables the server reads (deployment manifests are checked against these). */
export const SERVER_ENV_NAMES: readonly string[] = Object.keys(ENV_KEYS);

/** Each env var has a flag: TRYON_MODELS_DIR → --models-dir. */
const FLAG_KEYS: Record<string, keyof ServerConfigInput> = Object.fromEntries(
  Object.entries(ENV_KEYS).map(([env, key]) => [`--${env.slice('TRYON_'.length).toLowerCase().replaceAll('_', '-')}`, key]),
);

export function configFromEnv(env: NodeJS.ProcessEnv): Partial<Record<keyof ServerConfigInput, string>> {
  const out: Partial<Record<keyof ServerConfigInput, string>> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** `--models-dir x` or `--models-dir=x`; an unknown flag is an error naming it. */
export function configFromArgs(argv: readonly string[]): Partial<Record<keyof ServerConfigInput, string>> {
  const out: Partial<Record<keyof ServerConfigInput, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const key = FLAG_KEYS[flag];
    if (!key) throw new ConfigError(`unknown flag ${flag}; known: ${Object.keys(FLAG_KEYS).join(' ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`flag ${flag} needs a value`);
    out[key] = value;
  }
  return out;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Env, then flags, then overrides; throws ConfigError naming every bad setting. */
export function loadConfig(
  overrides: Partial<ServerConfigInput> = {},
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = [],
): ServerConfig {
  const merged = { ...configFromEnv(env), ...configFromArgs(argv), ...stripUndefined(overrides) };
  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const env = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
      const value = key ? JSON.stringify((merged as Record<string, unknown>)[key]) : '';
      return `${key || 'config'}${env ? ` (${env})` : ''}: ${issue.message}${value ? `, got ${value}` : ''}`;
    });
    throw new ConfigError(`invalid server configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(parsed.data);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
