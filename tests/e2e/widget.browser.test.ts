// The shopper's journey in a real browser: Debian's Chromium on the standalone demo product page,
// served by the real storefront app, with the real inference server behind it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.js';
import { launchChromium } from '@fitting-room/storefront-app/testing';
import { startProductStack, type ProductStack } from './support/product-stack.js';
import { personPhoto, screenshotDir } from './support/paths.js';
import { cutOffAtTheChest, severalPeople } from '@fitting-room/server/testing';

const PRODUCT_PAGE = '/products/coral-crew-tee';

let stack: ProductStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startProductStack({ tryOnDeadlineMs: 20_000 });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Collects the widget's public events on window, so the test can read what a store's analytics would see. */
async function recordWidgetEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log: Array<{ type: string; detail: unknown }> = [];
    (window as unknown as { tryonEvents: typeof log }).tryonEvents = log;
    for (const type of ['tryon-open', 'tryon-progress', 'tryon-complete', 'tryon-error', 'tryon-cancel']) {
      document.addEventListener(type, (e) => log.push({ type, detail: (e as CustomEvent).detail }));
    }
  });
}

async function widgetEvents(page: Page): Promise<Array<{ type: string; detail: Record<string, unknown> }>> {
  return page.evaluate(() => (window as unknown as { tryonEvents: Array<{ type: string; detail: Record<string, unknown> }> }).tryonEvents);
}

async function openProductPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await recordWidgetEvents(page);
  await page.goto(stack.url + PRODUCT_PAGE);
  await page.locator('tryon-widget').waitFor();
  return page;
}

/**
 * Previews can be on screen for only a moment on a fast run: a MutationObserver in the shadow root keeps
 * the first preview image the shopper was shown.
 */
async function watchForPreview(page: Page): Promise<void> {
  await page.evaluate(() => {
    const root = document.querySelector('tryon-widget')?.shadowRoot;
    if (!root) throw new Error('tryon-widget has no shadow root');
    const seen = window as unknown as { seenPreview?: string };
    new MutationObserver(() => {
      const img = root.querySelector<HTMLImageElement>('[part=preview]');
      if (img && !seen.seenPreview) seen.seenPreview = img.src;
    }).observe(root, { subtree: true, childList: true, attributes: true });
  });
}

/** Starts a long text-to-image job straight on the gRPC server and resolves once it runs. */
async function occupyInferenceServer(): Promise<{ cancel(): void }> {
  const { client, metadata } = stack.grpcClient();
  const call = client.Generate({ mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a long job', steps: 150, width: 256, height: 256 }, metadata);
  await new Promise<void>((resolve, reject) => {
    call.on('data', (event: { event?: string }) => {
      if (event.event === 'started') resolve();
    });
    call.on('error', (error) => {
      if ((error as grpc.ServiceError).code !== grpc.status.CANCELLED) reject(error);
    });
  });
  return {
    cancel: () => {
      call.cancel();
      client.close();
    },
  };
}

/** An operator cancels the shopper's queued try-on on the inference server (CancelJob), as the admin tools do. */
async function cancelQueuedTryOnOnServer(): Promise<void> {
  const { client, metadata } = stack.grpcClient();
  try {
    const jobs = await new Promise<Array<{ id: string; mode: string }>>((resolve, reject) =>
      client.ListJobs({ state: 'JOB_STATE_QUEUED' }, metadata, (error, response) => (error ? reject(error) : resolve(response?.jobs ?? []))),
    );
    const tryOn = jobs.find((job) => job.mode === 'MODE_TRY_ON');
    if (!tryOn) throw new Error(`no queued try-on on the inference server: ${JSON.stringify(jobs)}`);
    await new Promise<void>((resolve, reject) => client.CancelJob({ id: tryOn.id }, metadata, (error) => (error ? reject(error) : resolve())));
  } finally {
    client.close();
  }
}

/** The widget's visible text at a part, once it contains `text` (Lit renders a microtask after a change). */
async function waitForText(page: Page, selector: string, text: string): Promise<string> {
  const locator = page.locator(selector);
  await expect.poll(async () => (await locator.textContent()) ?? '', { timeout: 5_000 }).toContain(text);
  return (await locator.textContent()) ?? '';
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(path.join(screenshotDir, `${name}.png`), await page.screenshot());
}

async function choosePhotoAndConsent(page: Page, photo: string | { name: string; mimeType: string; buffer: Buffer } = personPhoto): Promise<void> {
  await page.locator('tryon-widget input[type=file]:not([capture])').setInputFiles(photo);
  await page.locator('tryon-widget [part=photo]').waitFor();
  const start = page.locator('tryon-widget [part=start]');
  expect(await start.isDisabled()).toBe(true);
  await page.locator('tryon-widget [part=consent] input').check();
  expect(await start.isDisabled()).toBe(false);
}

describe('tryon-widget on the demo product page', () => {
  it('runs a try-on: progress, preview, result, slider; then cancels a second run', async () => {
    const page = await openProductPage();
    await shot(page, '01-product-page');
    await page.locator('tryon-widget [part=button]').click();
    const dialog = page.locator('tryon-widget dialog');
    expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    await shot(page, '02-dialog-pick');

    await choosePhotoAndConsent(page);
    await shot(page, '03-photo-consent');
    await watchForPreview(page);
    await page.locator('tryon-widget [part=start]').click();

    await page.locator('tryon-widget [part=progress]').waitFor();
    await shot(page, '04-running');
    const result = page.locator('tryon-widget [part=result]');
    await result.waitFor({ timeout: 120_000 });
    await page.locator('tryon-widget tryon-compare img.after').evaluate((img) =>
      (img as HTMLImageElement).decode(),
    );
    await shot(page, '05-result');
    expect(await axeViolations(page, 'tryon-widget')).toEqual([]);

    // A live preview was on screen before the result (the warp engine sends one; diffusion one per few steps).
    const preview = await page.evaluate(() => (window as unknown as { seenPreview?: string }).seenPreview);
    expect(preview).toMatch(/^data:image\/jpeg;base64,\/9j\//);

    const events = await widgetEvents(page);
    const progress = events.filter((e) => e.type === 'tryon-progress');
    expect(events[0]?.type).toBe('tryon-open');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.detail.step).toBe(progress.at(-1)?.detail.totalSteps);
    const complete = events.find((e) => e.type === 'tryon-complete');
    expect(complete?.detail.resultUrl).toMatch(/\/tryon\/[0-9a-f]{32}-[0-9a-f]{32}\/result$/);

    // The result image is the real PNG the app serves.
    const resultUrl = String(complete?.detail.resultUrl);
    const png = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
    }, resultUrl);
    expect(png.type).toBe('image/png');
    expect(png.size).toBeGreaterThan(1000);

    // The comparison slider moves with the keyboard.
    const slider = page.locator('tryon-widget tryon-compare input[type=range]');
    await slider.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    expect(Number(await slider.inputValue())).toBe(45);
    await shot(page, '06-result-slider');

    // A second run, cancelled mid-way.
    // A second run waits behind another client's long job (one GPU queue): the shopper sees their place
    // in the queue and cancels.
    const blocker = await occupyInferenceServer();
    try {
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.locator('tryon-widget .status').getByText('You are next').waitFor({ timeout: 60_000 });
      await shot(page, '07-queued');
      await page.locator('tryon-widget [part=cancel]').click();
    } finally {
      blocker.cancel();
    }
    await page.locator('tryon-widget .body').getByText('Cancelled.').waitFor();
    await shot(page, '08-cancelled');
    const cancel = (await widgetEvents(page)).find((e) => e.type === 'tryon-cancel');
    expect(cancel?.detail.jobId).toBeTruthy();
    // The app forgot the cancelled job's photo and result.
    const after = await page.evaluate(async (jobId) => (await fetch(`/proxy/tryon/${jobId}/result`)).status, String(cancel?.detail.jobId));
    expect(after).toBe(404);
    await page.close();
  });

  it('explains a file that is not a photo, and offers another photo', async () => {
    const page = await openProductPage();
    await page.locator('tryon-widget [part=button]').click();
    await page.locator('tryon-widget input[type=file]:not([capture])').setInputFiles({
      name: 'notes.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('this is not a picture'),
    });
    const error = page.locator('tryon-widget [part=error]');
    await error.waitFor();
    expect(await error.textContent()).toContain('not a photo we can read');
    await shot(page, '09-error-not-image');
    expect(await axeViolations(page, 'tryon-widget')).toEqual([]);
    await page.getByRole('button', { name: 'Choose another photo' }).click();
    await page.locator('tryon-widget [part=dropzone]').waitFor();
    const codes = (await widgetEvents(page)).filter((e) => e.type === 'tryon-error').map((e) => e.detail.code);
    expect(codes).toEqual(['not_an_image']);
    await page.close();
  });

  it.each([
    { code: 'several_people', photo: severalPeople, says: 'more than one person', fr: 'plusieurs personnes' },
    { code: 'person_cut_off', photo: cutOffAtTheChest, says: 'step back', fr: 'Reculez' },
  ])('tells the shopper what to fix when the photo is refused: $code, in English and French', async ({ code, photo, says, fr }) => {
    const buffer = await photo();
    for (const lang of ['en', 'fr']) {
      const page = await openProductPage();
      await page.evaluate((l) => document.querySelector('tryon-widget')?.setAttribute('lang', l), lang);
      await page.locator('tryon-widget [part=button]').click();
      await choosePhotoAndConsent(page, { name: `${code}.jpg`, mimeType: 'image/jpeg', buffer });
      await page.locator('tryon-widget [part=start]').click();
      const error = page.locator('tryon-widget [part=error]');
      await error.waitFor({ timeout: 60_000 });
      expect(await error.textContent()).toContain(lang === 'en' ? says : fr);
      if (lang === 'en') {
        await shot(page, `10-error-${code}`);
        expect(await axeViolations(page, 'tryon-widget')).toEqual([]);
        const codes = (await widgetEvents(page)).filter((e) => e.type === 'tryon-error').map((e) => e.detail.code);
        expect(codes).toEqual([code]);
        // The fix is another photo: the widget offers it.
        await page.getByRole('button', { name: 'Choose another photo' }).click();
        await page.locator('tryon-widget [part=dropzone]').waitFor();
      }
      await page.close();
    }
  });

  it('can be used with the keyboard alone, closes on Escape, and passes axe', async () => {
    const page = await openProductPage();
    // Listen for the file chooser first: Playwright turns on its interception asynchronously, and a key
    // pressed before that would open the (headless, invisible) native picker instead.
    const chooser = page.waitForEvent('filechooser');
    // Tab to the widget's button: it is the only focusable control of the demo page's product area.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('part'));
      if (focused === 'button') break;
    }
    await page.keyboard.press('Enter');
    expect(await page.locator('tryon-widget dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    expect(await axeViolations(page, 'tryon-widget')).toEqual([]);

    // The file picker opens from the keyboard (the focused input), as a shopper's Space would.
    const focusedControl = await page.evaluate(() => {
      const el = document.querySelector('tryon-widget')?.shadowRoot?.activeElement as HTMLInputElement | null;
      return el ? `${el.tagName.toLowerCase()}:${el.type}` : 'none';
    });
    expect(focusedControl).toBe('input:file');
    await page.keyboard.press('Space');
    await (await chooser).setFiles(personPhoto);
    await page.locator('tryon-widget [part=photo]').waitFor();
    // Focus lands on the start button; go back to the consent box with Shift+Tab.
    for (let i = 0; i < 10; i++) {
      const onConsent = await page.evaluate(
        () => (document.querySelector('tryon-widget')?.shadowRoot?.activeElement as HTMLInputElement | null)?.type === 'checkbox',
      );
      if (onConsent) break;
      await page.keyboard.press('Shift+Tab');
    }
    await page.keyboard.press('Space');
    expect(await page.locator('tryon-widget [part=consent] input').isChecked()).toBe(true);
    expect(await axeViolations(page, 'tryon-widget')).toEqual([]);
    await shot(page, '10-keyboard-ready');

    await page.keyboard.press('Escape');
    expect(await page.locator('tryon-widget dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
    await page.close();
  });

  it('switches its texts when `lang` changes after the first render (attribute or property)', async () => {
    const page = await openProductPage();
    const widget = page.locator('tryon-widget');
    // No `lang` of its own: the page's <html lang="en">.
    expect(await widget.evaluate((el) => el.hasAttribute('lang'))).toBe(false);
    expect(await page.locator('tryon-widget [part=button]').textContent()).toContain('Try it on');

    await widget.evaluate((el) => el.setAttribute('lang', 'fr'));
    await waitForText(page, 'tryon-widget [part=button]', 'Essayer');
    await page.locator('tryon-widget [part=button]').click();
    expect(await page.locator('tryon-widget [part=title]').textContent()).toContain('Essayer ce produit');
    expect(await page.locator('tryon-widget [part=dropzone]').textContent()).toContain('Choisir une photo');

    // The property as well; it reflects to the attribute, so assistive technology reads the texts in their language.
    await widget.evaluate((el) => {
      (el as HTMLElement).lang = 'en-GB';
    });
    await waitForText(page, 'tryon-widget [part=title]', 'Try it on');
    expect(await page.locator('tryon-widget [part=dropzone]').textContent()).toContain('Choose a photo');
    expect(await widget.getAttribute('lang')).toBe('en-GB');

    // Without its own `lang` again, it follows the page's.
    await page.evaluate(() => {
      document.documentElement.lang = 'fr';
      document.querySelector('tryon-widget')?.removeAttribute('lang');
    });
    await waitForText(page, 'tryon-widget [part=title]', 'Essayer ce produit');
    expect(await axeViolations(page, 'tryon-widget')).toEqual([]);
    await page.close();
  });

  it('tells the shopper when their try-on was cancelled on the server, distinct from busy, with a retry', async () => {
    const blocker = await occupyInferenceServer();
    let page: Page | undefined;
    try {
      page = await openProductPage();
      await page.locator('tryon-widget [part=button]').click();
      await choosePhotoAndConsent(page);
      await page.locator('tryon-widget [part=start]').click();
      await page.locator('tryon-widget .status').getByText('You are next').waitFor({ timeout: 60_000 });
      await cancelQueuedTryOnOnServer();
      const error = page.locator('tryon-widget [part=error]');
      await error.waitFor({ timeout: 60_000 });
      const text = (await error.textContent()) ?? '';
      expect(text).toContain('stopped before your picture was ready');
      expect(text).not.toContain('very busy');
      expect(text).not.toContain('not available');
      const codes = (await widgetEvents(page)).filter((e) => e.type === 'tryon-error').map((e) => e.detail.code);
      expect(codes).toEqual(['cancelled']);
      // Not the shopper's own Cancel: no tryon-cancel event, and the way forward is a retry with the same photo.
      expect((await widgetEvents(page)).some((e) => e.type === 'tryon-cancel')).toBe(false);
      expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
      await shot(page, '11-error-cancelled');
      expect(await axeViolations(page, 'tryon-widget')).toEqual([]);

      // The same error, in French once the store switches the language.
      await page.evaluate(() => document.querySelector('tryon-widget')?.setAttribute('lang', 'fr'));
      await waitForText(page, 'tryon-widget [part=error]', 'interrompu avant que votre image soit prête');
      expect(await page.getByRole('button', { name: 'Réessayer' }).isVisible()).toBe(true);
    } finally {
      blocker.cancel();
      await page?.close();
    }
  });

  it('tells the shopper when the try-on service is unavailable, in their language, with a retry', async () => {
    await stack.stopInference();
    const page = await openProductPage();
    await page.locator('tryon-widget [part=button]').click();
    await choosePhotoAndConsent(page);
    await page.locator('tryon-widget [part=start]').click();
    const error = page.locator('tryon-widget [part=error]');
    await error.waitFor({ timeout: 60_000 });
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('not available right now');
    expect(text).not.toContain('very busy');
    const codes = (await widgetEvents(page)).filter((e) => e.type === 'tryon-error').map((e) => e.detail.code);
    expect(codes).toEqual(['unavailable']);
    expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    await shot(page, '12-error-unavailable');
    expect(await axeViolations(page, 'tryon-widget')).toEqual([]);

    await page.evaluate(() => document.querySelector('tryon-widget')?.setAttribute('lang', 'fr'));
    await waitForText(page, 'tryon-widget [part=error]', 'n’est pas disponible pour le moment');
    expect(await page.getByRole('button', { name: 'Réessayer' }).isVisible()).toBe(true);
    await page.close();
  });
});
