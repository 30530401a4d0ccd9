// grpc.health.v1.Health for the server as a whole ("") and for the TryOn service: SERVING only once the
// default model is loaded, NOT_SERVING while loading or draining. Open without auth (see auth.ts).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from 'grpc-health-check';

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

export interface HealthClient extends grpc.Client {
  Check(request: { service: string }, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
}

/** A grpc.health.v1 client (probes, benchmarks, tests), on the health proto that grpc-health-check ships. */
export function createHealthClient(address: string, credentials: grpc.ChannelCredentials): HealthClient {
  const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: grpc.ChannelCredentials) => HealthClient } } };
  };
  return new pkg.grpc.health.v1.Health(address, credentials);
}

/** SERVING, NOT_SERVING, …; rejects with the call's error. */
export function checkHealth(client: HealthClient, service = ''): Promise<string> {
  return new Promise((resolve, reject) => client.Check({ service }, (error, response) => (error ? reject(error) : resolve(response?.status ?? '?'))));
}
