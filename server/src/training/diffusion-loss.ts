// The epsilon-prediction objective and its options: min-SNR-gamma weighting (Hang et al. 2023) and noise offset.
import * as tf from '@tensorflow/tfjs-core';

/** SNR(t) = alphā_t / (1 - alphā_t) for each timestep. */
export function snrAt(alphasCumprod: Float32Array, timesteps: readonly number[]): number[] {
  return timesteps.map((t) => alphasCumprod[t] / (1 - alphasCumprod[t]));
}

/** Per-sample loss weights min(SNR, gamma) / SNR (epsilon prediction). */
export function minSnrWeights(alphasCumprod: Float32Array, timesteps: readonly number[], gamma: number): number[] {
  return snrAt(alphasCumprod, timesteps).map((snr) => Math.min(snr, gamma) / snr);
}

/**
 * Per-sample weights 1 / sqrt(SNR) (kohya's "debiased estimation", Yu et al. 2023), capped at 1000: up-weights
 * the noisy timesteps, where the colour and layout a caption asks for are decided.
 */
export function debiasedWeights(alphasCumprod: Float32Array, timesteps: readonly number[]): number[] {
  return snrAt(alphasCumprod, timesteps).map((snr) => Math.min(1000, 1 / Math.sqrt(snr)));
}

/**
 * mean((pred - target)^2): over everything when unweighted (diffusers' F.mse_loss "mean"); with per-sample
 * weights, the mean over each sample's elements, weighted, then the mean over the batch.
 */
export function epsilonLoss(pred: tf.Tensor, target: tf.Tensor, weights?: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.squaredDifference(pred, target);
    if (weights === undefined) return tf.mean(sq) as tf.Scalar;
    const perSample = tf.mean(tf.reshape(sq, [sq.shape[0], -1]), 1);
    return tf.mean(tf.mul(perSample, tf.tensor1d([...weights]))) as tf.Scalar;
  });
}

/** Noise offset (Guttenberg 2023): adds offset * N(0,1) per sample and channel, so the model learns overall brightness. */
export function offsetNoise(noise: tf.Tensor4D, offset: number, perChannel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.add(noise, tf.mul(perChannel, offset)));
}
