import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { tryOnEvent } from './events.js';
import { preparePhoto, type PreparedPhoto } from './photo-downscale.js';
import { stringsFor, type WidgetErrorCode, type WidgetStrings } from './strings.js';
import { TryOnClient, TryOnError } from './tryon-client.js';
import { widgetStyles } from './tryon-widget.styles.js';

type Phase = 'pick' | 'ready' | 'running' | 'result' | 'error' | 'cancelled';

/** Errors a new photo fixes; the others are worth a plain retry. */
const photoErrors = new Set<WidgetErrorCode>(['too_large', 'not_an_image', 'no_person', 'several_people', 'person_too_small', 'person_cut_off']);

/**
 * `<tryon-widget>`: a "Try it on" button that opens a dialog where a shopper gives a photo and
 * watches themself appear in the product.
 *
 * Attributes: `product-id` (required), `endpoint` (default `/apps/tryon`, the Shopify app proxy),
 *   `product-title`, `product-image` (thumbnail in the dialog), `privacy-url`, `lang` (defaults to the page's language; en and fr built in).
 * Events (bubble, composed): `tryon-open`, `tryon-progress`, `tryon-complete`, `tryon-error`,
 *   `tryon-cancel`, `tryon-another-product` — see events.ts for their `detail`.
 * CSS parts: `button`, `dialog`, `product-image`, `title`, `dropzone`, `photo`, `consent`, `start`, `progress`,
 *   `preview`, `cancel`, `result`, `download`, `error`.
 * CSS custom properties: `--tryon-accent`, `--tryon-accent-text`, `--tryon-bg`, `--tryon-fg`,
 *   `--tryon-muted`, `--tryon-radius`, `--tryon-font`, `--tryon-focus`, `--tryon-error`.
 */
export class TryOnWidget extends LitElement {
  static override styles = widgetStyles;

  static override properties = {
    productId: { type: String, attribute: 'product-id' },
    endpoint: { type: String },
    productTitle: { type: String, attribute: 'product-title' },
    productImage: { type: String, attribute: 'product-image' },
    privacyUrl: { type: String, attribute: 'privacy-url' },
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
  declare phase: Phase;
  declare photo: PreparedPhoto | undefined;
  declare consent: boolean;
  /** Try-ons ahead of this one while it waits (0 = next); undefined once it runs. */
  declare queuePosition: number | undefined;
  declare step: number;
  declare totalSteps: number;
  declare previewUrl: string | undefined;
  declare resultUrl: string | undefined;
  declare errorCode: WidgetErrorCode | undefined;
  declare dragging: boolean;

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
    // `lang` is the native attribute: the element's own, else the closest ancestor's, else the page's.
    return stringsFor(this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang);
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

  protected override updated(changed: PropertyValues<this>): void {
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
    const needsNewPhoto = photoErrors.has(code) || !this.photo;
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
