// Turns WebGPU's silent failures into thrown errors. A validation error (a shader that does not compile, a
// binding over the device's limit) is not an exception in WebGPU: Dawn prints it, the dispatch does nothing
// and tfjs reads back zeros or stale memory. The device's 'uncapturederror' events are recorded here and
// thrown at the next read, so no result computed after one is ever returned.
import type { GpuDevice, GpuError } from './gpu-types.js';

export class WebgpuDeviceError extends Error {
  constructor(readonly messages: readonly string[]) {
    const shown = messages.slice(0, 3).map((m) => m.trim().split('\n').slice(0, 4).join(' | '));
    const more = messages.length > 3 ? ` (and ${messages.length - 3} more)` : '';
    super(`WebGPU error: ${shown.join('; ')}${more}`);
    this.name = 'WebgpuDeviceError';
  }
}

export class DeviceErrorGuard {
  private pending: string[] = [];
  private lost: string | undefined;

  constructor(private readonly device: GpuDevice) {
    device.addEventListener('uncapturederror', (event) => {
      this.pending.push((event as Event & { error: GpuError }).error.message);
    });
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed') this.lost = `device lost (${info.reason}): ${info.message}`;
    });
  }

  /** Throws the errors recorded since the last call (each is thrown once); a lost device throws every time. */
  throwIfFailed(): void {
    if (this.lost !== undefined) throw new WebgpuDeviceError([this.lost]);
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    throw new WebgpuDeviceError(messages);
  }

  /** Waits until the device has run everything submitted (errors arrive by then), then throwIfFailed(). */
  async settle(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.throwIfFailed();
  }
}
