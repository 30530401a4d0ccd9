import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared');
/** A real person photo (test-only licence: never copied into the repo). */
export const personPhoto = path.join(sharedDir, 'fixtures/photos/person/p01_half_woman_sleeveless.jpg');
/** Screenshots of the dialog's states, for people to look at (ignored by git). */
export const screenshotDir = path.join(repoRoot, '.tmp', 'widget-screenshots');
