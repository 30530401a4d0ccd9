// The Custom Elements Manifest (widget/custom-elements.json) is what stores and tools read to learn the widget's
// attributes, events, CSS parts and CSS custom properties. It is generated from JSDoc tags, which can drift from
// the code as prose did: these tests fail when the committed file is stale, and when the manifest and the code
// (Lit properties, the template's `part="…"`, the styles' `var(--tryon-…)`, events.ts) disagree.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFEST_PATH, WIDGET_DIR, writeManifest, type Manifest, type ManifestDeclaration } from '../manifest.js';

const source = (file: string): string => readFileSync(path.join(WIDGET_DIR, file), 'utf8');
const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();
const parse = (file: string): ts.SourceFile => ts.createSourceFile(file, source(file), ts.ScriptTarget.ES2022, true);
const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();

const committed = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;

function element(tagName: string): ManifestDeclaration {
  const found = committed.modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement && d.tagName === tagName);
  if (!found) throw new Error(`custom-elements.json has no <${tagName}>`);
  return found;
}

/** The attributes Lit observes for a class: its `static properties` entries, less state and `attribute: false`. */
function litAttributes(file: string, className: string): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.name?.text === className) {
      for (const member of node.members) {
        if (!ts.isPropertyDeclaration(member) || member.name.getText() !== 'properties' || !member.initializer) continue;
        if (!ts.isObjectLiteralExpression(member.initializer)) continue;
        for (const entry of member.initializer.properties) {
          if (!ts.isPropertyAssignment(entry) || !ts.isObjectLiteralExpression(entry.initializer)) continue;
          const options = entry.initializer;
          const option = (key: string) =>
            options.properties.find((o): o is ts.PropertyAssignment => ts.isPropertyAssignment(o) && o.name.getText() === key)?.initializer;
          if (option('state')?.kind === ts.SyntaxKind.TrueKeyword || option('attribute')?.kind === ts.SyntaxKind.FalseKeyword) continue;
          const attribute = option('attribute');
          names.push(attribute && ts.isStringLiteral(attribute) ? attribute.text : entry.name.getText().toLowerCase());
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(parse(file));
  if (names.length === 0) throw new Error(`no Lit properties found for ${className} in ${file}`);
  return sorted(names);
}

/** `part="…"` in a template (a part attribute may name several parts). */
const templateParts = (file: string): string[] => sorted([...source(file).matchAll(/\bpart="([^"$]+)"/g)].flatMap((m) => m[1].split(/\s+/)));

/** The public custom properties a stylesheet reads. */
const cssProperties = (file: string): string[] => sorted([...source(file).matchAll(/var\(\s*(--tryon-[\w-]+)/g)].map((m) => m[1]));

/** events.ts's TryOnEventMap: event name → the type of its `detail`. */
function eventMap(): Map<string, string> {
  const events = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'TryOnEventMap') {
      for (const member of node.members) {
        if (ts.isPropertySignature(member) && member.type) events.set((member.name as ts.StringLiteral).text, squash(member.type.getText()));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(parse('src/events.ts'));
  if (events.size === 0) throw new Error('no TryOnEventMap in src/events.ts');
  return events;
}

const names = (entries: Array<{ name: string }> | undefined): string[] => sorted((entries ?? []).map((e) => e.name));

describe('widget/custom-elements.json', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tryon-cem-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is what the analyzer makes of the source now (else: npm run widget:build, and commit it)', () => {
    const fresh = writeManifest(path.join(dir, 'custom-elements.json'));
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(MANIFEST_PATH, 'utf8'));
  });

  it('is the one package.json points tools to', () => {
    const pkg = JSON.parse(source('package.json')) as { customElements?: string; exports?: Record<string, string> };
    expect(pkg.customElements).toBe('custom-elements.json');
    expect(pkg.exports?.['./custom-elements.json']).toBe('./custom-elements.json');
  });

  describe('<tryon-widget>', () => {
    const widget = element('tryon-widget');

    it('lists exactly the attributes its Lit properties observe', () => {
      expect(litAttributes('src/tryon-widget.ts', 'TryOnWidget')).toEqual(['endpoint', 'lang', 'privacy-url', 'product-id', 'product-image', 'product-title']);
      expect(names(widget.attributes)).toEqual(litAttributes('src/tryon-widget.ts', 'TryOnWidget'));
      for (const attribute of widget.attributes ?? []) expect(attribute.description, attribute.name).toBeTruthy();
    });

    it('lists exactly the events of events.ts, with their detail', () => {
      const events = eventMap();
      expect(names(widget.events)).toEqual(sorted(events.keys()));
      for (const event of widget.events ?? []) {
        expect(squash(event.type?.text ?? ''), event.name).toBe(`CustomEvent<${events.get(event.name)}>`);
        expect(event.description, event.name).toBeTruthy();
      }
      // …and the element dispatches every one of them.
      const dispatched = sorted([...source('src/tryon-widget.ts').matchAll(/tryOnEvent\('([\w-]+)'/g)].map((m) => m[1]));
      expect(dispatched).toEqual(sorted(events.keys()));
    });

    it('lists exactly the parts its template exposes', () => {
      expect(templateParts('src/tryon-widget.ts')).toContain('error');
      expect(names(widget.cssParts)).toEqual(templateParts('src/tryon-widget.ts'));
    });

    it('lists exactly the --tryon-* custom properties its styles read', () => {
      expect(cssProperties('src/tryon-widget.styles.ts')).toContain('--tryon-muted');
      expect(names(widget.cssProperties)).toEqual(cssProperties('src/tryon-widget.styles.ts'));
    });

    it('has a summary', () => {
      expect(widget.summary).toBeTruthy();
    });
  });

  describe('<tryon-compare>', () => {
    const compare = element('tryon-compare');
    it('lists exactly its attributes, parts and custom properties', () => {
      expect(names(compare.attributes)).toEqual(litAttributes('src/compare-slider.ts', 'TryOnCompare'));
      expect(names(compare.cssParts)).toEqual(templateParts('src/compare-slider.ts'));
      expect(names(compare.cssProperties)).toEqual(cssProperties('src/compare-slider.ts'));
      expect(compare.summary).toBeTruthy();
    });
  });

  it("matches README's widget section, which points to it", () => {
    const readme = readFileSync(path.join(WIDGET_DIR, '..', 'README.md'), 'utf8');
    const start = readme.indexOf("## For shoppers' stores: the widget");
    expect(start).toBeGreaterThan(-1);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    expect(section).toContain('widget/custom-elements.json');
    const widget = element('tryon-widget');
    for (const entry of [...(widget.attributes ?? []), ...(widget.events ?? []), ...(widget.cssParts ?? []), ...(widget.cssProperties ?? [])]) {
      expect(section, entry.name).toContain(`\`${entry.name}\``);
    }
  });
});
