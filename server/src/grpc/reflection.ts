// Server reflection (grpcurl, Postman) over the TryOn service and the health service.
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { RUNTIME_LOADER_OPTIONS, loadTryOnPackageDefinition } from '@fitting-room/proto';

export class ReflectionServiceAdapter {
  private readonly impl: ReflectionService;

  constructor() {
    const health = protoLoader.loadSync(healthProtoPath, RUNTIME_LOADER_OPTIONS);
    this.impl = new ReflectionService({ ...loadTryOnPackageDefinition(), ...health });
  }

  addToServer(server: grpc.Server): void {
    this.impl.addToServer(server);
  }
}
