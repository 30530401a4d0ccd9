// One log line per request: method, path (no query: it can carry customer ids; job secrets redacted from the
// path), status and duration. The path is the original one: routers mounted under a prefix rewrite req.path.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { redactJobSecrets } from '../jobs/job-handle.js';

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const path = redactJobSecrets(req.originalUrl.split('?')[0]);
      log.info({ method: req.method, path, status: res.statusCode, ms: Number(process.hrtime.bigint() - start) / 1e6 }, 'request');
    });
    next();
  };
}
