// The inference server's public entry point.
//   startServer(overrides?, options?) → { port, metricsPort, config, backend, health, ready, stop(graceMs?) }
//     overrides: any ServerConfigInput key (port, modelsDir, apiKeys, maxQueue, metricsPort: -1 to disable…);
//     unset keys come from TRYON_* environment variables, then defaults (see config.ts).
//   loadConfig, ServerConfig: the configuration schema.
//   createTryOnClient, loadTryOnProto: a typed grpc-js client and the loaded tryon.v1 package.
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { loadConfig, ConfigError, SERVER_ENV_NAMES, type ServerConfig, type ServerConfigInput } from './config.js';
export { createTryOnClient, loadTryOnProto, loadTryOnPackageDefinition, type ProtoGrpcType, type TryOnClient } from '@fitting-room/proto';
export { TRYON_SERVICE_NAME, createHealthClient, checkHealth, type HealthClient } from './grpc/health.js';

// bench:tryon times the image encoder on its own.
export { loadImagePromptModel, type ImagePromptModel } from './worker/runners/image-prompt-models.js';
