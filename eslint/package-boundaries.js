// Local ESLint rules for the workspace layout (README "Architecture").
//  - package-boundaries/no-cross-package-relative: a file never reaches into another workspace package by a relative
//    path; it imports the package by name (`@fitting-room/proto`, `@fitting-room/server/engine`, ...), whose
//    `exports` are its public entry.
//  - package-boundaries/engine-entry: inside the server, code outside `src/engine/` uses the engine's public entry
//    (`engine/index.ts`) or, for training, its narrower entry (`engine/training.ts`); the model internals behind them
//    can change without touching callers. The engine's own tests may test internals.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_DIRS = ['proto', 'server', 'storefront-app', 'widget'];

/** The workspace package a repository file belongs to ('' for the root: scripts/, tests/e2e/). */
export function packageOf(file) {
  const rel = path.relative(repoRoot, file).split(path.sep);
  return PACKAGE_DIRS.includes(rel[0]) ? rel[0] : '';
}

const importSources = (context, check) => {
  const visit = (node) => {
    if (node.source && typeof node.source.value === 'string') check(node, node.source.value);
  };
  return { ImportDeclaration: visit, ExportNamedDeclaration: visit, ExportAllDeclaration: visit, ImportExpression: visit };
};

const noCrossPackageRelative = {
  meta: {
    type: 'problem',
    docs: { description: "Import another workspace package by its name, not by a relative path into its folder" },
    messages: { cross: "'{{spec}}' reaches into the {{target}} package by a relative path: import {{name}} (its public entry) instead." },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const own = packageOf(file);
    return importSources(context, (node, spec) => {
      if (!spec.startsWith('.')) return;
      const target = packageOf(path.resolve(path.dirname(file), spec));
      if (target === own || target === '') return;
      context.report({ node: node.source, messageId: 'cross', data: { spec, target, name: `@fitting-room/${target}` } });
    });
  },
};

const ENGINE_DIR = path.join(repoRoot, 'server/src/engine');
const ENGINE_ENTRIES = new Set(['index', 'training'].map((name) => path.join(ENGINE_DIR, `${name}.js`)));

const engineEntry = {
  meta: {
    type: 'problem',
    docs: { description: 'Outside server/src/engine, use the engine through engine/index.ts (training: engine/training.ts)' },
    messages: { internal: "'{{spec}}' is an engine internal: import it from the engine's public entry (engine/index.ts), or engine/training.ts for training code." },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    if (file.startsWith(ENGINE_DIR + path.sep)) return {};
    return importSources(context, (node, spec) => {
      if (!spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(ENGINE_DIR + path.sep) || ENGINE_ENTRIES.has(target)) return;
      context.report({ node: node.source, messageId: 'internal', data: { spec } });
    });
  },
};

export default { rules: { 'no-cross-package-relative': noCrossPackageRelative, 'engine-entry': engineEntry } };
