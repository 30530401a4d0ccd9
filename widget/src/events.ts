// The widget's public events: namespaced, typed, bubbling out of the shadow root so a store's
// analytics can listen on document.
export interface TryOnEventMap {
  'tryon-open': { productId: string };
  'tryon-progress': { productId: string; jobId: string; step: number; totalSteps: number };
  'tryon-complete': { productId: string; jobId: string; resultUrl: string };
  'tryon-error': { productId: string; jobId?: string; code: string };
  'tryon-cancel': { productId: string; jobId: string };
  'tryon-another-product': { productId: string };
}

export type TryOnEventName = keyof TryOnEventMap;

export function tryOnEvent<K extends TryOnEventName>(name: K, detail: TryOnEventMap[K]): CustomEvent<TryOnEventMap[K]> {
  return new CustomEvent(name, { detail, bubbles: true, composed: true });
}

declare global {
  interface HTMLElementEventMap {
    'tryon-open': CustomEvent<TryOnEventMap['tryon-open']>;
    'tryon-progress': CustomEvent<TryOnEventMap['tryon-progress']>;
    'tryon-complete': CustomEvent<TryOnEventMap['tryon-complete']>;
    'tryon-error': CustomEvent<TryOnEventMap['tryon-error']>;
    'tryon-cancel': CustomEvent<TryOnEventMap['tryon-cancel']>;
    'tryon-another-product': CustomEvent<TryOnEventMap['tryon-another-product']>;
  }
}
