// Loads tryon.proto at run time with the shared options; the typed package for servers and clients.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { PROTO_FILES, PROTO_ROOT, RUNTIME_LOADER_OPTIONS } from './loader-options.js';
import type { ProtoGrpcType } from './generated/tryon.js';

export type { ProtoGrpcType } from './generated/tryon.js';
export type { TryOnClient, TryOnHandlers, TryOnDefinition } from './generated/tryon/v1/TryOn.js';

let cachedDefinition: protoLoader.PackageDefinition | undefined;
let cached: ProtoGrpcType | undefined;

/** The parsed package definition (for reflection), loaded once per process. */
export function loadTryOnPackageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(
    PROTO_FILES.map((file) => path.join(PROTO_ROOT, file)),
    RUNTIME_LOADER_OPTIONS,
  );
  return cachedDefinition;
}

/** The typed `tryon.v1` package: services and message types. */
export function loadTryOnProto(): ProtoGrpcType {
  cached ??= grpc.loadPackageDefinition(loadTryOnPackageDefinition()) as unknown as ProtoGrpcType;
  return cached;
}

/** A client for the TryOn service, e.g. `createTryOnClient('localhost:50051', grpc.credentials.createInsecure())`. */
export function createTryOnClient(
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
): import('./generated/tryon/v1/TryOn.js').TryOnClient {
  return new (loadTryOnProto().tryon.v1.TryOn)(address, credentials, options);
}
