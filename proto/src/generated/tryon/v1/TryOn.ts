// Original file: tryon/v1/tryon.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelJobRequest as _tryon_v1_CancelJobRequest, CancelJobRequest__Output as _tryon_v1_CancelJobRequest__Output } from '../../tryon/v1/CancelJobRequest.js';
import type { GenerateEvent as _tryon_v1_GenerateEvent, GenerateEvent__Output as _tryon_v1_GenerateEvent__Output } from '../../tryon/v1/GenerateEvent.js';
import type { GenerateRequest as _tryon_v1_GenerateRequest, GenerateRequest__Output as _tryon_v1_GenerateRequest__Output } from '../../tryon/v1/GenerateRequest.js';
import type { GetJobRequest as _tryon_v1_GetJobRequest, GetJobRequest__Output as _tryon_v1_GetJobRequest__Output } from '../../tryon/v1/GetJobRequest.js';
import type { Job as _tryon_v1_Job, Job__Output as _tryon_v1_Job__Output } from '../../tryon/v1/Job.js';
import type { ListJobsRequest as _tryon_v1_ListJobsRequest, ListJobsRequest__Output as _tryon_v1_ListJobsRequest__Output } from '../../tryon/v1/ListJobsRequest.js';
import type { ListJobsResponse as _tryon_v1_ListJobsResponse, ListJobsResponse__Output as _tryon_v1_ListJobsResponse__Output } from '../../tryon/v1/ListJobsResponse.js';
import type { ListModelsRequest as _tryon_v1_ListModelsRequest, ListModelsRequest__Output as _tryon_v1_ListModelsRequest__Output } from '../../tryon/v1/ListModelsRequest.js';
import type { ListModelsResponse as _tryon_v1_ListModelsResponse, ListModelsResponse__Output as _tryon_v1_ListModelsResponse__Output } from '../../tryon/v1/ListModelsResponse.js';
import type { TrainEvent as _tryon_v1_TrainEvent, TrainEvent__Output as _tryon_v1_TrainEvent__Output } from '../../tryon/v1/TrainEvent.js';
import type { TrainRequest as _tryon_v1_TrainRequest, TrainRequest__Output as _tryon_v1_TrainRequest__Output } from '../../tryon/v1/TrainRequest.js';

export interface TryOnClient extends grpc.Client {
  /**
   * Cancels one of the caller's jobs; a running one stops at its next step.
   */
  CancelJob(argument: _tryon_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _tryon_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _tryon_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _tryon_v1_CancelJobRequest, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * Cancels one of the caller's jobs; a running one stops at its next step.
   */
  cancelJob(argument: _tryon_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _tryon_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _tryon_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _tryon_v1_CancelJobRequest, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * One job (try-on, text-to-image, image-to-image or inpaint). The stream is Queued, Started, Progress...,
   * then exactly one Result; or it ends with a gRPC error status. Cancelling the call cancels the job.
   */
  Generate(argument: _tryon_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_GenerateEvent__Output>;
  Generate(argument: _tryon_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_GenerateEvent__Output>;
  /**
   * One job (try-on, text-to-image, image-to-image or inpaint). The stream is Queued, Started, Progress...,
   * then exactly one Result; or it ends with a gRPC error status. Cancelling the call cancels the job.
   */
  generate(argument: _tryon_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_GenerateEvent__Output>;
  generate(argument: _tryon_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_GenerateEvent__Output>;
  
  /**
   * One of the caller's jobs, live or recently finished.
   */
  GetJob(argument: _tryon_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _tryon_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _tryon_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _tryon_v1_GetJobRequest, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * One of the caller's jobs, live or recently finished.
   */
  getJob(argument: _tryon_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _tryon_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _tryon_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _tryon_v1_GetJobRequest, callback: grpc.requestCallback<_tryon_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * The caller's jobs, most recent first. An unknown kind or state is INVALID_ARGUMENT. Requests the server
   * refused (queue full, shutting down) are not jobs and are not listed.
   */
  ListJobs(argument: _tryon_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _tryon_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _tryon_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _tryon_v1_ListJobsRequest, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The caller's jobs, most recent first. An unknown kind or state is INVALID_ARGUMENT. Requests the server
   * refused (queue full, shutting down) are not jobs and are not listed.
   */
  listJobs(argument: _tryon_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _tryon_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _tryon_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _tryon_v1_ListJobsRequest, callback: grpc.requestCallback<_tryon_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Base models, inpainting models, LoRAs and fine-tuned models found in the models directory.
   */
  ListModels(argument: _tryon_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _tryon_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _tryon_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _tryon_v1_ListModelsRequest, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Base models, inpainting models, LoRAs and fine-tuned models found in the models directory.
   */
  listModels(argument: _tryon_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _tryon_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _tryon_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _tryon_v1_ListModelsRequest, callback: grpc.requestCallback<_tryon_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A fine-tuning job. Runs at training priority: it pauses between steps while shoppers' jobs wait.
   */
  Train(argument: _tryon_v1_TrainRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_TrainEvent__Output>;
  Train(argument: _tryon_v1_TrainRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_TrainEvent__Output>;
  /**
   * A fine-tuning job. Runs at training priority: it pauses between steps while shoppers' jobs wait.
   */
  train(argument: _tryon_v1_TrainRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_TrainEvent__Output>;
  train(argument: _tryon_v1_TrainRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tryon_v1_TrainEvent__Output>;
  
}

export interface TryOnHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Cancels one of the caller's jobs; a running one stops at its next step.
   */
  CancelJob: grpc.handleUnaryCall<_tryon_v1_CancelJobRequest__Output, _tryon_v1_Job>;
  
  /**
   * One job (try-on, text-to-image, image-to-image or inpaint). The stream is Queued, Started, Progress...,
   * then exactly one Result; or it ends with a gRPC error status. Cancelling the call cancels the job.
   */
  Generate: grpc.handleServerStreamingCall<_tryon_v1_GenerateRequest__Output, _tryon_v1_GenerateEvent>;
  
  /**
   * One of the caller's jobs, live or recently finished.
   */
  GetJob: grpc.handleUnaryCall<_tryon_v1_GetJobRequest__Output, _tryon_v1_Job>;
  
  /**
   * The caller's jobs, most recent first. An unknown kind or state is INVALID_ARGUMENT. Requests the server
   * refused (queue full, shutting down) are not jobs and are not listed.
   */
  ListJobs: grpc.handleUnaryCall<_tryon_v1_ListJobsRequest__Output, _tryon_v1_ListJobsResponse>;
  
  /**
   * Base models, inpainting models, LoRAs and fine-tuned models found in the models directory.
   */
  ListModels: grpc.handleUnaryCall<_tryon_v1_ListModelsRequest__Output, _tryon_v1_ListModelsResponse>;
  
  /**
   * A fine-tuning job. Runs at training priority: it pauses between steps while shoppers' jobs wait.
   */
  Train: grpc.handleServerStreamingCall<_tryon_v1_TrainRequest__Output, _tryon_v1_TrainEvent>;
  
}

export interface TryOnDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<_tryon_v1_CancelJobRequest, _tryon_v1_Job, _tryon_v1_CancelJobRequest__Output, _tryon_v1_Job__Output>
  Generate: MethodDefinition<_tryon_v1_GenerateRequest, _tryon_v1_GenerateEvent, _tryon_v1_GenerateRequest__Output, _tryon_v1_GenerateEvent__Output>
  GetJob: MethodDefinition<_tryon_v1_GetJobRequest, _tryon_v1_Job, _tryon_v1_GetJobRequest__Output, _tryon_v1_Job__Output>
  ListJobs: MethodDefinition<_tryon_v1_ListJobsRequest, _tryon_v1_ListJobsResponse, _tryon_v1_ListJobsRequest__Output, _tryon_v1_ListJobsResponse__Output>
  ListModels: MethodDefinition<_tryon_v1_ListModelsRequest, _tryon_v1_ListModelsResponse, _tryon_v1_ListModelsRequest__Output, _tryon_v1_ListModelsResponse__Output>
  Train: MethodDefinition<_tryon_v1_TrainRequest, _tryon_v1_TrainEvent, _tryon_v1_TrainRequest__Output, _tryon_v1_TrainEvent__Output>
}
