import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { tryOnEvent } from './events.js';
import { preparePhoto, type PreparedPhoto } from './photo-downscale.js';
import { stringsFor, type WidgetErrorCode, type WidgetStrings } from './strings.js';
import { TryOnClient, TryOnError } from './tryon-client.js';
import { widgetStyles } from './tryon-widget.styles.js';

type Phase = 'pick' | 'ready' | 'running' | 'result' | 'error' | 'cancelled';

/**
 * What the error view offers for each failure: another photo where the photo is the problem, else a retry with
 * the same photo. A `Record` over every code: a new code does not compile until it is given its action.
 */
const errorActions: Readonly<Record<WidgetErrorCode, 'choose-another' | 'retry'>> = {
  too_large: 'choose-another',
  not_an_image: 'choose-another',
  no_person: 'choose-another',
  several_people: 'choose-another',
  person_too_small: 'choose-another',
  person_cut_off: 'choose-another',
  busy: 'retry',
  unavailable: 'retry',
  cancelled: 'retry',
  network: 'retry',
  rate_limited: 'retry',
  consent_required: 'retry',
  unknown: 'retry',
};

/**
 * A "Try it on" button that opens a dialog where a shopper gives a photo and watches themself appear in the
 * product. `widget/custom-elements.json` is generated from these tags (`npm run widget:build`), and
 * widget/tests/custom-elements.test.ts checks them against the template, the styles and events.ts.
 *
 * @summary Virtual try-on on a product page: a button, the shopper's photo, the shopper wearing the product.
 *
 * @attr {string} product-id - The product to try on (its Shopify id or GID). Required.
 * @attr {string} endpoint - Base URL of the shopper API (storefront-app/API.md). Default `/apps/tryon`, the Shopify app proxy; `/proxy` on the standalone demo store.
 * @attr {string} product-title - The product's name, shown in the dialog's title.
 * @attr {string} product-image - URL of a product thumbnail shown in the dialog's header.
 * @attr {string} privacy-url - URL of the store's privacy notice, linked next to the consent box.
 * @attr {string} lang - Language of the widget's texts (BCP 47; `en` and `fr` built in, others fall back to English). Default: the closest ancestor's `lang`, i.e. the page's `<html lang>`. Changing it re-renders.
 *
 * @fires {CustomEvent<{ productId: string }>} tryon-open - The dialog opened.
 * @fires {CustomEvent<{ productId: string; jobId: string; step: number; totalSteps: number }>} tryon-progress - A try-on made progress (`step` of `totalSteps`).
 * @fires {CustomEvent<{ productId: string; jobId: string; resultUrl: string }>} tryon-complete - The picture is ready at `resultUrl`.
 * @fires {CustomEvent<{ productId: string; jobId?: string; code: string }>} tryon-error - A try-on failed; `code` is the widget's reason (`no_person`, `busy`, `unavailable`, `cancelled`, …).
 * @fires {CustomEvent<{ productId: string; jobId: string }>} tryon-cancel - The shopper cancelled a running try-on.
 * @fires {CustomEvent<{ productId: string }>} tryon-another-product - The shopper asked to try another product (the dialog closed).
 *
 * @csspart button - The "Try it on" button on the page.
 * @csspart dialog - The dialog.
 * @csspart product-image - The product thumbnail in the dialog's header (with `product-image`).
 * @csspart title - The dialog's title.
 * @csspart dropzone - The area to choose, take or drop a photo.
 * @csspart photo - The shopper's chosen photo.
 * @csspart consent - The consent checkbox with its label.
 * @csspart start - The button that starts the try-on.
 * @csspart progress - The progress bar while the try-on runs.
 * @csspart preview - The live preview while the try-on runs.
 * @csspart cancel - The button that cancels a running try-on.
 * @csspart result - The before/after comparison of the result (a `<tryon-compare>`).
 * @csspart download - The link that downloads the result.
 * @csspart error - The message explaining a failure.
 *
 * @cssprop [--tryon-accent=#111] - Background of primary buttons, borders and the progress bar.
 * @cssprop [--tryon-accent-text=#fff] - Text on primary buttons.
 * @cssprop [--tryon-bg=#fff] - The dialog's background.
 * @cssprop [--tryon-fg=#111] - The dialog's text.
 * @cssprop [--tryon-muted=#555] - Secondary text (hints).
 * @cssprop [--tryon-radius=8px] - Corner radius of buttons, photos and the dialog.
 * @cssprop [--tryon-font=system-ui, sans-serif] - Font family.
 * @cssprop [--tryon-focus=#1a73e8] - Focus outline.
 * @cssprop [--tryon-error=#b00020] - Error messages.
 */
export class TryOnWidget extends LitElement {
  static override styles = widgetStyles;

  static override properties = {
    productId: { type: String, attribute: 'product-id' },
    endpoint: { type: String },
    productTitle: { type: String, attribute: 'product-title' },
    productImage: { type: String, attribute: 'product-image' },
    privacyUrl: { type: String, attribute: 'privacy-url' },
    // The global `lang` attribute, made reactive: setting it (or `el.lang`) re-renders in that language. It
    // reflects, as the native property does, so the texts are announced in the language they are written in.
    lang: { type: String, reflect: true },
    phase: { state: true },
    photo: { state: true },
    consent: { state: true },
    queuePosition: { state: true },
    step: { state: true },
    totalSteps: { state: true },
    previewUrl: { state: true },
    resultUrl: { state: true },
    errorCode: { state: true },
    dragging: { state: true },
  };

  declare productId: string;
  declare endpoint: string;
  declare productTitle: string;
  declare productImage: string;
  declare privacyUrl: string;
  // Unset (not `''`, which would mean "unknown language") until a store sets it: the ancestors' language applies.
  declare lang: string;
  // Internal reactive state (`state: true`).
  private declare phase: Phase;
  private declare photo: PreparedPhoto | undefined;
  private declare consent: boolean;
  /** Try-ons ahead of this one while it waits (0 = next); undefined once it runs. */
  private declare queuePosition: number | undefined;
  private declare step: number;
  private declare totalSteps: number;
  private declare previewUrl: string | undefined;
  private declare resultUrl: string | undefined;
  private declare errorCode: WidgetErrorCode | undefined;
  private declare dragging: boolean;

  private jobId: string | undefined;
  private stopFollowing: (() => void) | undefined;
  private uploadAbort: AbortController | undefined;

  constructor() {
    super();
    this.productId = '';
    this.endpoint = '/apps/tryon';
    this.productTitle = '';
    this.productImage = '';
    this.privacyUrl = '';
    this.phase = 'pick';
    this.consent = false;
    this.step = 0;
    this.totalSteps = 0;
    this.dragging = false;
  }

  private get t(): WidgetStrings {
    // The element's own `lang`, else the closest ancestor's, else the page's.
    return stringsFor(this.lang || this.parentElement?.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang);
  }

  private get dialog(): HTMLDialogElement {
    return this.renderRoot.querySelector('dialog') as HTMLDialogElement;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.cancelRun(false);
  }

  /** Opens the dialog (also what the button does). */
  open(): void {
    this.dialog.showModal();
    // showModal focuses the first control (the close button); start where the shopper's task starts.
    this.renderRoot.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    this.dispatchEvent(tryOnEvent('tryon-open', { productId: this.productId }));
  }

  /** Closes the dialog; a run in progress is cancelled, since nobody is watching it any more. */
  close(): void {
    void this.cancelRun(false);
    if (this.dialog.open) this.dialog.close();
  }

  private async choosePhoto(file: File | undefined): Promise<void> {
    if (!file) return;
    try {
      const photo = await preparePhoto(file);
      if (this.photo) URL.revokeObjectURL(this.photo.previewUrl);
      this.photo = photo;
      this.phase = 'ready';
    } catch (error) {
      this.fail(error);
    }
  }

  private async startRun(): Promise<void> {
    if (!this.photo || !this.consent) return;
    const client = new TryOnClient(this.endpoint);
    this.phase = 'running';
    this.queuePosition = undefined;
    this.step = 0;
    this.totalSteps = 0;
    this.previewUrl = undefined;
    this.uploadAbort = new AbortController();
    try {
      const jobId = await client.start(this.photo.blob, this.productId, this.uploadAbort.signal);
      this.jobId = jobId;
      this.stopFollowing = client.follow(jobId, {
        onQueued: ({ position }) => (this.queuePosition = position),
        onStarted: () => (this.queuePosition = undefined),
        onProgress: ({ step, totalSteps, previewJpegBase64 }) => {
          this.queuePosition = undefined;
          this.step = step;
          this.totalSteps = totalSteps;
          if (previewJpegBase64) this.previewUrl = `data:image/jpeg;base64,${previewJpegBase64}`;
          this.dispatchEvent(tryOnEvent('tryon-progress', { productId: this.productId, jobId, step, totalSteps }));
        },
        onResult: ({ resultUrl }) => {
          this.stopFollowing = undefined;
          this.resultUrl = resultUrl;
          this.phase = 'result';
          this.dispatchEvent(tryOnEvent('tryon-complete', { productId: this.productId, jobId, resultUrl }));
        },
        onError: (error) => {
          this.stopFollowing = undefined;
          this.fail(error);
        },
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.fail(error);
    }
  }

  private async cancelRun(showCancelled: boolean): Promise<void> {
    this.uploadAbort?.abort();
    this.stopFollowing?.();
    this.stopFollowing = undefined;
    const jobId = this.jobId;
    this.jobId = undefined;
    if (this.phase !== 'running') return;
    if (jobId) {
      await new TryOnClient(this.endpoint).cancel(jobId);
      this.dispatchEvent(tryOnEvent('tryon-cancel', { productId: this.productId, jobId }));
    }
    this.phase = showCancelled ? 'cancelled' : this.photo ? 'ready' : 'pick';
  }

  private fail(error: unknown): void {
    const code = error instanceof TryOnError ? error.code : 'unknown';
    this.errorCode = code;
    this.phase = 'error';
    this.dispatchEvent(tryOnEvent('tryon-error', { productId: this.productId, jobId: this.jobId, code }));
  }

  private anotherProduct(): void {
    this.close();
    this.dispatchEvent(tryOnEvent('tryon-another-product', { productId: this.productId }));
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    void this.choosePhoto(event.dataTransfer?.files?.[0]);
  }

  protected override updated(changed: PropertyValues): void {
    // Keep keyboard users in place: focus the main control of each new phase.
    if (changed.has('phase') && this.dialog?.open) {
      const target = this.renderRoot.querySelector<HTMLElement>('[data-autofocus]');
      target?.focus();
    }
  }

  override render() {
    const t = this.t;
    return html`
      <button part="button" class="primary" @click=${() => this.open()}>${t.tryItOn}</button>
      <dialog part="dialog" aria-labelledby="title" @close=${() => void this.cancelRun(false)}>
        <header>
          ${this.productImage ? html`<img part="product-image" class="product" src=${this.productImage} alt="" />` : nothing}
          <h2 id="title" part="title">${t.dialogTitle}${this.productTitle ? html`: ${this.productTitle}` : nothing}</h2>
          <button class="icon" aria-label=${t.close} @click=${() => this.close()}>✕</button>
        </header>
        <div class="body">${this.renderPhase(t)}</div>
        <p class="visually-hidden" role="status" aria-live="polite">${this.statusText(t)}</p>
      </dialog>
    `;
  }

  private statusText(t: WidgetStrings): string {
    if (this.phase === 'running') return this.runningText(t);
    if (this.phase === 'result') return t.resultAlt;
    if (this.phase === 'cancelled') return t.cancelled;
    return '';
  }

  private runningText(t: WidgetStrings): string {
    if (this.totalSteps > 0) return t.progress(this.step, this.totalSteps);
    if (this.queuePosition !== undefined) return t.queued(this.queuePosition);
    return t.starting;
  }

  private renderPhase(t: WidgetStrings) {
    switch (this.phase) {
      case 'pick':
        return this.renderPick(t);
      case 'ready':
        return this.renderReady(t);
      case 'running':
        return this.renderRunning(t);
      case 'result':
        return this.renderResult(t);
      case 'cancelled':
        return html`<p>${t.cancelled}</p>
          <div class="actions"><button class="primary" data-autofocus @click=${() => (this.phase = 'ready')}>${t.tryAgain}</button></div>`;
      case 'error':
        return this.renderError(t);
    }
  }

  private renderPick(t: WidgetStrings) {
    const onFile = (e: Event) => void this.choosePhoto((e.target as HTMLInputElement).files?.[0]);
    return html`
      <div
        part="dropzone"
        class="dropzone ${this.dragging ? 'dragging' : ''}"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => this.onDrop(e)}
      >
        <label class="button primary">
          ${t.choosePhoto}
          <input class="visually-hidden" type="file" accept="image/*" data-autofocus @change=${onFile} />
        </label>
        <label class="button secondary camera">
          ${t.takePhoto}
          <input class="visually-hidden" type="file" accept="image/*" capture="user" @change=${onFile} />
        </label>
        <p class="muted">${t.dropHint}</p>
      </div>
      <p class="muted">${t.photoHelp}</p>
    `;
  }

  private renderReady(t: WidgetStrings) {
    return html`
      <img part="photo" class="photo" src=${this.photo?.previewUrl ?? ''} alt="" />
      <label part="consent" class="consent">
        <input
          type="checkbox"
          .checked=${this.consent}
          @change=${(e: Event) => (this.consent = (e.target as HTMLInputElement).checked)}
        />
        <span>${t.consent}</span>
      </label>
      ${this.privacyUrl ? html`<a class="privacy" href=${this.privacyUrl} target="_blank" rel="noopener">${t.privacyLink}</a>` : nothing}
      <div class="actions">
        <button part="start" class="primary" data-autofocus ?disabled=${!this.consent} @click=${() => void this.startRun()}>
          ${t.start}
        </button>
        <button class="secondary" @click=${() => (this.phase = 'pick')}>${t.changePhoto}</button>
      </div>
    `;
  }

  private renderRunning(t: WidgetStrings) {
    const determinate = this.totalSteps > 0;
    return html`
      <div class="running">
        ${this.previewUrl
          ? html`<img part="preview" class="photo preview" src=${this.previewUrl} alt=${t.previewAlt} />`
          : html`<img class="photo waiting" src=${this.photo?.previewUrl ?? ''} alt="" />`}
        <p class="status" aria-hidden="true">${this.runningText(t)}</p>
        <progress
          part="progress"
          aria-label=${this.runningText(t)}
          max=${determinate ? this.totalSteps : nothing}
          value=${determinate ? this.step : nothing}
        ></progress>
        <div class="actions">
          <button part="cancel" class="secondary" data-autofocus @click=${() => void this.cancelRun(true)}>${t.cancel}</button>
        </div>
      </div>
    `;
  }

  private renderResult(t: WidgetStrings) {
    return html`
      <tryon-compare
        part="result"
        before=${this.photo?.previewUrl ?? ''}
        after=${this.resultUrl ?? ''}
        after-alt=${t.resultAlt}
        label=${t.beforeAfter}
      ></tryon-compare>
      <div class="actions">
        <a part="download" class="button primary" data-autofocus href=${this.resultUrl ?? ''} download="try-on.png">${t.download}</a>
        <button class="secondary" @click=${() => void this.startRun()}>${t.tryAgain}</button>
        <button class="secondary" @click=${() => this.anotherProduct()}>${t.anotherProduct}</button>
      </div>
    `;
  }

  private renderError(t: WidgetStrings) {
    const code = this.errorCode ?? 'unknown';
    const needsNewPhoto = errorActions[code] === 'choose-another' || !this.photo;
    return html`
      <p part="error" class="error" role="alert">${t.errors[code]}</p>
      <div class="actions">
        ${needsNewPhoto
          ? html`<button class="primary" data-autofocus @click=${() => (this.phase = 'pick')}>${t.chooseAnother}</button>`
          : html`<button class="primary" data-autofocus @click=${() => void this.startRun()}>${t.retry}</button>
              <button class="secondary" @click=${() => (this.phase = 'pick')}>${t.chooseAnother}</button>`}
      </div>
    `;
  }
}
