// The server's one in-memory image: 8-bit pixels, row-major, interleaved, `channels` bytes a pixel. Engines,
// the try-on pipeline and the worker pass these; files (PNG, JPEG) exist only at the edges that read or send them.

export type Channels = 1 | 3 | 4;

export interface Image<C extends Channels = Channels> {
  readonly width: number;
  readonly height: number;
  readonly channels: C;
  readonly data: Uint8Array;
}

/** RGB, 3 bytes a pixel. */
export type RgbImage = Image<3>;
/** RGBA, 4 bytes a pixel (a garment cut-out). */
export type RgbaImage = Image<4>;
/** One byte a pixel (a mask as the client sees it). */
export type GreyImage = Image<1>;

export const rgbImage = (width: number, height: number, data: Uint8Array): RgbImage => ({ width, height, channels: 3, data });
