import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelJobRequest as _tryon_v1_CancelJobRequest, CancelJobRequest__Output as _tryon_v1_CancelJobRequest__Output } from './tryon/v1/CancelJobRequest.js';
import type { Checkpoint as _tryon_v1_Checkpoint, Checkpoint__Output as _tryon_v1_Checkpoint__Output } from './tryon/v1/Checkpoint.js';
import type { DatasetReport as _tryon_v1_DatasetReport, DatasetReport__Output as _tryon_v1_DatasetReport__Output } from './tryon/v1/DatasetReport.js';
import type { Done as _tryon_v1_Done, Done__Output as _tryon_v1_Done__Output } from './tryon/v1/Done.js';
import type { EngineBackend as _tryon_v1_EngineBackend, EngineBackend__Output as _tryon_v1_EngineBackend__Output } from './tryon/v1/EngineBackend.js';
import type { GenerateEvent as _tryon_v1_GenerateEvent, GenerateEvent__Output as _tryon_v1_GenerateEvent__Output } from './tryon/v1/GenerateEvent.js';
import type { GenerateRequest as _tryon_v1_GenerateRequest, GenerateRequest__Output as _tryon_v1_GenerateRequest__Output } from './tryon/v1/GenerateRequest.js';
import type { GetJobRequest as _tryon_v1_GetJobRequest, GetJobRequest__Output as _tryon_v1_GetJobRequest__Output } from './tryon/v1/GetJobRequest.js';
import type { Job as _tryon_v1_Job, Job__Output as _tryon_v1_Job__Output } from './tryon/v1/Job.js';
import type { ListJobsRequest as _tryon_v1_ListJobsRequest, ListJobsRequest__Output as _tryon_v1_ListJobsRequest__Output } from './tryon/v1/ListJobsRequest.js';
import type { ListJobsResponse as _tryon_v1_ListJobsResponse, ListJobsResponse__Output as _tryon_v1_ListJobsResponse__Output } from './tryon/v1/ListJobsResponse.js';
import type { ListModelsRequest as _tryon_v1_ListModelsRequest, ListModelsRequest__Output as _tryon_v1_ListModelsRequest__Output } from './tryon/v1/ListModelsRequest.js';
import type { ListModelsResponse as _tryon_v1_ListModelsResponse, ListModelsResponse__Output as _tryon_v1_ListModelsResponse__Output } from './tryon/v1/ListModelsResponse.js';
import type { LoraRef as _tryon_v1_LoraRef, LoraRef__Output as _tryon_v1_LoraRef__Output } from './tryon/v1/LoraRef.js';
import type { ModelInfo as _tryon_v1_ModelInfo, ModelInfo__Output as _tryon_v1_ModelInfo__Output } from './tryon/v1/ModelInfo.js';
import type { Paused as _tryon_v1_Paused, Paused__Output as _tryon_v1_Paused__Output } from './tryon/v1/Paused.js';
import type { Progress as _tryon_v1_Progress, Progress__Output as _tryon_v1_Progress__Output } from './tryon/v1/Progress.js';
import type { Queued as _tryon_v1_Queued, Queued__Output as _tryon_v1_Queued__Output } from './tryon/v1/Queued.js';
import type { Result as _tryon_v1_Result, Result__Output as _tryon_v1_Result__Output } from './tryon/v1/Result.js';
import type { Sample as _tryon_v1_Sample, Sample__Output as _tryon_v1_Sample__Output } from './tryon/v1/Sample.js';
import type { Started as _tryon_v1_Started, Started__Output as _tryon_v1_Started__Output } from './tryon/v1/Started.js';
import type { Timings as _tryon_v1_Timings, Timings__Output as _tryon_v1_Timings__Output } from './tryon/v1/Timings.js';
import type { TrainEvent as _tryon_v1_TrainEvent, TrainEvent__Output as _tryon_v1_TrainEvent__Output } from './tryon/v1/TrainEvent.js';
import type { TrainProgress as _tryon_v1_TrainProgress, TrainProgress__Output as _tryon_v1_TrainProgress__Output } from './tryon/v1/TrainProgress.js';
import type { TrainRequest as _tryon_v1_TrainRequest, TrainRequest__Output as _tryon_v1_TrainRequest__Output } from './tryon/v1/TrainRequest.js';
import type { TryOnClient as _tryon_v1_TryOnClient, TryOnDefinition as _tryon_v1_TryOnDefinition } from './tryon/v1/TryOn.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tryon: {
    v1: {
      CancelJobRequest: MessageTypeDefinition<_tryon_v1_CancelJobRequest, _tryon_v1_CancelJobRequest__Output>
      Checkpoint: MessageTypeDefinition<_tryon_v1_Checkpoint, _tryon_v1_Checkpoint__Output>
      DatasetReport: MessageTypeDefinition<_tryon_v1_DatasetReport, _tryon_v1_DatasetReport__Output>
      Decoder: EnumTypeDefinition
      Done: MessageTypeDefinition<_tryon_v1_Done, _tryon_v1_Done__Output>
      EngineBackend: MessageTypeDefinition<_tryon_v1_EngineBackend, _tryon_v1_EngineBackend__Output>
      GarmentCategory: EnumTypeDefinition
      GarmentConditioning: EnumTypeDefinition
      GenerateEvent: MessageTypeDefinition<_tryon_v1_GenerateEvent, _tryon_v1_GenerateEvent__Output>
      GenerateRequest: MessageTypeDefinition<_tryon_v1_GenerateRequest, _tryon_v1_GenerateRequest__Output>
      GetJobRequest: MessageTypeDefinition<_tryon_v1_GetJobRequest, _tryon_v1_GetJobRequest__Output>
      Job: MessageTypeDefinition<_tryon_v1_Job, _tryon_v1_Job__Output>
      JobKind: EnumTypeDefinition
      JobState: EnumTypeDefinition
      ListJobsRequest: MessageTypeDefinition<_tryon_v1_ListJobsRequest, _tryon_v1_ListJobsRequest__Output>
      ListJobsResponse: MessageTypeDefinition<_tryon_v1_ListJobsResponse, _tryon_v1_ListJobsResponse__Output>
      ListModelsRequest: MessageTypeDefinition<_tryon_v1_ListModelsRequest, _tryon_v1_ListModelsRequest__Output>
      ListModelsResponse: MessageTypeDefinition<_tryon_v1_ListModelsResponse, _tryon_v1_ListModelsResponse__Output>
      LoraRef: MessageTypeDefinition<_tryon_v1_LoraRef, _tryon_v1_LoraRef__Output>
      Mode: EnumTypeDefinition
      ModelInfo: MessageTypeDefinition<_tryon_v1_ModelInfo, _tryon_v1_ModelInfo__Output>
      ModelKind: EnumTypeDefinition
      Paused: MessageTypeDefinition<_tryon_v1_Paused, _tryon_v1_Paused__Output>
      Progress: MessageTypeDefinition<_tryon_v1_Progress, _tryon_v1_Progress__Output>
      Quality: EnumTypeDefinition
      Queued: MessageTypeDefinition<_tryon_v1_Queued, _tryon_v1_Queued__Output>
      Result: MessageTypeDefinition<_tryon_v1_Result, _tryon_v1_Result__Output>
      Sample: MessageTypeDefinition<_tryon_v1_Sample, _tryon_v1_Sample__Output>
      Started: MessageTypeDefinition<_tryon_v1_Started, _tryon_v1_Started__Output>
      Timings: MessageTypeDefinition<_tryon_v1_Timings, _tryon_v1_Timings__Output>
      TrainEvent: MessageTypeDefinition<_tryon_v1_TrainEvent, _tryon_v1_TrainEvent__Output>
      TrainMode: EnumTypeDefinition
      TrainProgress: MessageTypeDefinition<_tryon_v1_TrainProgress, _tryon_v1_TrainProgress__Output>
      TrainRequest: MessageTypeDefinition<_tryon_v1_TrainRequest, _tryon_v1_TrainRequest__Output>
      TryOn: SubtypeConstructor<typeof grpc.Client, _tryon_v1_TryOnClient> & { service: _tryon_v1_TryOnDefinition }
    }
  }
}

