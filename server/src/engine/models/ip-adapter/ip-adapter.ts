// An IP-Adapter file in h94/IP-Adapter's original layout: the image projection (`image_proj.*`) and one key/value
// pair per cross-attention (`ip_adapter.K.to_k_ip|to_v_ip.weight` [inner, cross], K = 1, 3, 5, … in the order of
// diffusers' attention processors). Attaching gives each UNet cross-attention its pair; the UNet's own weights are
// never changed, so detaching leaves the model exactly as it was (and LoRAs and offloaded weights work alongside).
import * as tf from '@tensorflow/tfjs-core';
import { disposeWeights, loadSafetensors } from '../../safetensors/reader.js';
import type { WeightMap } from '../../types.js';
import type { ImageKeyValue } from '../layers/attention.js';
import type { UNet2DConditionModel } from '../unet/unet-2d-condition.js';
import { imageProjection, type ImageProjection } from './image-projection.js';

export class IPAdapterError extends Error {
  override name = 'IPAdapterError';
}

export interface AttachedIPAdapter {
  detach(): void;
}

export class IPAdapter {
  private attachedTo: UNet2DConditionModel | undefined;

  private constructor(
    readonly source: string,
    readonly projection: ImageProjection,
    /** Per cross-attention, in processor order; compute layout [cross, inner]. */
    private readonly layers: readonly ImageKeyValue[],
  ) {}

  get kind(): 'base' | 'plus' {
    return this.projection.kind;
  }

  static async load(path: string): Promise<IPAdapter> {
    return IPAdapter.fromWeights(path, await loadSafetensors(path));
  }

  /** Takes ownership of `weights`. */
  static fromWeights(source: string, weights: WeightMap): IPAdapter {
    const projWeights: WeightMap = new Map();
    const pairs = new Map<number, Partial<Record<'toK' | 'toV', tf.Tensor>>>();
    const foreign: string[] = [];
    for (const [key, t] of weights) {
      const layer = /^ip_adapter\.(\d+)\.(to_k_ip|to_v_ip)\.weight$/.exec(key);
      if (key.startsWith('image_proj.')) projWeights.set(key, t);
      else if (layer) pairs.set(Number(layer[1]), { ...pairs.get(Number(layer[1])), [layer[2] === 'to_k_ip' ? 'toK' : 'toV']: t });
      else foreign.push(key);
    }
    const fail = (message: string): never => {
      disposeWeights(weights);
      throw new IPAdapterError(`${source}: ${message}`);
    };
    if (foreign.length > 0) fail(`not an IP-Adapter file in h94/IP-Adapter's layout: unexpected key ${foreign[0]}`);
    if (projWeights.size === 0 || pairs.size === 0) fail('not an IP-Adapter file: it needs image_proj.* and ip_adapter.N.to_k_ip/to_v_ip weights');
    const order = [...pairs.keys()].sort((a, b) => a - b);
    order.forEach((k, j) => {
      if (k !== 2 * j + 1) fail(`cross-attention layers are numbered 1, 3, 5, …; found ${order.slice(0, j + 1).join(', ')}`);
      const pair = pairs.get(k)!;
      if (!pair.toK || !pair.toV) fail(`layer ${k} lacks its ${pair.toK ? 'to_v_ip' : 'to_k_ip'} weight`);
    });
    let projection: ImageProjection;
    try {
      projection = imageProjection(projWeights);
    } catch (err) {
      return fail(`image projection: ${(err as Error).message}`);
    } finally {
      disposeWeights(projWeights);
    }
    // PyTorch's Linear weight [out, in] → [in, out] so that tokens @ W.
    const layers = order.map((k) => {
      const { toK, toV } = pairs.get(k) as Record<'toK' | 'toV', tf.Tensor>;
      const kv = { toK: tf.transpose(toK) as tf.Tensor2D, toV: tf.transpose(toV) as tf.Tensor2D };
      tf.dispose([toK, toV]);
      return kv;
    });
    return new IPAdapter(source, projection, layers);
  }

  /** Gives every cross-attention of `unet` its image key/value; refuses a UNet the file does not fit, naming why. */
  attach(unet: UNet2DConditionModel): AttachedIPAdapter {
    if (this.attachedTo) throw new IPAdapterError(`${this.source}: already attached to a UNet`);
    const attentions = unet.crossAttentions();
    if (attentions.some((a) => a.imageKeyValue !== undefined)) throw new IPAdapterError(`${this.source}: the UNet already has an IP-Adapter attached`);
    if (attentions.length !== this.layers.length) {
      throw new IPAdapterError(`${this.source}: has ${this.layers.length} cross-attention layers, the UNet ${attentions.length} (another architecture?)`);
    }
    const cross = unet.config.crossAttentionDim;
    if (this.projection.crossDim !== cross) {
      throw new IPAdapterError(`${this.source}: its image tokens are ${this.projection.crossDim} wide, the UNet's cross-attention takes ${cross}`);
    }
    attentions.forEach((attention, j) => {
      const { toK } = this.layers[j];
      const inner = attention.innerDim;
      if (toK.shape[0] !== cross || toK.shape[1] !== inner) {
        throw new IPAdapterError(`${this.source}: ip_adapter.${2 * j + 1}.to_k_ip is [${toK.shape[1]}, ${toK.shape[0]}], the UNet's cross-attention ${j} needs [${inner}, ${cross}]`);
      }
    });
    attentions.forEach((attention, j) => (attention.imageKeyValue = this.layers[j]));
    this.attachedTo = unet;
    let attached = true;
    return {
      detach: () => {
        if (!attached) return;
        attached = false;
        attentions.forEach((attention) => (attention.imageKeyValue = undefined));
        this.attachedTo = undefined;
      },
    };
  }

  dispose(): void {
    this.projection.dispose();
    tf.dispose(this.layers.flatMap((l) => [l.toK, l.toV]));
  }
}
