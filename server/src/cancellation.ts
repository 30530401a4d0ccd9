// The one cancellation type. The queue aborts a job's signal with it (saying why), the engine's denoising loop
// and the try-on pipeline stop by throwing it (saying how far they got), it crosses the worker boundary as its
// reason, and the gRPC layer maps it to CANCELLED, DEADLINE_EXCEEDED or UNAVAILABLE. No tensor code here: the gRPC
// process imports it too.

export type CancelReason = 'client-cancelled' | 'deadline-exceeded' | 'cancel-requested' | 'shutdown';

const REASON_TEXT: Record<CancelReason, string> = {
  'client-cancelled': 'the client cancelled the call',
  'deadline-exceeded': "the call's deadline passed",
  'cancel-requested': 'cancellation was requested',
  shutdown: 'the server is shutting down',
};

export interface CancelledAt {
  readonly completedSteps: number;
  readonly totalSteps: number;
}

export class CancelledError extends Error {
  constructor(
    readonly reason: CancelReason = 'cancel-requested',
    readonly at?: CancelledAt,
  ) {
    super(`cancelled: ${REASON_TEXT[reason]}${at ? ` (after ${at.completedSteps} of ${at.totalSteps} steps)` : ''}`);
    this.name = 'CancelledError';
  }
}

/** The cancellation a signal was aborted with (keeping its reason), placed at a step when one is known. */
export function cancellationOf(signal: AbortSignal | undefined, at?: CancelledAt): CancelledError {
  const reason = signal?.reason instanceof CancelledError ? signal.reason.reason : 'cancel-requested';
  return new CancelledError(reason, at);
}
