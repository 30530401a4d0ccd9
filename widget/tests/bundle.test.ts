// The bundle stores load on every product page: one small ES module, without the contract's runtime validation.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWidget } from '../build.js';

describe('widget/dist/tryon-widget.js', () => {
  it('stays small and does not pull zod in through @fitting-room/proto', async () => {
    const { outfile, gzipBytes } = await buildWidget();
    const code = readFileSync(outfile, 'utf8');
    // Type imports from '@fitting-room/proto/shopper-api' vanish; a value import from it would bring its zod schemas.
    expect(code).not.toMatch(/zod/i);
    // The contract's working size reached the downscaler (768 px, not the 1024 it had before).
    expect(code).toMatch(/\b768\b/);
    expect(gzipBytes).toBeLessThan(16 * 1024);
  });
});
