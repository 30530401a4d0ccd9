// `node --import tsx server/src/health-probe.ts`: exits 0 when the server on this host answers grpc.health.v1
// SERVING, else 1. The container image's HEALTHCHECK runs it (Kubernetes probes gRPC health natively).
import * as grpc from '@grpc/grpc-js';
import { checkHealth, createHealthClient } from './grpc/health.js';

const port = process.env.TRYON_PORT ?? '50051';
const client = createHealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const deadline = Date.now() + 3_000;

client.waitForReady(deadline, (connectError) => {
  if (connectError) {
    console.error(`health: cannot reach 127.0.0.1:${port} (${connectError.message})`);
    process.exit(1);
  }
  checkHealth(client).then(
    (status) => {
      console.log(`health: ${status}`);
      process.exit(status === 'SERVING' ? 0 : 1);
    },
    (error: grpc.ServiceError) => {
      console.error(`health: ${error.details ?? error.message}`);
      process.exit(1);
    },
  );
});
