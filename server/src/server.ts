// Assembles and starts the inference server: the engine worker (TensorFlow.js and the models, in a child
// process), the model catalog, the queue, gRPC services and metrics on this thread; and stops it gracefully
// (stop accepting, let running jobs finish within the grace period, cancel the rest, stop the worker).
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { BackendInfo } from './engine/index.js';
import { ConfigError, loadConfig, type ServerConfig, type ServerConfigInput } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { ServerMetrics, startMetricsServer, type MetricsServer } from './metrics.js';
import { ModelCatalog } from './model-store/catalog.js';
import { chooseDefaults, type ModelDefaults } from './model-store/defaults.js';
import type { ModelEntry } from './model-store/scan.js';
import { GpuQueue } from './queue/gpu-queue.js';
import { JobRegistry } from './queue/job-registry.js';
import { EngineWorker } from './worker/engine-worker.js';
import { ApiKeyCheck } from './grpc/auth.js';
import { CallerIdentity } from './grpc/caller.js';
import { HealthService } from './grpc/health.js';
import { ReflectionServiceAdapter } from './grpc/reflection.js';
import { TryOnService } from './grpc/tryon-service.js';
import { statusName } from './grpc/errors.js';

/** The weights-free try-on engine, listed by ListModels beside the models directory's entries. */
export const WARP_ENGINE_ENTRY: ModelEntry = { name: 'warp', kind: 'try-on', format: 'builtin', path: '', memoryBytes: 0, sizeBytes: 0 };

/** Stores are commercial users: non-commercial weights in the models directory stop the start unless allowed. */
function refuseNoncommercial(models: readonly ModelEntry[], allowed: boolean): void {
  const blocked = models.filter((m) => m.nonCommercial);
  if (blocked.length === 0 || allowed) return;
  const list = blocked.map((m) => `${m.name} (${m.path}): ${m.licence ?? 'non-commercial'}`).join('; ');
  throw new ConfigError(
    `the models directory holds weights licensed for non-commercial use only: ${list}. Remove them, or set TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS=true if this server is not used commercially`,
  );
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

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
  /** The engine worker process (its pid, restarts). */
  readonly engine: EngineWorker;
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
  const keyed = config.apiKeys.length + config.adminKeys.length > 0;
  if (!keyed && !isLoopback(config.host)) {
    logger.warn({ host: config.host }, 'listening beyond loopback without TRYON_API_KEYS: anyone who can reach this port can run and cancel jobs');
  } else if (!keyed) {
    logger.warn('TRYON_API_KEYS is not set: the TryOn service accepts calls without an API key (loopback only)');
  }

  const metrics = new ServerMetrics();
  const health = new HealthService();
  const queue = new GpuQueue(config.maxQueue, (depth) => {
    metrics.queueDepth.set({ priority: 'interactive' }, depth.interactive);
    metrics.queueDepth.set({ priority: 'training' }, depth.training);
    metrics.jobsRunning.set(depth.running);
  });
  metrics.queueDepth.set({ priority: 'interactive' }, 0);
  metrics.queueDepth.set({ priority: 'training' }, 0);
  const jobs = new JobRegistry(config.jobHistory);
  const catalog = new ModelCatalog();
  let loadedModels: ReadonlySet<string> = new Set();
  let engineBackend: BackendInfo | undefined;
  let defaults: ModelDefaults = {};
  let stopping: Promise<void> | undefined;

  // Health is SERVING only while a worker is up with the default model in memory; after a worker crash it is
  // NOT_SERVING until the restarted worker has loaded it again.
  const warmUp = async (): Promise<void> => {
    if (defaults.base) await engine.preload(defaults.base);
    if (stopping) return;
    health.setServing(true);
    logger.info({ model: defaults.base?.name ?? 'none (try-on only)' }, 'default model loaded; serving');
  };
  const engine = new EngineWorker(
    {
      backend: config.backend,
      ...(config.maxTensorBytes ? { maxTensorBytes: config.maxTensorBytes } : {}),
      ...(config.wasmThreads ? { wasmThreads: config.wasmThreads } : {}),
      dataDir: config.dataDir,
      modelsDir: config.modelsDir,
      offloadUnet: config.offloadUnet,
      modelMemoryBytes: config.modelMemoryMb * 1024 * 1024,
      logLevel: config.logLevel,
    },
    logger,
    {
      onDown: () => {
        health.setServing(false);
        metrics.workerRestarts.inc();
        loadedModels = new Set();
        engineBackend = undefined;
      },
      onUp: (info) => {
        metrics.workerPid.set(info.pid);
        engineBackend = info.backend;
        if (engine.restartCount > 0) warmUp().catch((error: unknown) => logger.error({ err: error }, 'the restarted engine worker could not load the default model'));
      },
      onModels: (loaded, bytes) => {
        loadedModels = new Set(loaded);
        metrics.modelsLoaded.set(loaded.length);
        metrics.modelBytes.set(bytes);
      },
    },
  );
  metrics.collectEngineStats(() => engine.stats(250));
  const worker = await engine.start();

  // Train publishes into the models directory; without one, into the data directory's.
  const trainingOutputDir = config.modelsDir ?? path.join(config.dataDir, 'models');
  const refreshModels = async (): Promise<void> => {
    const dirs = [config.modelsDir, worker.embeddedModelsDir, trainingOutputDir].filter((d, i, all): d is string => d !== undefined && fs.existsSync(d) && all.indexOf(d) === i);
    for (const problem of await catalog.refresh(dirs, [WARP_ENGINE_ENTRY])) logger.warn(problem, 'skipped an entry of the models directory');
  };
  try {
    await refreshModels();
    refuseNoncommercial(catalog.list(), config.allowNoncommercialWeights);
    defaults = chooseDefaults(catalog.list(), config.defaultModel);
  } catch (error) {
    await engine.stop();
    throw error;
  }
  logger.info({ models: catalog.list().map((m) => `${m.name} (${m.kind})`), base: defaults.base?.name, inpaint: defaults.inpaint?.name }, 'models found');

  const auth = new ApiKeyCheck([...config.apiKeys, ...config.adminKeys]);
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
    models: catalog,
    loadedModels: () => loadedModels,
    engineBackend: () => engineBackend,
    catalog: {
      find: (field, name, kinds) => catalog.find(field, name, kinds),
      has: (name) => catalog.list().some((m) => m.name === name),
      list: (kind) => catalog.list(kind),
      defaultFor: (kind) => defaults[kind],
      optional: (name, kinds) => catalog.list().find((m) => m.name === name && kinds.includes(m.kind)),
    },
    engine,
    callers: new CallerIdentity(keyed, config.adminKeys, config.anonymousOwner),
    refreshModels,
    trainingOutputDir,
    datasetsDir: config.datasetsDir ?? path.join(config.dataDir, 'datasets'),
  }).addToServer(server);
  health.addToServer(server);
  new ReflectionServiceAdapter().addToServer(server);

  let port: number;
  try {
    port = await bind(server, `${config.host}:${config.port}`, serverCredentials(config));
  } catch (error) {
    await engine.stop();
    throw error;
  }
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort >= 0) {
    // Metrics are a side channel: a taken port is logged, not fatal.
    metricsServer = await startMetricsServer(metrics, config.metricsPort, config.host).catch((error: unknown) => {
      logger.error({ err: error, metricsPort: config.metricsPort }, 'metrics server could not start; serving without /metrics');
      return undefined;
    });
  }
  const { adapter, maxTensorBytes } = worker.backend;
  logger.info(
    { host: config.host, port, metricsPort: metricsServer?.port ?? -1, backend: worker.backend.name, ...(adapter ? { adapter, maxTensorBytes } : {}), tls: Boolean(config.tlsCertPath) },
    'inference server listening',
  );

  const ready = warmUp();
  ready.catch((error: unknown) => logger.error({ err: error }, 'the default model could not be loaded; health stays NOT_SERVING'));

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
      await engine.stop();
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
  return { port, metricsPort: metricsServer?.port ?? -1, config, backend: worker.backend, health, engine, ready, stop };
}
