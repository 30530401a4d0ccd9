// npm run tryon:gallery -- --persons <dir> --garments <dir> --out <dir> [--engine warp|diffusion --model <dir>] [--backend name]
// Every person photo × every garment image through the try-on pipeline, written as <out>/index.html: one row per
// person, one column per garment, each cell the result, the mask over the photo, the time and what was refused or
// warned. Quality is judged by looking; this puts everything to look at on one page.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { initBackend, parseBackendName } from '@fitting-room/server/engine';
import { encodePng, greyToMask, overlayMask, runTryOn, TryOnError, type EngineName } from '@fitting-room/server/tryon';
import { UsageError, isUsageError, requiredFlag } from './lib/flags.js';

const USAGE = 'usage: npm run tryon:gallery -- --persons <dir> --garments <dir> --out <dir> [--engine warp|diffusion --model <dir>] [--backend name]';
const IMAGE = /\.(jpe?g|png|webp)$/i;

interface Cell {
  readonly result?: string;
  readonly overlay?: string;
  readonly ms: number;
  readonly note: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** "g02_upper_tee_logo.jpg" → "upper tee logo": the words the pipeline guesses the category from, as a product title would give them. */
const titleOf = (file: string) => path.parse(file).name.replace(/^[a-z]?\d+[_-]/i, '').replace(/[_-]+/g, ' ');

async function images(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => IMAGE.test(f)).sort();
  if (files.length === 0) throw new UsageError(`${dir}: no JPEG, PNG or WebP images`);
  return files;
}

async function tryOnCell(personFile: string, garmentFile: string, out: string, name: string, engine: EngineName, modelDir?: string): Promise<Cell> {
  const started = performance.now();
  try {
    const result = await runTryOn({
      personImage: await readFile(personFile),
      garmentImage: await readFile(garmentFile),
      title: titleOf(garmentFile),
      engine,
      ...(modelDir ? { model: { modelDir } } : {}),
    });
    const ms = performance.now() - started;
    await writeFile(path.join(out, `${name}.png`), await encodePng(result.image));
    await writeFile(path.join(out, `${name}-mask.png`), await overlayMask(result.debug.photo, greyToMask(result.mask)));
    const note = [result.category, ...result.warnings].join('; ');
    return { result: `${name}.png`, overlay: `${name}-mask.png`, ms, note };
  } catch (err) {
    if (!(err instanceof TryOnError)) throw err;
    return { ms: performance.now() - started, note: `refused (${err.code}): ${err.message}` };
  }
}

function page(persons: string[], garments: string[], cells: Cell[][]): string {
  const head = garments.map((g) => `<th>${escapeHtml(g)}</th>`).join('');
  const rows = persons.map((p, i) => {
    const tds = cells[i]!.map((c) => {
      const pictures = c.result ? `<img src="${c.result}" alt="result"><img src="${c.overlay}" alt="mask over the photo">` : '';
      return `<td>${pictures}<p>${(c.ms / 1000).toFixed(1)} s — ${escapeHtml(c.note)}</p></td>`;
    });
    return `<tr><th>${escapeHtml(p)}</th>${tds.join('')}</tr>`;
  });
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Try-on gallery</title>
<style>body{font:14px system-ui;margin:1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}img{height:240px;display:inline-block;margin:2px}p{margin:2px;max-width:480px}</style>
<h1>Try-on gallery</h1><p>Each cell: the result, then the mask over the photo (red: repainted), the time and the category or refusal.</p>
<table><tr><th></th>${head}</tr>${rows.join('\n')}</table></html>\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { persons: { type: 'string' }, garments: { type: 'string' }, out: { type: 'string' }, engine: { type: 'string' }, model: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) return void console.log(USAGE);
  const [personsDir, garmentsDir, out] = [requiredFlag('persons', values.persons), requiredFlag('garments', values.garments), requiredFlag('out', values.out)];
  const engine = (values.engine ?? (values.model ? 'diffusion' : 'warp')) as EngineName;
  if (engine !== 'warp' && engine !== 'diffusion') throw new UsageError(`--engine must be warp or diffusion, got "${values.engine}"`);
  if (engine === 'diffusion' && !values.model) throw new UsageError('--engine diffusion needs --model <diffusers inpainting folder>');
  const [persons, garments] = [await images(personsDir), await images(garmentsDir)];
  await initBackend(values.backend ? parseBackendName(values.backend, '--backend') : undefined);
  await mkdir(out, { recursive: true });

  const bar = new SingleBar({ format: 'gallery [{bar}] {value}/{total} | {pair}', hideCursor: true }, Presets.shades_classic);
  bar.start(persons.length * garments.length, 0, { pair: '' });
  const cells: Cell[][] = [];
  try {
    for (const [i, p] of persons.entries()) {
      cells.push([]);
      for (const [j, g] of garments.entries()) {
        bar.update({ pair: `${p} × ${g}` });
        cells[i]!.push(await tryOnCell(path.join(personsDir, p), path.join(garmentsDir, g), out, `p${i}-g${j}`, engine, values.model));
        bar.increment();
      }
    }
  } finally {
    bar.stop();
  }
  await writeFile(path.join(out, 'index.html'), page(persons, garments, cells));
  console.log(`wrote ${path.join(out, 'index.html')} (${persons.length} persons × ${garments.length} garments)`);
}

main().catch((err: unknown) => {
  if (isUsageError(err)) console.error(`${err.message}\n${USAGE}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exitCode = isUsageError(err) ? 2 : 1;
});
