// `npm run bench:sd -- --profile`: where one forward pass spends its time, measured by wrapping every kernel
// of the active backend (wasm kernels run synchronously, so a kernel's wall time is its compute), the
// backend's `write` (host-to-backend uploads: offloaded weights), garbage collection (perf_hooks 'gc'
// entries) and the layer that is running (the UNet's stages). XNNPACK packs a convolution's or matmul's
// weights the first time it sees that weight tensor; calls on a weight seen for the first time are counted
// apart ("first use"), and `estimatePacking` times packing alone on a tiny input.
import { PerformanceObserver } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';

interface Tally {
  ms: number;
  calls: number;
}

type TensorInfo = { dataId: object; shape: number[] };

function add(map: Map<string, Tally>, key: string, ms: number): void {
  const t = map.get(key) ?? { ms: 0, calls: 0 };
  t.ms += ms;
  t.calls++;
  map.set(key, t);
}

/** The row a kernel call is counted in: its name, and what decides its speed (path, kernel size, first use). */
function kernelRow(name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>, seen: WeakSet<object>, firstUses: Map<string, number>): string {
  const firstUse = (kind: string, shape: number[]) => firstUses.set(`${kind} ${shape.join('x')}`, (firstUses.get(`${kind} ${shape.join('x')}`) ?? 0) + 1);
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    const { a, b } = inputs;
    const batch = (s: number[]) => s.slice(0, -2).reduce((x, y) => x * y, 1);
    // tfjs-backend-wasm's kernel runs XNNPACK's fully-connected operator only for batch 1 with neither side
    // transposed (its scalar loop otherwise, unless the engine's kernels/batch-matmul.ts is in front, which
    // turns the others into such products: their time is counted in the outer call's row).
    const plain = !attrs.transposeA && !attrs.transposeB && batch(a.shape) === 1 && batch(b.shape) === 1;
    const first = plain && !seen.has(b.dataId) ? ', first use' : '';
    if (first) firstUse('matmul', b.shape.slice(-2));
    if (plain) seen.add(b.dataId);
    const kind = plain ? 'plain' : `batch ${batch(a.shape)}${attrs.transposeB ? ', b transposed' : ''}${attrs.transposeA ? ', a transposed' : ''}`;
    return `${name} (${kind}${first}) [${a.shape.join('x')}]@[${b.shape.join('x')}]`;
  }
  if (name === 'Conv2D' || name === 'FusedConv2D') {
    const f = inputs.filter;
    const first = seen.has(f.dataId) ? '' : ', first use';
    if (first) firstUse('conv', f.shape);
    seen.add(f.dataId);
    const x = inputs.x.shape;
    return `${name} ${f.shape[0]}x${f.shape[1]} ${f.shape[2]}->${f.shape[3]} on ${x[1]}x${x[2]}${first}`;
  }
  if (name === 'Slice' || name === 'Transpose' || name === 'SplitV') return `${name} [${inputs.x.shape.join('x')}]`;
  return name;
}

export class KernelProfiler {
  readonly kernels = new Map<string, Tally>();
  readonly layers = new Map<string, Tally>();
  /** Weights XNNPACK met for the first time (so packed), by kind and shape: how many. */
  readonly firstUses = new Map<string, number>();
  private readonly seen = new WeakSet<object>();
  private readonly restore: (() => void)[] = [];
  private depth = 0;
  private gcMs = 0;
  private uploadMs = 0;
  private uploadBytes = 0;
  private readonly gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.gcMs += entry.duration;
  });

  /**
   * Times one pass of `fn` kernel by kernel and returns the tables (report). Meant to run after the timed runs:
   * variables (resident weights) count as packed already, since those runs packed them.
   */
  async profile(title: string, fn: () => Promise<void>): Promise<string> {
    this.install();
    const t0 = performance.now();
    try {
      await fn();
    } finally {
      await this.uninstall();
    }
    const wall = performance.now() - t0;
    return this.report(title, wall, await estimatePacking(this.firstUses.keys()));
  }

  /** Wraps the active backend's kernels and uploads until `uninstall()`. */
  private install(): void {
    for (const v of Object.values(tf.engine().registeredVariables)) this.seen.add(v.dataId);
    const backendName = tf.getBackend();
    for (const config of tf.getKernelsForBackend(backendName)) {
      const inner = config.kernelFunc;
      const wrapped: tf.KernelFunc = (args) => {
        const row = kernelRow(config.kernelName, args.inputs as unknown as Record<string, TensorInfo>, args.attrs as Record<string, unknown>, this.seen, this.firstUses);
        this.depth++;
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          this.depth--;
          // Nested kernel calls are part of the outer one: only the outermost is counted.
          if (this.depth === 0) add(this.kernels, row, performance.now() - t0);
        }
      };
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel({ ...config, kernelFunc: wrapped });
      this.restore.push(() => {
        tf.unregisterKernel(config.kernelName, backendName);
        tf.registerKernel(config);
      });
    }
    const backend = tf.backend() as unknown as { write: (values: { byteLength?: number } | null, ...rest: unknown[]) => unknown };
    const write = backend.write.bind(backend);
    backend.write = (values, ...rest) => {
      const t0 = performance.now();
      try {
        return write(values, ...rest);
      } finally {
        this.uploadMs += performance.now() - t0;
        this.uploadBytes += values?.byteLength ?? 0;
      }
    };
    this.restore.push(() => {
      backend.write = write;
    });
    this.gc.observe({ entryTypes: ['gc'] });
  }

  private async uninstall(): Promise<void> {
    // Node hands GC entries to observers from the event loop, which a synchronous pass never reaches: let it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.gc.disconnect();
    for (const undo of this.restore.reverse()) undo();
    this.restore.length = 0;
  }

  /** Runs `fn` as the layer `name` (its wall time, kernels included). */
  layer<T>(name: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      add(this.layers, name, performance.now() - t0);
    }
  }

  /** The tables, sorted by time, against `wallMs` (the pass as a whole); packing from estimatePacking(firstUses). */
  report(title: string, wallMs: number, packing?: Map<string, number>): string {
    const packingMs = packing === undefined ? undefined : [...this.firstUses].reduce((sum, [key, n]) => sum + n * (packing.get(key) ?? 0), 0);
    const kernelMs = [...this.kernels.values()].reduce((s, t) => s + t.ms, 0);
    const lines = [`profile: ${title}, ${(wallMs / 1000).toFixed(2)} s wall`];
    const table = (heading: string, rows: [string, Tally | number][]) => {
      lines.push(`  ${heading.padEnd(64)}${'ms'.padStart(10)}${'%'.padStart(7)}${'calls'.padStart(8)}`);
      for (const [name, v] of rows.sort((a, b) => ms(b[1]) - ms(a[1]))) {
        const calls = typeof v === 'number' ? '' : String(v.calls);
        lines.push(`  ${name.padEnd(64)}${ms(v).toFixed(0).padStart(10)}${((100 * ms(v)) / wallMs).toFixed(1).padStart(7)}${calls.padStart(8)}`);
      }
    };
    table('where the time goes', [
      ['kernels (compute, incl. XNNPACK packing on first use)', kernelMs],
      ...(packingMs === undefined ? [] : [[`  of which XNNPACK weight packing (estimated, ${[...this.firstUses.values()].reduce((a, b) => a + b, 0)} weights)`, packingMs] as [string, number]]),
      [`weight uploads host -> backend (${(this.uploadBytes / 2 ** 30).toFixed(2)} GiB)`, this.uploadMs],
      ['garbage collection (overlaps the above)', this.gcMs],
      ['outside kernels and uploads (JS, tidy, dispose)', Math.max(0, wallMs - kernelMs - this.uploadMs)],
    ]);
    table('kernel', [...this.kernels]);
    if (this.layers.size > 0) table('layer', [...this.layers]);
    return lines.join('\n');
  }
}

function ms(v: Tally | number): number {
  return typeof v === 'number' ? v : v.ms;
}

/**
 * XNNPACK's weight packing alone, for each `firstUses` key ("conv kh x kw x in x out" or "matmul in x out"): an
 * op on a one-pixel (one-row) input with a fresh weight, which packs, minus the same op once packed. Milliseconds.
 */
async function estimatePacking(keys: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const key of keys) {
    const [kind, dims] = key.split(' ');
    const shape = dims.split('x').map(Number);
    const x = kind === 'conv' ? tf.zeros([1, shape[0], shape[1], shape[2]]) : tf.zeros([1, shape[0]]);
    const op = (w: tf.Tensor) => (kind === 'conv' ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid') : tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D));
    const timed = async (w: tf.Tensor) => {
      const t0 = performance.now();
      const y = op(w);
      await y.data();
      y.dispose();
      return performance.now() - t0;
    };
    const fresh: number[] = [];
    const packed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const w = tf.randomNormal(shape);
      fresh.push(await timed(w));
      packed.push(await timed(w));
      w.dispose();
    }
    x.dispose();
    out.set(key, Math.max(0, Math.min(...fresh) - Math.min(...packed)));
  }
  return out;
}
