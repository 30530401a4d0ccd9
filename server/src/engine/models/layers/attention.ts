// Multi-head scaled dot-product attention, and diffusers' `Attention` module (to_q, to_k, to_v, to_out.0).
import * as tf from '@tensorflow/tfjs-core';
import { maxTensorElements } from '../../tensor-limit.js';
import { Linear } from './linear.js';
import type { Scope } from './parameters.js';

/**
 * Largest attention-score block computed at once, in elements (scores and probabilities are each this big).
 * SD 1.5 at 64x64 latents has 4096 tokens: one head is 16.8M scores, so heads (and, for larger images,
 * query rows) are processed in chunks, each in its own tidy: peak about 2 x 32 MB whatever the image size.
 */
export const ATTENTION_CHUNK_ELEMENTS = 1 << 23;

/** ATTENTION_CHUNK_ELEMENTS, or fewer where the backend caps one tensor lower (tensor-limit.ts). */
export function attentionChunkElements(): number {
  return Math.max(1, Math.min(ATTENTION_CHUNK_ELEMENTS, maxTensorElements()));
}

/** softmax(q k^T + mask) for one chunk of heads and query rows. */
function chunkProbabilities(q: tf.Tensor3D, k: tf.Tensor3D, mask: tf.Tensor2D | undefined): tf.Tensor3D {
  const scores = tf.matMul(q, k, false, true);
  return tf.softmax(mask === undefined ? scores : tf.add(scores, mask)) as tf.Tensor3D;
}

/**
 * softmax(q k^T + mask) v for one chunk, with a memory-efficient gradient: the tape keeps q, k and v, not the
 * [heads, rows, M] probabilities, which the backward pass recomputes. Taped softmax probabilities were the
 * bulk of training memory (SD 1.5 at 64x64 latents: 537 MB per self-attention layer). The gradient is the
 * same as the composed ops': dv = p^T dy, dp = dy v^T, ds = p (dp - Σ dp p), dq = ds k, dk = ds^T q.
 */
function attendChunk(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor2D | undefined): tf.Tensor3D {
  const attend = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qc, kc, vc] = args as tf.Tensor3D[];
    const save = args[3] as tf.GradSaveFunc;
    // The mask too: the caller's tidy frees it before the backward pass runs.
    save(mask === undefined ? [qc, kc, vc] : [qc, kc, vc, mask]);
    return {
      value: tf.matMul(chunkProbabilities(qc, kc, mask), vc),
      // In a tidy: tfjs runs a custom gradient outside one, so its temporaries would live until the whole
      // backward pass ends (gigabytes over the chunks of one SD 1.5 self-attention).
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [qs, ks, vs] = saved as tf.Tensor3D[];
          const dOut = dy as tf.Tensor3D;
          const p = chunkProbabilities(qs, ks, saved[3] as tf.Tensor2D | undefined);
          const dv = tf.matMul(p, dOut, true, false);
          const dp = tf.matMul(dOut, vs, false, true);
          const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
          return [tf.matMul(ds, ks), tf.matMul(ds, qs, true, false), dv];
        }),
    };
  });
  return attend(q, k, v) as tf.Tensor3D;
}

/**
 * softmax(q k^T / sqrt(d) + mask) v per head. q [B, N, H*d], k and v [B, M, H*d]; `mask` is additive,
 * [N, M], shared by every batch entry and head (CLIP's causal mask).
 */
export function multiHeadAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  heads: number,
  mask?: tf.Tensor2D,
  chunkElements: number = attentionChunkElements(),
): tf.Tensor3D {
  const [b, n, inner] = q.shape;
  const m = k.shape[1];
  const d = inner / heads;
  if (!Number.isInteger(d)) throw new Error(`attention: ${inner} channels cannot be split into ${heads} heads`);
  const scale = 1 / Math.sqrt(d);
  const toHeads = (t: tf.Tensor3D, len: number) =>
    tf.reshape(tf.transpose(tf.reshape(t, [b, len, heads, d]), [0, 2, 1, 3]), [b * heads, len, d]) as tf.Tensor3D;
  // Scaling q (N x d values) instead of the scores (N x M) saves a pass over the largest tensor.
  const qh = toHeads(tf.mul(q, scale), n);
  const kh = toHeads(k, m);
  const vh = toHeads(v, m);

  const headsPerChunk = Math.max(1, Math.floor(chunkElements / (n * m)));
  const rowsPerChunk = Math.min(n, Math.max(1, Math.floor(chunkElements / m)));
  const chunks: tf.Tensor3D[] = [];
  for (let h0 = 0; h0 < b * heads; h0 += headsPerChunk) {
    const hs = Math.min(headsPerChunk, b * heads - h0);
    const rows: tf.Tensor3D[] = [];
    for (let r0 = 0; r0 < n; r0 += rowsPerChunk) {
      const rs = Math.min(rowsPerChunk, n - r0);
      rows.push(
        tf.tidy(() => {
          const qc = tf.slice(qh, [h0, r0, 0], [hs, rs, d]);
          const kc = hs === b * heads ? kh : tf.slice(kh, [h0, 0, 0], [hs, m, d]);
          const vc = hs === b * heads ? vh : tf.slice(vh, [h0, 0, 0], [hs, m, d]);
          const maskRows = mask === undefined || rs === n ? mask : tf.slice(mask, [r0, 0], [rs, m]);
          return attendChunk(qc, kc, vc, maskRows);
        }),
      );
    }
    chunks.push(rows.length === 1 ? rows[0] : tf.concat(rows, 1));
  }
  const out = chunks.length === 1 ? chunks[0] : tf.concat(chunks, 0);
  return tf.reshape(tf.transpose(tf.reshape(out, [b, heads, n, d]), [0, 2, 1, 3]), [b, n, inner]) as tf.Tensor3D;
}

/**
 * Applies a per-token function to x [B, N, C] in chunks of tokens, each in its own tidy, so that its widest
 * intermediate ([B, chunk, width]) stays within attentionChunkElements(). Exact: tokens are independent.
 */
export function mapTokenChunks(
  x: tf.Tensor3D,
  width: number,
  fn: (chunk: tf.Tensor3D) => tf.Tensor3D,
  chunkElements: number = attentionChunkElements(),
): tf.Tensor3D {
  const [b, n, c] = x.shape;
  const tokens = Math.max(1, Math.floor(chunkElements / (b * width)));
  if (tokens >= n) return tf.tidy(() => fn(x));
  const parts: tf.Tensor3D[] = [];
  for (let start = 0; start < n; start += tokens) {
    const size = Math.min(tokens, n - start);
    parts.push(tf.tidy(() => fn(tf.slice(x, [0, start, 0], [b, size, c]))));
  }
  return tf.concat(parts, 1);
}

export interface AttentionOptions {
  queryDim: number;
  /** Width of the context for cross-attention; omitted = self-attention. */
  crossAttentionDim?: number;
  heads: number;
  dimHead: number;
  /** Bias on to_q/to_k/to_v (false in the UNet, true in the VAE). */
  qkvBias: boolean;
}

/** IP-Adapter's image tokens for a forward pass: [B, n, cross], and the weight of the image branch. */
export interface ImagePrompt {
  readonly tokens: tf.Tensor3D;
  readonly scale: number;
}

/** An IP-Adapter layer's key and value projections of the image tokens, compute layout [cross, inner]. */
export interface ImageKeyValue {
  readonly toK: tf.Tensor2D;
  readonly toV: tf.Tensor2D;
}

/**
 * diffusers' `Attention` on token sequences: to_q/to_k/to_v, attention, to_out.0 (linear with bias). A
 * cross-attention may carry an IP-Adapter layer (`imageKeyValue`): then, given an image prompt, it adds
 * scale · attention(q, to_k_ip(tokens), to_v_ip(tokens)) before to_out (decoupled cross-attention).
 */
export class Attention {
  /** Set while an IP-Adapter is attached (ip-adapter.ts); the module's own weights are never touched. */
  imageKeyValue: ImageKeyValue | undefined;
  private readonly toQ: Linear;
  private readonly toK: Linear;
  private readonly toV: Linear;
  private readonly toOut: Linear;
  readonly heads: number;
  /** heads × dim_head: the width of q, k and v. */
  readonly innerDim: number;

  constructor(scope: Scope, opts: AttentionOptions) {
    const inner = opts.heads * opts.dimHead;
    this.innerDim = inner;
    const contextDim = opts.crossAttentionDim ?? opts.queryDim;
    this.heads = opts.heads;
    this.toQ = new Linear(scope.child('to_q'), opts.queryDim, inner, { bias: opts.qkvBias });
    this.toK = new Linear(scope.child('to_k'), contextDim, inner, { bias: opts.qkvBias });
    this.toV = new Linear(scope.child('to_v'), contextDim, inner, { bias: opts.qkvBias });
    this.toOut = new Linear(scope.child('to_out').child(0), inner, opts.queryDim);
  }

  /** x [B, N, queryDim]; context [B, M, crossAttentionDim] for cross-attention, else x attends to itself. */
  apply(x: tf.Tensor3D, context?: tf.Tensor3D, image?: ImagePrompt): tf.Tensor3D {
    const ctx = context ?? x;
    const q = this.toQ.apply(x);
    let out = multiHeadAttention(q, this.toK.apply(ctx), this.toV.apply(ctx), this.heads);
    const kv = this.imageKeyValue;
    if (image !== undefined && kv !== undefined && image.scale !== 0) {
      const attendImage = multiHeadAttention(q, tf.matMul(image.tokens, kv.toK) as tf.Tensor3D, tf.matMul(image.tokens, kv.toV) as tf.Tensor3D, this.heads);
      out = tf.add(out, tf.mul(attendImage, image.scale));
    }
    return this.toOut.apply(out);
  }
}
