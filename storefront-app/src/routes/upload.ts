// The multipart parser for the photo upload. Everything it can fail on is the request's fault: a body that is
// not valid multipart is 400 bad_request, and a client that stops sending is an abort (logged at info), never a
// 500 with a stack.
import type { RequestHandler } from 'express';
import multer from 'multer';
import { MAX_PHOTO_BYTES } from '@fitting-room/proto';
import { BadRequestError, ClientAbortedError } from '../errors.js';

export function photoUpload(): RequestHandler {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 8, parts: 10 } }).single('photo');
  return (req, res, next) => {
    parse(req, res, (err: unknown) => {
      if (err === undefined || err === null) return next();
      // The connection closed before the body ended: the client left (not a malformed body).
      if (req.readableAborted) return next(new ClientAbortedError('upload aborted'));
      if (err instanceof multer.MulterError) return next(err);
      next(new BadRequestError('The upload is not a valid multipart/form-data body.'));
    });
  };
}
