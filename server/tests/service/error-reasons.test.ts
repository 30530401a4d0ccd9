// The one map from errors to gRPC statuses and reasons: each kind of failure gets the status a client can act on,
// the reason in trailing metadata, and INTERNAL never leaks the engine's message.
import { describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { InputError, toServiceError, toStatus } from '../../src/grpc/errors.js';
import { QueueFullError } from '../../src/queue/errors.js';
import { CancelledError } from '../../src/cancellation.js';
import { TryOnError } from '../../src/tryon/errors.js';
import { IPAdapterError, LoraError } from '../../src/engine/index.js';
import { WorkerStoppedError } from '../../src/worker/errors.js';

describe('toStatus', () => {
  it.each([
    [new TryOnError('SEVERAL_PEOPLE', '2 people found'), status.INVALID_ARGUMENT, 'SEVERAL_PEOPLE'],
    [new TryOnError('MODEL_MISSING', 'no model'), status.FAILED_PRECONDITION, 'MODEL_MISSING'],
    [new InputError('person_image is 9000x9000', 'IMAGE_TOO_LARGE'), status.INVALID_ARGUMENT, 'IMAGE_TOO_LARGE'],
    [new QueueFullError(16), status.RESOURCE_EXHAUSTED, 'QUEUE_FULL'],
    [new CancelledError('shutdown'), status.UNAVAILABLE, 'SHUTTING_DOWN'],
    [new CancelledError('deadline-exceeded'), status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
    [new WorkerStoppedError('signal SIGKILL'), status.UNAVAILABLE, 'ENGINE_RESTARTED'],
    [new LoraError('x.safetensors: not a LoRA'), status.INVALID_ARGUMENT, 'BAD_ARGUMENT'],
    [new IPAdapterError('adapter.safetensors: has 15 layers, the UNet 16'), status.FAILED_PRECONDITION, 'MODEL_MISSING'],
    [new CancelledError('cancel-requested', { completedSteps: 3, totalSteps: 10 }), status.CANCELLED, 'CANCELLED'],
    [new CancelledError('client-cancelled'), status.CANCELLED, 'CANCELLED'],
  ] as const)('%s → %s %s', (error, code, reason) => {
    const info = toStatus(error);
    expect([info.code, info.reason, info.details]).toEqual([code, reason, error.message]);
    const metadata = toServiceError(info).metadata!;
    expect([metadata.get('error-reason'), metadata.get('error-domain')]).toEqual([[reason], ['tryon.v1']]);
  });

  it('keeps an unexpected error to the log: INTERNAL with a generic sentence', () => {
    const info = toStatus(new TypeError('cannot read properties of undefined (/srv/models/x)'));
    expect(info).toMatchObject({ code: status.INTERNAL, reason: 'INTERNAL', expected: false });
    expect(info.details).not.toContain('/srv');
  });
});
