// Embedding lookup in a table that may be held in pieces of consecutive rows (a table over the tensor limit,
// such as SD 1.5's 151 MB CLIP token embedding on a 128 MiB WebGPU binding).
import * as tf from '@tensorflow/tfjs-core';

/** table[ids] for a table given as row pieces in order; int32 ids of any shape → [...ids.shape, width]. */
export function gatherRows(pieces: readonly tf.Tensor[], ids: tf.Tensor): tf.Tensor {
  if (pieces.length === 1) return tf.gather(pieces[0], ids);
  return tf.tidy(() => {
    let first = 0;
    // Every id is in exactly one piece: the others contribute rows multiplied by 0, so the sum is exact.
    const parts = pieces.map((piece) => {
      const rows = piece.shape[0];
      const local = tf.sub(ids, tf.scalar(first, 'int32'));
      const inside = tf.logicalAnd(tf.greaterEqual(local, tf.scalar(0, 'int32')), tf.less(local, tf.scalar(rows, 'int32')));
      const clamped = tf.minimum(tf.maximum(local, tf.scalar(0, 'int32')), tf.scalar(rows - 1, 'int32'));
      first += rows;
      return tf.mul(tf.gather(piece, clamped), tf.expandDims(tf.cast(inside, 'float32'), -1));
    });
    return tf.addN(parts);
  });
}
