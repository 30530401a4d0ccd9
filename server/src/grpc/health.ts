// grpc.health.v1.Health for the server as a whole ("") and for the TryOn service: SERVING only once the
// default model is loaded, NOT_SERVING while loading or draining. Open without auth (see auth.ts).
import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

export const TRYON_SERVICE_NAME = 'tryon.v1.TryOn';

export class HealthService {
  private readonly impl = new HealthImplementation({ '': 'NOT_SERVING', [TRYON_SERVICE_NAME]: 'NOT_SERVING' });
  private current: ServingStatus = 'NOT_SERVING';

  get status(): ServingStatus {
    return this.current;
  }

  setServing(serving: boolean): void {
    this.current = serving ? 'SERVING' : 'NOT_SERVING';
    this.impl.setStatus('', this.current);
    this.impl.setStatus(TRYON_SERVICE_NAME, this.current);
  }

  addToServer(server: grpc.Server): void {
    this.impl.addToServer(server);
  }
}
