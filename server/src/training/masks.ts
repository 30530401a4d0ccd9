// Random inpainting masks for fine-tuning the 9-channel UNet (1 = repaint), as the inpainting training
// recipes do: a rectangle or an ellipse covering a random part of the image, sometimes the whole image.

/** `u` holds 6 uniforms in [0, 1): shape, full-image, centre x/y, width, height. */
export function randomMask(size: number, u: readonly number[]): Float32Array {
  const mask = new Float32Array(size * size);
  if (u[1] < 0.1) return mask.fill(1);
  const w = Math.max(1, Math.round(size * (0.25 + 0.5 * u[4])));
  const h = Math.max(1, Math.round(size * (0.25 + 0.5 * u[5])));
  const cx = w / 2 + u[2] * (size - w);
  const cy = h / 2 + u[3] * (size - h);
  const ellipse = u[0] < 0.5;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = (x + 0.5 - cx) / (w / 2);
      const dy = (y + 0.5 - cy) / (h / 2);
      const inside = ellipse ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1;
      if (inside) mask[y * size + x] = 1;
    }
  }
  return mask;
}
