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
  /** Waiting for the first event without counting as listeners (see firstEvent). */
  private readonly peekers = new Set<(e: TryOnEvent) => void>();
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

  /** Event streams following the job now. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  emit(event: TryOnEvent): void {
    if (this.finished) return;
    const sequenced = { seq: this.events.length + 1, event };
    this.events.push(sequenced);
    for (const peek of [...this.peekers]) peek(event);
    for (const listener of [...this.listeners]) listener(sequenced);
  }

  /**
   * The first event, or undefined if none comes within `timeoutMs`. Does not count as watching the job
   * (the upload route peeks so that an immediate refusal becomes the upload's own HTTP error).
   */
  firstEvent(timeoutMs: number): Promise<TryOnEvent | undefined> {
    const first = this.events[0];
    if (first) return Promise.resolve(first.event);
    return new Promise((resolve) => {
      const peek = (e: TryOnEvent | undefined) => {
        clearTimeout(timer);
        this.peekers.delete(peek);
        resolve(e);
      };
      const timer = setTimeout(() => peek(undefined), timeoutMs);
      this.peekers.add(peek);
    });
  }

  /**
   * Replays what happened after event `afterSeq` (an EventSource's Last-Event-ID; 0 = everything), then
   * follows; returns the unsubscribe function.
   */
  subscribe(listener: JobListener, afterSeq = 0): () => void {
    this.subscribedOnce = true;
    for (const e of this.events) if (e.seq > afterSeq) listener(e);
    if (this.finished) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
