// The shape of a tfjs-backend-webgpu 4.22 program (its WebGPUProgram interface, which the package does not
// export) and the backend calls the engine's kernels make. A program's getUserCode() body is WGSL that tfjs
// wraps with bindings, uniforms and getters: get<Name>(coords…) and get<Name>ByOutputIndex(i) read an input
// converted to f32 whatever its storage type; setOutputAtIndex / setOutputAtIndexI32 write the output.
import type * as tf from '@tensorflow/tfjs-core';

export interface WebgpuProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly workgroupSize: [number, number, number];
  readonly dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  readonly dispatch: [number, number, number];
  /** Part of the pipeline-cache key: everything baked into the WGSL must be in it. */
  shaderKey: string;
  /** Declares uniforms.size (the output's element count). */
  readonly size: boolean;
  getUserCode(): string;
}

/** The package's webgpu_util, which it does export. */
export interface WebgpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[] }, outputShape: number[], workgroupSize: [number, number, number]): [number, number, number];
}

export interface WebgpuBackendCalls extends tf.KernelBackend {
  runWebGPUProgram(program: WebgpuProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType): tf.TensorInfo;
  tensorMap: { get(dataId: object): { values?: tf.backend_util.BackendValues | null } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** A program with one output element per invocation, 64 invocations per workgroup. */
export function flatProgram(util: WebgpuUtil, outputShape: number[], shaderKey: string, variableNames: string[], body: string): WebgpuProgram {
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const dispatchLayout = util.flatDispatchLayout(outputShape);
  return {
    variableNames,
    outputShape,
    workgroupSize,
    dispatchLayout,
    dispatch: util.computeDispatch(dispatchLayout, outputShape, workgroupSize),
    shaderKey,
    size: true,
    getUserCode: () => `fn main(index : i32) {\n  if (index < uniforms.size) {\n${body}\n  }\n}`,
  };
}
