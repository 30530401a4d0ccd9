// Every error the storefront can report reaches the shopper as a sentence of its own, in English and French.
import { errorCodes } from '@fitting-room/proto/shopper-api';
import { describe, expect, it } from 'vitest';
import { stringsFor, supportedLanguages, type WidgetErrorCode } from '../src/strings.js';
import { toWidgetErrorCode, widgetCodeByServerCode } from '../src/tryon-client.js';

const widgetCodes = Object.keys(stringsFor('en').errors) as WidgetErrorCode[];

describe('widget error codes', () => {
  it('maps every error code of the shopper API', () => {
    expect(Object.keys(widgetCodeByServerCode).sort()).toEqual([...errorCodes].sort());
    for (const code of errorCodes) expect(widgetCodes, code).toContain(toWidgetErrorCode(code));
  });

  it("gives 'unavailable' and a server-side 'cancelled' their own codes, not 'busy'", () => {
    expect(toWidgetErrorCode('unavailable', 503)).toBe('unavailable');
    expect(toWidgetErrorCode('cancelled')).toBe('cancelled');
    expect(toWidgetErrorCode('busy', 503)).toBe('busy');
    expect(toWidgetErrorCode('several_people', 422)).toBe('several_people');
    // No code we know (a proxy's error page): the HTTP status decides, else 'unknown'.
    expect(toWidgetErrorCode(undefined, 413)).toBe('too_large');
    expect(toWidgetErrorCode('toString', 418)).toBe('unknown');
    expect(toWidgetErrorCode(undefined)).toBe('unknown');
  });

  it.each(supportedLanguages)('has a distinct sentence for every code in %s', (lang) => {
    const { errors, cancelled } = stringsFor(lang);
    expect(Object.keys(errors).sort()).toEqual([...widgetCodes].sort());
    const sentences = widgetCodes.map((code) => errors[code]);
    for (const [i, sentence] of sentences.entries()) expect(sentence.length, widgetCodes[i]).toBeGreaterThan(20);
    expect(new Set(sentences).size).toBe(sentences.length);
    // A cancellation on the server's side is not the shopper's own Cancel.
    expect(errors.cancelled).not.toBe(cancelled);
  });

  it('speaks French where asked', () => {
    expect(supportedLanguages).toEqual(['en', 'fr']);
    expect(stringsFor('fr-CA').errors.unavailable).not.toBe(stringsFor('en').errors.unavailable);
    expect(stringsFor('de').errors.unavailable).toBe(stringsFor('en').errors.unavailable);
  });
});
