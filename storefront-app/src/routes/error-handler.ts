// The one place where errors become HTTP responses: AppErrors keep their status and code; a client's own
// mistakes (a malformed body, one too large) are 4xx; a client that went away mid-upload is logged at info
// (nobody is there to answer); anything else is logged (without request bodies) and answered as a generic 500.
import type { ErrorRequestHandler } from 'express';
import multer from 'multer';
import type { Logger } from 'pino';
import { MAX_PHOTO_BYTES } from '@fitting-room/proto';
import { AppError, BadRequestError, ClientAbortedError, PayloadTooLargeError } from '../errors.js';
import { redactJobSecrets } from '../jobs/job-handle.js';

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new PayloadTooLargeError(`The photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB.`);
    return new BadRequestError(`The upload is malformed (${err.code}${err.field ? ` on field "${err.field}"` : ''}).`);
  }
  // body-parser errors carry a client status (bad JSON: 400, too large: 413).
  const status = (err as { status?: number }).status;
  if (status === 413) return new AppError(413, 'bad_request', 'The request body is too large.');
  if (typeof status === 'number' && status >= 400 && status < 500) return new BadRequestError((err as Error).message);
  return undefined;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const path = redactJobSecrets(req.path);
    if (err instanceof ClientAbortedError) {
      log.info({ method: req.method, path }, 'client aborted the request');
      if (!res.headersSent) res.destroy();
      return;
    }
    const appError = toAppError(err);
    if (!appError) log.error({ err, method: req.method, path }, 'unhandled error');
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
