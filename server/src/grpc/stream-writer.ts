// Writes a server stream's messages in order even when some need async work first (image encoding),
// waits for the client to drain a full buffer, and drops what is left once the call is cancelled.
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from '../logger.js';

export class StreamWriter<Req, Msg> {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly call: ServerWritableStream<Req, Msg>,
    private readonly logger: Logger,
  ) {}

  /** Queues a message; `make` runs after the previous message was written. A failing `make` is logged and skipped. */
  push(make: () => Msg | Promise<Msg>): void {
    this.chain = this.chain.then(async () => {
      if (this.call.cancelled) return;
      let message: Msg;
      try {
        message = await make();
      } catch (error) {
        this.logger.warn({ err: error }, 'dropped a stream message that could not be built');
        return;
      }
      if (this.call.cancelled || this.call.writableEnded) return;
      if (!this.call.write(message)) await this.drained();
    });
  }

  /** Resolves when every queued message has been written (or dropped). */
  flush(): Promise<void> {
    return this.chain;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.call.off('drain', done);
        this.call.off('cancelled', done);
        resolve();
      };
      this.call.on('drain', done);
      this.call.on('cancelled', done);
    });
  }
}
