// Prometheus metrics on a side HTTP port: queue depth, job latency, steps per second, failures by code.
// Each server owns its own registry so several servers (tests) in one process do not collide.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MemoryStats } from './worker/protocol.js';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly queueDepth = new Gauge({
    name: 'tryon_queue_depth',
    help: 'Jobs waiting for the GPU, by priority',
    labelNames: ['priority'] as const,
    registers: [this.registry],
  });
  readonly jobsRunning = new Gauge({ name: 'tryon_jobs_running', help: 'Jobs holding the GPU (0 or 1)', registers: [this.registry] });
  readonly queueWait = new Histogram({
    name: 'tryon_queue_wait_seconds',
    help: 'Time from acceptance to start, by job kind',
    labelNames: ['kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'tryon_job_duration_seconds',
    help: 'Time from acceptance to the end of the job, by kind, mode and outcome',
    labelNames: ['kind', 'mode', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly stepsPerSecond = new Gauge({
    name: 'tryon_steps_per_second',
    help: 'Denoising or training steps per second of the last finished run, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly steps = new Counter({
    name: 'tryon_steps_total',
    help: 'Denoising or training steps run, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'tryon_failures_total',
    help: 'Calls that ended with a gRPC error, by method and status code name',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });
  readonly modelsLoaded = new Gauge({ name: 'tryon_models_loaded', help: 'Models held in memory', registers: [this.registry] });
  readonly modelBytes = new Gauge({ name: 'tryon_model_bytes', help: 'Bytes of weights held in memory', registers: [this.registry] });

  readonly workerRestarts = new Counter({ name: 'tryon_engine_worker_restarts_total', help: 'Times the engine worker process stopped unexpectedly and was restarted', registers: [this.registry] });
  readonly workerPid = new Gauge({ name: 'tryon_engine_worker_pid', help: 'Process id of the engine worker', registers: [this.registry] });
  private engineStats: () => Promise<MemoryStats | undefined> = async () => undefined;
  readonly workerMemory = new Gauge({
    name: 'tryon_engine_worker_memory',
    help: 'Engine worker memory by measure: rss_bytes, heap_used_bytes, tensor_bytes, tensors (last answer; a busy worker keeps the previous values)',
    labelNames: ['measure'] as const,
    registers: [this.registry],
    collect: async () => {
      const stats = await this.engineStats();
      if (!stats) return;
      this.workerMemory.set({ measure: 'rss_bytes' }, stats.rssBytes);
      this.workerMemory.set({ measure: 'heap_used_bytes' }, stats.heapUsedBytes);
      this.workerMemory.set({ measure: 'tensor_bytes' }, stats.tensorBytes);
      this.workerMemory.set({ measure: 'tensors' }, stats.tensors);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where the worker's memory figures come from at each scrape. */
  collectEngineStats(fetch: () => Promise<MemoryStats | undefined>): void {
    this.engineStats = fetch;
  }
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics; port 0 picks a free one. */
export async function startMetricsServer(metrics: ServerMetrics, port: number, host: string): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
