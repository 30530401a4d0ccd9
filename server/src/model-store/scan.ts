// Finds what a models directory holds: diffusers folders, single-file checkpoints, LoRAs and TAESD, told apart by
// their files (model_index.json, the UNet's in_channels, the safetensors keys), never by trusting a name.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SafetensorsFile } from '../engine/index.js';
import { isValidModelName } from './names.js';

export type ModelKind = 'base' | 'inpaint' | 'lora' | 'fine-tuned' | 'try-on' | 'taesd' | 'ip-adapter' | 'catvton';
export type ModelFormat = 'diffusers' | 'single-file' | 'lora-safetensors' | 'builtin';

export interface ModelEntry {
  readonly name: string;
  readonly kind: ModelKind;
  readonly format: ModelFormat;
  /** Folder or file; empty for built-in engines. */
  readonly path: string;
  /** Bytes of weights once loaded as float32: what the memory budget counts. */
  readonly memoryBytes: number;
  readonly sizeBytes: number;
  /** From the folder's LICENCE file (npm run weights writes one), or known for the kind (CatVTON). */
  readonly licence?: string;
  /** Weights whose licence forbids commercial use: loaded only with TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS=true. */
  readonly nonCommercial?: boolean;
}

export interface ScanProblem {
  readonly path: string;
  readonly reason: string;
}

/** A full fine-tune written by the trainer carries this file beside model_index.json. */
export const FINE_TUNED_MARKER = 'training.json';

const SINGLE_FILE_UNET_IN = 'model.diffusion_model.input_blocks.0.0.weight';


interface WeightStats {
  sizeBytes: number;
  memoryBytes: number;
}

async function safetensorsStats(file: string): Promise<WeightStats & { st: SafetensorsFile }> {
  const st = await SafetensorsFile.open(file);
  let memoryBytes = 0;
  for (const entry of st.entries.values()) memoryBytes += entry.shape.reduce((a, b) => a * b, 1) * 4;
  const { size } = await fs.stat(file);
  return { sizeBytes: size, memoryBytes, st };
}

async function folderWeightStats(dir: string): Promise<WeightStats> {
  const total: WeightStats = { sizeBytes: 0, memoryBytes: 0 };
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.name.endsWith('.safetensors')) continue;
    const file = path.join(entry.parentPath, entry.name);
    // Weight files linked in from elsewhere (a shared download cache) count like files.
    if (!entry.isFile() && !(entry.isSymbolicLink() && (await fs.stat(file)).isFile())) continue;
    const stats = await safetensorsStats(file);
    await stats.st.close();
    total.sizeBytes += stats.sizeBytes;
    total.memoryBytes += stats.memoryBytes;
  }
  return total;
}

async function scanDiffusersFolder(name: string, dir: string): Promise<ModelEntry> {
  const unetConfig = JSON.parse(await fs.readFile(path.join(dir, 'unet', 'config.json'), 'utf8')) as { in_channels?: unknown };
  const inpaint = unetConfig.in_channels === 9;
  const fineTuned = existsSync(path.join(dir, FINE_TUNED_MARKER));
  const kind: ModelKind = inpaint ? 'inpaint' : fineTuned ? 'fine-tuned' : 'base';
  return { name, kind, format: 'diffusers', path: dir, ...(await folderWeightStats(dir)), ...(await readLicence(dir)) };
}

function isLoraKey(key: string): boolean {
  return key.startsWith('lora_') || key.includes('.lora_down.') || key.includes('.lora_A.') || key.includes('.lora.down.') || key.includes('.lora_linear_layer.');
}

/** The file diffusers' save_lora_weights writes (and LCM-LoRA's repository holds) inside a LoRA folder. */
const LORA_FOLDER_FILE = 'pytorch_lora_weights.safetensors';

/** CatVTON's licence (zhengchong/CatVTON): the weights may not be used commercially. */
export const CATVTON_LICENCE = 'CC BY-NC-SA 4.0';
/** Where CatVTON's attention weights sit in its folder (npm run weights lays it out so). */
const CATVTON_FILES = ['attention/model.safetensors', 'mix-48k-1024/attention/model.safetensors'];
/** IP-Adapter files in h94/IP-Adapter's layout, plus first (the try-on engine's choice). */
const IP_ADAPTER_FILES = ['models/ip-adapter-plus_sd15.safetensors', 'models/ip-adapter_sd15.safetensors'];

/** The folder's LICENCE file: first line the licence, a line "non-commercial" when it forbids commercial use. */
async function readLicence(dir: string): Promise<Pick<ModelEntry, 'licence' | 'nonCommercial'>> {
  const file = path.join(dir, 'LICENCE');
  if (!existsSync(file)) return {};
  const lines = (await fs.readFile(file, 'utf8')).split('\n').map((l) => l.trim());
  return { licence: lines[0], nonCommercial: lines.includes('non-commercial') };
}

/** A folder that is not a pipeline: TAESD, a LoRA saved by diffusers, an IP-Adapter, or CatVTON's attention. */
async function scanComponentFolder(name: string, dir: string): Promise<ModelEntry | undefined> {
  const licence = await readLicence(dir);
  for (const file of IP_ADAPTER_FILES) {
    if (existsSync(path.join(dir, file)) && existsSync(path.join(dir, 'models/image_encoder/config.json'))) {
      return { name, kind: 'ip-adapter', format: 'diffusers', path: dir, ...(await folderWeightStats(dir)), ...licence };
    }
  }
  for (const file of CATVTON_FILES) {
    if (existsSync(path.join(dir, file))) {
      return { name, kind: 'catvton', format: 'diffusers', path: path.dirname(path.dirname(path.join(dir, file))), ...(await folderWeightStats(dir)), licence: CATVTON_LICENCE, nonCommercial: true };
    }
  }
  const loraFile = path.join(dir, LORA_FOLDER_FILE);
  if (existsSync(loraFile)) return { ...(await scanSafetensorsFile(name, loraFile)), name, ...licence };
  const configFile = path.join(dir, 'config.json');
  if (!existsSync(configFile)) return undefined;
  const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as { _class_name?: unknown };
  if (config._class_name !== 'AutoencoderTiny') return undefined;
  return { name, kind: 'taesd', format: 'diffusers', path: dir, ...(await folderWeightStats(dir)), ...licence };
}

async function scanSafetensorsFile(name: string, file: string): Promise<ModelEntry> {
  const { st, ...stats } = await safetensorsStats(file);
  try {
    const keys = st.names;
    if (keys.some(isLoraKey)) return { name, kind: 'lora', format: 'lora-safetensors', path: file, ...stats };
    const unetIn = st.entries.get(SINGLE_FILE_UNET_IN);
    if (!unetIn) throw new Error(`neither a LoRA (lora_* keys) nor a single-file checkpoint (no ${SINGLE_FILE_UNET_IN})`);
    const kind: ModelKind = unetIn.shape[1] === 9 ? 'inpaint' : 'base';
    return { name, kind, format: 'single-file', path: file, ...stats };
  } finally {
    await st.close();
  }
}

/** Scans one directory (not recursive: a model is one entry). Unusable entries are reported, not fatal. */
export async function scanModelsDir(dir: string): Promise<{ models: ModelEntry[]; problems: ScanProblem[] }> {
  const models: ModelEntry[] = [];
  const problems: ScanProblem[] = [];
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) continue;
    try {
      // Follow symlinks: a models directory is often a set of links to where the weights live.
      const stats = entry.isSymbolicLink() ? await fs.stat(full) : entry;
      if (stats.isDirectory()) {
        const pipeline = existsSync(path.join(full, 'model_index.json'));
        const component = pipeline ? undefined : await scanComponentFolder(entry.name, full);
        if (!pipeline && !component) continue;
        if (!isValidModelName(entry.name)) throw new Error('name is not a valid model name');
        models.push(component ?? (await scanDiffusersFolder(entry.name, full)));
      } else if (stats.isFile() && entry.name.endsWith('.safetensors')) {
        const name = entry.name.slice(0, -'.safetensors'.length);
        if (!isValidModelName(name)) throw new Error('name is not a valid model name');
        models.push(await scanSafetensorsFile(name, full));
      } else if (stats.isFile() && /\.(ckpt|pt|pth|bin)$/.test(entry.name)) {
        throw new Error('pickle checkpoints are not loaded (they can run code); convert to .safetensors');
      }
    } catch (error) {
      problems.push({ path: full, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { models, problems };
}
