// A runner for an engine this build or configuration does not have: every job gets a clear status.
import { EngineUnavailableError } from './types.js';

export function unavailableRunner(
  what: string,
  reason: string,
  kind: 'unimplemented' | 'failed-precondition' = 'unimplemented',
): { run(): Promise<never> } {
  return { run: () => Promise.reject(new EngineUnavailableError(what, reason, kind)) };
}
