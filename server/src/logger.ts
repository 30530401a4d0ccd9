// Structured JSON logs (pino). Shoppers' photos are personal data: request messages are never logged whole,
// and any image field that slips into a log object is censored by the redaction list.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

const IMAGE_FIELDS = ['person_image', 'garment_image', 'init_image', 'mask_image', 'images_png', 'mask_png', 'preview_jpeg', 'image_png'];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'tryon-server',
      level,
      redact: { paths: IMAGE_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: '[image bytes omitted]' },
    },
    destination ?? pino.destination(1),
  );
}

/** A request summary safe to log: sizes of images instead of their bytes. */
export function describeImages(fields: Record<string, Uint8Array | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, bytes]) => bytes !== undefined && bytes.length > 0)
      .map(([name, bytes]) => [`${name}_bytes`, bytes?.length ?? 0]),
  );
}
