// The workspace's lint rules (eslint/package-boundaries.js) on code written into real package paths: a relative
// import into another package's folder or past the engine's entry fails `npm run lint`; the public entries pass.
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: repoRoot });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('package boundaries', () => {
  it("fails a relative import of another package's src/, from source, tests and root scripts alike", async () => {
    const cases: [string, string][] = [
      ['storefront-app/src/grpc/new-client.ts', "export { loadTryOnProto } from '../../../proto/src/load-proto.js';"],
      ['storefront-app/src/catalog/new-export.ts', "export { readCatalogExportDataset } from '../../../server/src/training/datasets/catalog-export.js';"],
      ['widget/src/new-part.ts', "export type { ErrorCode } from '../../proto/src/shopper-api.js';"],
      ['server/src/grpc/new-view.ts', "export { renderDemoHome } from '../../../storefront-app/src/views/demo-view.js';"],
      ['storefront-app/tests/new.test.ts', "export { startServer } from '../../server/src/server.js';"],
      ['scripts/new-tool.ts', "export { runTryOn } from '../server/src/tryon/run-try-on.js';"],
    ];
    for (const [file, code] of cases) {
      expect(await ruleIds(file, code), file).toContain('package-boundaries/no-cross-package-relative');
    }
  });

  it('passes the same imports by package name, and relative imports inside one package', async () => {
    const cases: [string, string][] = [
      ['storefront-app/src/grpc/new-client.ts', "export { loadTryOnProto } from '@fitting-room/proto';"],
      ['scripts/new-tool.ts', "export { runTryOn } from '@fitting-room/server/tryon';"],
      ['storefront-app/src/grpc/new-client.ts', "export { shopperFacingError } from './grpc-errors.js';"],
      ['server/src/grpc/new-handler.ts', "export { startServer } from '../server.js';"],
    ];
    for (const [file, code] of cases) expect(await ruleIds(file, code), file).toEqual([]);
  });

  it("keeps server code outside the engine on the engine's entries; the engine and its unit tests may use internals", async () => {
    const internal = "export { UNet2DConditionModel } from '../engine/models/unet/unet-2d-condition.js';";
    expect(await ruleIds('server/src/worker/new-runner.ts', internal)).toEqual(['package-boundaries/engine-entry']);
    expect(await ruleIds('server/src/worker/new-runner.ts', "export { UNet2DConditionModel } from '../engine/index.js';")).toEqual([]);
    expect(await ruleIds('server/src/training/new-step.ts', "export { UNet2DConditionModel } from '../engine/training.js';")).toEqual([]);
    expect(await ruleIds('server/src/engine/pipelines/new-step.ts', "export { UNet2DConditionModel } from '../models/unet/unet-2d-condition.js';")).toEqual([]);
    expect(await ruleIds('server/tests/engine/new.test.ts', "export { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';")).toEqual([]);
    expect(await ruleIds('server/tests/service/new.test.ts', "export { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';")).toEqual(['package-boundaries/engine-entry']);
  });
});
