// Structured logs. Shoppers' photos and results are personal data: request bodies are never logged, and
// fields that could carry image bytes or a customer's contact details are censored.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

const CENSORED = ['photo', 'bytes', 'personImage', 'garmentImage', 'previewJpeg', 'previewJpegBase64', 'email', 'phone'];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    { name: 'storefront', level, redact: { paths: CENSORED.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: '[omitted]' } },
    destination ?? pino.destination(1),
  );
}
