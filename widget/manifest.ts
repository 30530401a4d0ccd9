// Generates widget/custom-elements.json (the Custom Elements Manifest: https://github.com/webcomponents/custom-elements-manifest)
// from the widget's source: the JSDoc tags on its elements (`@attr`, `@fires`, `@csspart`, `@cssprop`, `@summary`)
// and Lit's `static properties`. `npm run widget:build` writes it; widget/tests/custom-elements.test.ts fails
// when the committed file is stale, or when the tags and the code disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from '@custom-elements-manifest/analyzer';
import type TypeScript from 'typescript';
import * as analyzer from '@custom-elements-manifest/analyzer';
import { litPlugin } from '@custom-elements-manifest/analyzer/src/features/framework-plugins/lit/lit.js';

/** The parts of the manifest's schema (custom-elements-manifest's schema.d.ts) that this package reads. */
export interface ManifestEntry {
  name: string;
  description?: string;
  summary?: string;
  type?: { text: string };
  default?: string;
  fieldName?: string;
}
export interface ManifestMember extends ManifestEntry {
  kind: string;
  privacy?: string;
  attribute?: string;
  reflects?: boolean;
}
export interface ManifestDeclaration extends ManifestEntry {
  kind: string;
  customElement?: boolean;
  tagName?: string;
  attributes?: ManifestEntry[];
  events?: ManifestEntry[];
  cssParts?: ManifestEntry[];
  cssProperties?: ManifestEntry[];
  members?: ManifestMember[];
}
export interface Manifest {
  schemaVersion: string;
  modules: Array<{ kind: string; path: string; declarations?: ManifestDeclaration[]; exports?: unknown[] }>;
}

export const WIDGET_DIR = path.dirname(fileURLToPath(import.meta.url));
export const MANIFEST_PATH = path.join(WIDGET_DIR, 'custom-elements.json');

/**
 * The modules described, relative to widget/: the public entry and the modules that declare its elements and
 * events. (Not the string tables or the HTTP client: their contents are no part of the element's interface, and
 * every wording change would otherwise change the manifest.)
 */
export const MANIFEST_MODULES = ['src/index.ts', 'src/tryon-widget.ts', 'src/compare-slider.ts', 'src/events.ts'];

// The analyzer's entry exports `create` and the TypeScript it parses with (its own version: the syntax-tree
// node kinds must match), but its type declarations omit both.
const { create, ts } = analyzer as unknown as {
  create(options: { modules: TypeScript.SourceFile[]; plugins?: Plugin[]; context?: Record<string, unknown> }): Manifest;
  ts: typeof TypeScript;
};

/**
 * Lit's `static properties` entries with `state: true` are internal reactive state, not attributes; the
 * analyzer's Lit plugin only knows `attribute: false`. Runs after it, on the same class node.
 */
function litStateIsNotAnAttribute(): Plugin {
  return {
    name: 'fitting-room/lit-state-is-not-an-attribute',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const className = node.name.text;
      const state = new Set<string>();
      for (const member of node.members) {
        if (!ts.isPropertyDeclaration(member) || member.name.getText() !== 'properties') continue;
        if (!member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
        if (!member.initializer || !ts.isObjectLiteralExpression(member.initializer)) continue;
        for (const entry of member.initializer.properties) {
          if (!ts.isPropertyAssignment(entry) || !ts.isObjectLiteralExpression(entry.initializer)) continue;
          const isState = entry.initializer.properties.some(
            (o) => ts.isPropertyAssignment(o) && o.name.getText() === 'state' && o.initializer.kind === ts.SyntaxKind.TrueKeyword,
          );
          if (isState) state.add(entry.name.getText());
        }
      }
      if (state.size === 0) return;
      const klass = (moduleDoc.declarations as ManifestDeclaration[] | undefined)?.find((d) => d.name === className);
      if (!klass || klass.kind !== 'class') return;
      klass.attributes = klass.attributes?.filter((a) => !a.fieldName || !state.has(a.fieldName));
      for (const member of klass.members ?? []) {
        if (member.kind === 'field' && state.has(member.name)) {
          delete member.attribute;
          delete member.reflects;
        }
      }
    },
  };
}

/** The manifest of the widget's source as it is now. */
export function generateManifest(): Manifest {
  const modules = MANIFEST_MODULES.map((file) =>
    ts.createSourceFile(file, readFileSync(path.join(WIDGET_DIR, file), 'utf8'), ts.ScriptTarget.ES2022, true),
  );
  return create({ modules, plugins: [...litPlugin(), litStateIsNotAnAttribute()], context: { dev: false } });
}

/** The file's text, as the analyzer's CLI writes it. */
export const manifestText = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

/** Writes the manifest (by default to widget/custom-elements.json) and returns its path. */
export function writeManifest(file = MANIFEST_PATH): string {
  writeFileSync(file, manifestText(generateManifest()));
  return file;
}
