// @fitting-room/proto: the contract between the inference server, its clients and the storefront.
// gRPC: tryon.proto's generated types, the loader options both sides use, and a typed client factory.
export { createTryOnClient, loadTryOnProto, loadTryOnPackageDefinition, type ProtoGrpcType, type TryOnClient, type TryOnHandlers, type TryOnDefinition } from './load-proto.js';
export { PROTO_ROOT, PROTO_FILES, PROTO_LOADER_OPTIONS, RUNTIME_LOADER_OPTIONS } from './loader-options.js';
export * from './error-reasons.js';
export * from './generated/tryon/v1/CancelJobRequest.js';
export * from './generated/tryon/v1/Checkpoint.js';
export * from './generated/tryon/v1/DatasetReport.js';
export * from './generated/tryon/v1/Decoder.js';
export * from './generated/tryon/v1/Done.js';
export * from './generated/tryon/v1/EngineBackend.js';
export * from './generated/tryon/v1/GarmentCategory.js';
export * from './generated/tryon/v1/GarmentConditioning.js';
export * from './generated/tryon/v1/GenerateEvent.js';
export * from './generated/tryon/v1/GenerateRequest.js';
export * from './generated/tryon/v1/GetJobRequest.js';
export * from './generated/tryon/v1/Job.js';
export * from './generated/tryon/v1/JobKind.js';
export * from './generated/tryon/v1/JobState.js';
export * from './generated/tryon/v1/ListJobsRequest.js';
export * from './generated/tryon/v1/ListJobsResponse.js';
export * from './generated/tryon/v1/ListModelsRequest.js';
export * from './generated/tryon/v1/ListModelsResponse.js';
export * from './generated/tryon/v1/LoraRef.js';
export * from './generated/tryon/v1/Mode.js';
export * from './generated/tryon/v1/ModelInfo.js';
export * from './generated/tryon/v1/ModelKind.js';
export * from './generated/tryon/v1/Paused.js';
export * from './generated/tryon/v1/Progress.js';
export * from './generated/tryon/v1/Quality.js';
export * from './generated/tryon/v1/Queued.js';
export * from './generated/tryon/v1/Result.js';
export * from './generated/tryon/v1/Sample.js';
export * from './generated/tryon/v1/Started.js';
export * from './generated/tryon/v1/Timings.js';
export * from './generated/tryon/v1/TrainEvent.js';
export * from './generated/tryon/v1/TrainMode.js';
export * from './generated/tryon/v1/TrainProgress.js';
export * from './generated/tryon/v1/TrainRequest.js';

// The shopper HTTP API (storefront ↔ widget), the catalog-export format (storefront → training), the photo size,
// the garment categories.
export * from './shopper-api.js';
export * from './catalog-export.js';
export * from './wearable-categories.js';
