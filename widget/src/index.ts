// The widget bundle's entry point: registers <tryon-widget> and <tryon-compare>.
// Exports the classes and event types for stores that extend or listen to them.
import { TryOnCompare } from './compare-slider.js';
import { TryOnWidget } from './tryon-widget.js';

export { TryOnCompare, TryOnWidget };
export type { TryOnEventMap, TryOnEventName } from './events.js';
export { stringsFor, supportedLanguages, type WidgetStrings } from './strings.js';

if (!customElements.get('tryon-compare')) customElements.define('tryon-compare', TryOnCompare);
if (!customElements.get('tryon-widget')) customElements.define('tryon-widget', TryOnWidget);

declare global {
  interface HTMLElementTagNameMap {
    'tryon-widget': TryOnWidget;
    'tryon-compare': TryOnCompare;
  }
}
