// Each workspace package declares what its code imports: a package's source may use only its own
// dependencies, so installing one package never installs another's libraries (TensorFlow.js stays out of the
// storefront, Lit out of the server). Tests and build tooling (outside src/) may also use dev dependencies, the
// root's included (vitest, playwright, typescript).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = ['proto', 'server', 'storefront-app', 'widget'];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8')) as Manifest;

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Bare package names a file imports (static, re-exports, and literal dynamic imports; `import type` too). */
function importedPackages(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

const undeclared = (files: string[], allowed: Set<string>) =>
  [...new Set(files.flatMap((f) => importedPackages(f).filter((p) => !allowed.has(p)).map((p) => `${path.relative(repoRoot, f)}: ${p}`)))];

describe('package dependencies', () => {
  const root = manifest('.');
  for (const dir of PACKAGES) {
    const own = manifest(dir);
    const runtime = new Set([own.name, ...Object.keys({ ...own.dependencies, ...own.optionalDependencies })]);
    it(`${own.name}: its source imports only its own dependencies`, () => {
      const sources = tsFiles(path.join(repoRoot, dir, 'src'));
      expect(sources.length).toBeGreaterThan(0);
      expect(undeclared(sources, runtime)).toEqual([]);
    });
    it(`${own.name}: its tests and tooling import only its dependencies and dev dependencies`, () => {
      const tests = tsFiles(path.join(repoRoot, dir)).filter((f) => !f.startsWith(path.join(repoRoot, dir, 'src') + path.sep));
      const allowed = new Set([...runtime, ...Object.keys({ ...own.devDependencies, ...root.devDependencies })]);
      expect(undeclared(tests, allowed)).toEqual([]);
    });
  }

  it('the storefront and the widget do not depend on TensorFlow.js, the server not on Lit or Express', () => {
    const deps = (dir: string) => Object.keys({ ...manifest(dir).dependencies, ...manifest(dir).optionalDependencies });
    expect(deps('storefront-app').filter((d) => d.startsWith('@tensorflow/'))).toEqual([]);
    expect(deps('widget').filter((d) => d.startsWith('@tensorflow/') || d === 'express')).toEqual([]);
    expect(deps('server').filter((d) => d === 'lit' || d === 'express' || d === '@shopify/shopify-api')).toEqual([]);
  });
});
