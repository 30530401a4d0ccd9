// Assembles and starts the inference server: backend, models, queue, gRPC services, metrics; and stops it
// gracefully (stop accepting, let running jobs finish within the grace period, cancel the rest).
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { initBackend, type BackendInfo } from './engine/backend.js';
import { loadStableDiffusion, type StableDiffusionModel } from './engine/stable-diffusion.js';
import { ConfigError, loadConfig, type ServerConfig, type ServerConfigInput } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { ServerMetrics, startMetricsServer, type MetricsServer } from './metrics.js';
import { ModelRegistry } from './models/registry.js';
import { chooseDefaults, type ModelDefaults } from './models/defaults.js';
import type { ModelEntry } from './models/scan.js';
import { GpuQueue } from './queue/gpu-queue.js';
import { JobRegistry } from './queue/job-registry.js';
import { createRunners } from './queue/runners/index.js';
import { loadOptionalEngines } from './queue/runners/engines.js';
import { TrainingRunner } from './queue/runners/train-runner.js';
import { ApiKeyCheck } from './grpc/auth.js';
import { HealthService } from './grpc/health.js';
import { ReflectionServiceAdapter } from './grpc/reflection.js';
import { TryOnService } from './grpc/tryon-service.js';
import { statusName } from './grpc/errors.js';
import { status } from '@grpc/grpc-js';

export interface StartOptions {
  /** Resolve only once the default model is loaded and health is SERVING (default true). */
  waitForReady?: boolean;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  argv?: readonly string[];
}

export interface RunningServer {
  readonly port: number;
  /** -1 when metrics are disabled. */
  readonly metricsPort: number;
  readonly config: ServerConfig;
  readonly backend: BackendInfo;
  readonly health: HealthService;
  /** Resolves when the default model is loaded (health SERVING); rejects if it cannot be loaded. */
  readonly ready: Promise<void>;
  /** Graceful: refuse new jobs, let running ones finish within `graceMs` (config default), cancel the rest. */
  stop(graceMs?: number): Promise<void>;
}

function serverCredentials(config: ServerConfig): grpc.ServerCredentials {
  if (!config.tlsCertPath || !config.tlsKeyPath) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(null, [{ cert_chain: fs.readFileSync(config.tlsCertPath), private_key: fs.readFileSync(config.tlsKeyPath) }], false);
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port))));
}

function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startServer(overrides: Partial<ServerConfigInput> = {}, options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(overrides, options.env ?? process.env, options.argv ?? []);
  const logger = options.logger ?? createLogger(config.logLevel);
  if (config.apiKeys.length === 0) logger.warn('TRYON_API_KEYS is not set: the TryOn service accepts calls without an API key');

  const backend = await initBackend(config.backend, { logger });
  const metrics = new ServerMetrics();
  const queue = new GpuQueue(config.maxQueue, (depth) => {
    metrics.queueDepth.set({ priority: 'interactive' }, depth.interactive);
    metrics.queueDepth.set({ priority: 'training' }, depth.training);
    metrics.jobsRunning.set(depth.running);
  });
  metrics.queueDepth.set({ priority: 'interactive' }, 0);
  metrics.queueDepth.set({ priority: 'training' }, 0);
  const jobs = new JobRegistry(config.jobHistory);
  const sdModels = new ModelRegistry<StableDiffusionModel>(
    async (entry) => {
      const model = await loadStableDiffusion(entry.path, { offloadUNetWeights: config.offloadUnet });
      return { value: model, dispose: () => model.dispose() };
    },
    config.modelMemoryMb * 1024 * 1024,
    {
      onLoaded: (entry, ms) => {
        logger.info({ model: entry.name, ms, bytes: entry.memoryBytes }, 'model loaded');
        metrics.modelsLoaded.set(sdModels.loadedCount());
        metrics.modelBytes.set(sdModels.residentBytes());
      },
      onEvicted: (entry) => logger.info({ model: entry.name }, 'model evicted (LRU)'),
      onOverBudget: (entry, bytes, budget) => logger.warn({ model: entry.name, bytes, budget }, 'models in use exceed the memory budget'),
    },
  );

  const engines = await loadOptionalEngines(config, logger);
  const builtins: ModelEntry[] = engines.builtinModels;
  // Train publishes into the models directory; without one, into the data directory's.
  const trainingOutputDir = config.modelsDir ?? path.join(config.dataDir, 'models');
  const refreshModels = async (): Promise<void> => {
    const dirs = [config.modelsDir, ...engines.extraModelDirs, trainingOutputDir].filter((d, i, all): d is string => d !== undefined && fs.existsSync(d) && all.indexOf(d) === i);
    for (const problem of await sdModels.refresh(dirs, builtins)) logger.warn(problem, 'skipped an entry of the models directory');
  };
  await refreshModels();
  const defaults: ModelDefaults = chooseDefaults(sdModels.list(), config.defaultModel);
  logger.info({ models: sdModels.list().map((m) => `${m.name} (${m.kind})`), base: defaults.base?.name, inpaint: defaults.inpaint?.name }, 'models found');

  const health = new HealthService();
  const auth = new ApiKeyCheck(config.apiKeys);
  const server = new grpc.Server({
    interceptors: [auth.interceptor(() => metrics.failures.inc({ method: 'auth', code: statusName(status.UNAUTHENTICATED) }))],
    'grpc.max_receive_message_length': config.maxMessageBytes,
    'grpc.max_send_message_length': config.maxMessageBytes,
  });
  new TryOnService({
    config,
    logger,
    metrics,
    queue,
    jobs,
    models: sdModels as ModelRegistry<unknown>,
    catalog: { find: (field, name, kinds) => sdModels.find(field, name, kinds), has: (name) => sdModels.list().some((m) => m.name === name), defaultFor: (kind) => defaults[kind] },
    runners: createRunners({ sdModels, tryOn: engines.tryOn, train: new TrainingRunner({ workDir: path.join(config.dataDir, 'training'), onPublished: refreshModels, offloadUNetWeights: config.offloadUnet }) }),
    trainingOutputDir,
    datasetsDir: config.datasetsDir ?? path.join(config.dataDir, 'datasets'),
  }).addToServer(server);
  health.addToServer(server);
  new ReflectionServiceAdapter().addToServer(server);

  const port = await bind(server, `${config.host}:${config.port}`, serverCredentials(config));
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort >= 0) {
    // Metrics are a side channel: a taken port is logged, not fatal.
    metricsServer = await startMetricsServer(metrics, config.metricsPort, config.host).catch((error: unknown) => {
      logger.error({ err: error, metricsPort: config.metricsPort }, 'metrics server could not start; serving without /metrics');
      return undefined;
    });
  }
  logger.info({ port, metricsPort: metricsServer?.port ?? -1, backend: backend.name, tls: Boolean(config.tlsCertPath) }, 'inference server listening');

  const ready = (async () => {
    if (defaults.base) (await sdModels.acquire(defaults.base)).release();
    health.setServing(true);
    logger.info({ model: defaults.base?.name ?? 'none (try-on only)' }, 'default model loaded; serving');
  })();
  ready.catch((error: unknown) => logger.error({ err: error }, 'the default model could not be loaded; health stays NOT_SERVING'));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = config.shutdownGraceMs): Promise<void> => {
    stopping ??= (async () => {
      health.setServing(false);
      queue.close();
      logger.info({ graceMs, live: jobs.live().length }, 'draining');
      if (!(await withTimeout(queue.idle(), graceMs))) {
        const live = jobs.live();
        logger.warn({ cancelled: live.length }, 'grace period over: cancelling remaining jobs');
        live.forEach((job) => job.cancel('shutdown'));
        await withTimeout(queue.idle(), 30_000);
      }
      // Let the handlers write their final statuses before the transport closes.
      await withTimeout(new Promise<void>((resolve) => server.tryShutdown(() => resolve())), 2_000).then((clean) => clean || server.forceShutdown());
      await metricsServer?.close();
      sdModels.disposeAll();
      logger.info('stopped');
    })();
    return stopping;
  };

  if (options.waitForReady ?? true) {
    try {
      await ready;
    } catch (error) {
      await stop(0);
      throw error instanceof ConfigError ? error : new Error(`default model could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { port, metricsPort: metricsServer?.port ?? -1, config, backend, health, ready, stop };
}
