// The one place where errors become HTTP responses: AppErrors keep their status and code; anything else is
// logged (without request bodies) and answered as a generic 500.
import type { ErrorRequestHandler } from 'express';
import multer from 'multer';
import type { Logger } from 'pino';
import { MAX_PHOTO_BYTES } from '@fitting-room/proto';
import { AppError, BadRequestError, PayloadTooLargeError } from '../errors.js';

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new PayloadTooLargeError(`The photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB.`);
    return new BadRequestError(`The upload is malformed (${err.code}${err.field ? ` on field "${err.field}"` : ''}).`);
  }
  // body-parser / busboy errors carry a client status (malformed multipart, bad JSON).
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new BadRequestError((err as Error).message);
  return undefined;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appError = toAppError(err);
    if (!appError) log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    const status = appError?.status ?? 500;
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).set(appError?.headers ?? {}).json({
      error: { code: appError?.code ?? 'internal', message: appError?.message ?? 'Something went wrong.' },
    });
  };
}
