// One running try-on as the browser sees it: the events so far (replayed to late or repeated listeners),
// the listeners, and the switch that cancels the gRPC call.
import { isTerminal, type TryOnEvent } from '@fitting-room/proto';

export interface SequencedEvent {
  seq: number;
  event: TryOnEvent;
}

export type JobListener = (e: SequencedEvent) => void;

export class LiveJob {
  readonly controller = new AbortController();
  private readonly events: SequencedEvent[] = [];
  private readonly listeners = new Set<JobListener>();
  private subscribedOnce = false;

  constructor(
    readonly id: string,
    readonly shop: string,
    readonly customerId: string | null,
  ) {}

  get finished(): boolean {
    const last = this.events.at(-1);
    return last !== undefined && isTerminal(last.event);
  }

  get everSubscribed(): boolean {
    return this.subscribedOnce;
  }

  emit(event: TryOnEvent): void {
    if (this.finished) return;
    const sequenced = { seq: this.events.length + 1, event };
    this.events.push(sequenced);
    for (const listener of this.listeners) listener(sequenced);
  }

  /**
   * The first event, or undefined if none comes within `timeoutMs`. Does not count as watching the job
   * (the upload route peeks so that an immediate refusal becomes the upload's own HTTP error).
   */
  firstEvent(timeoutMs: number): Promise<TryOnEvent | undefined> {
    const first = this.events[0];
    if (first) return Promise.resolve(first.event);
    return new Promise((resolve) => {
      const listener: JobListener = (e) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(e.event);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        resolve(undefined);
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Replays what happened so far, then follows; returns the unsubscribe function. */
  subscribe(listener: JobListener): () => void {
    this.subscribedOnce = true;
    for (const e of this.events) listener(e);
    if (this.finished) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
