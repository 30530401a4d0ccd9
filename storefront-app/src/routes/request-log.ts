// One log line per request: method, path (no query: it can carry customer ids), status and duration.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      log.info({ method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - start) / 1e6 }, 'request');
    });
    next();
  };
}
