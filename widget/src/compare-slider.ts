import { LitElement, css, html } from 'lit';

/**
 * Before/after comparison: the "before" image covers the "after" one up to the slider position.
 * The control is a native range input, so it works with keyboard, touch and screen readers.
 *
 * @summary A before/after image comparison with a keyboard-accessible slider (the widget's result view).
 *
 * @attr {string} before - URL of the "before" image (the shopper's photo).
 * @attr {string} after - URL of the "after" image (the try-on result).
 * @attr {string} after-alt - Text alternative of the "after" image.
 * @attr {string} label - Accessible name of the slider. Default "Compare before and after".
 * @attr {number} position - Slider position, 0-100 (percent of the width showing "before"). Default 50; reflects.
 *
 * @csspart slider - The range input (transparent, over the images).
 * @csspart handle - The vertical line at the slider position.
 *
 * @cssprop [--tryon-radius=8px] - Corner radius of the frame.
 * @cssprop [--tryon-focus=#1a73e8] - Focus outline of the handle.
 */
export class TryOnCompare extends LitElement {
  static override properties = {
    beforeSrc: { type: String, attribute: 'before' },
    afterSrc: { type: String, attribute: 'after' },
    label: { type: String },
    afterAlt: { type: String, attribute: 'after-alt' },
    position: { type: Number, reflect: true },
  };

  declare beforeSrc: string;
  declare afterSrc: string;
  declare label: string;
  declare afterAlt: string;
  declare position: number;

  constructor() {
    super();
    this.beforeSrc = '';
    this.afterSrc = '';
    this.label = 'Compare before and after';
    this.afterAlt = '';
    this.position = 50;
  }

  static override styles = css`
    :host { display: block; position: relative; line-height: 0; }
    .frame { position: relative; overflow: hidden; border-radius: var(--tryon-radius, 8px); }
    img { display: block; width: 100%; height: auto; }
    .before { position: absolute; inset: 0; height: 100%; object-fit: cover; }
    .handle {
      position: absolute; top: 0; bottom: 0; width: 2px; background: #fff;
      box-shadow: 0 0 0 1px rgb(0 0 0 / 40%); pointer-events: none;
    }
    input {
      position: absolute; inset: 0; width: 100%; height: 100%; margin: 0; opacity: 0; cursor: ew-resize;
    }
    input:focus-visible + .handle { outline: 3px solid var(--tryon-focus, #1a73e8); outline-offset: 2px; }
  `;

  override render() {
    const clip = `inset(0 ${100 - this.position}% 0 0)`;
    return html`
      <div class="frame">
        <img class="after" src=${this.afterSrc} alt=${this.afterAlt} />
        <img class="before" src=${this.beforeSrc} alt="" style="clip-path:${clip}" />
        <input
          part="slider"
          type="range"
          min="0"
          max="100"
          .value=${String(this.position)}
          aria-label=${this.label}
          @input=${(e: Event) => (this.position = Number((e.target as HTMLInputElement).value))}
        />
        <div class="handle" part="handle" style="left:${this.position}%"></div>
      </div>
    `;
  }
}
