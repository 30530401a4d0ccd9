// The person-analysis graph models, loaded once per process into our tfjs-core and shared.
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { humanModelPath, loadLocalGraphModel } from './graph-model.js';

export interface PersonModels {
  /** MoveNet SinglePose Thunder: [1,256,256,3] int32 -> [1,1,17,3] (y, x, score), normalised. */
  readonly keypoints: GraphModel;
  /** MoveNet MultiPose Lightning: [1,H,W,3] int32 -> [1,6,56]; used only to count people. */
  readonly people: GraphModel;
  /** MediaPipe selfie segmentation (general): [1,256,256,3] float in [0,1] -> [1,256,256,1] person probability. */
  readonly segmentation: GraphModel;
  /** BlazePose landmarks (full): [1,256,256,3] float in [0,1] -> ld_3d [1,195] and more; for the hands. */
  readonly pose: GraphModel;
}

let loading: Promise<PersonModels> | undefined;

export function loadPersonModels(): Promise<PersonModels> {
  loading ??= (async () => {
    const [keypoints, people, segmentation, pose] = await Promise.all([
      loadLocalGraphModel(humanModelPath('movenet-thunder')),
      loadLocalGraphModel(humanModelPath('movenet-multipose')),
      loadLocalGraphModel(humanModelPath('selfie')),
      loadLocalGraphModel(humanModelPath('blazepose-full')),
    ]);
    return { keypoints, people, segmentation, pose };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}
