// npm run gpu:adapter -- [--allow-software]
// Which backend the engine selects on its own on this machine and, on webgpu, the adapter it runs on (vendor,
// architecture, device, limits); otherwise why each backend before the selected one was passed by, Dawn's
// own words included. Exit 1 unless webgpu was selected. --allow-software asks for webgpu by name, which also
// takes a software adapter (lavapipe), as TRYON_BACKEND=webgpu does.
import { parseArgs } from 'node:util';
import { initBackend } from '@fitting-room/server/engine';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'allow-software': { type: 'boolean', default: false } } });
  const info = await initBackend(values['allow-software'] ? 'webgpu' : undefined, { logger: { info: () => {}, warn: () => {} } });
  for (const { name, reason } of info.skipped) console.log(`passed by ${name}: ${reason}`);
  console.log(`selected backend: ${info.name}`);
  if (info.adapter === undefined) return 1;
  const a = info.adapter;
  console.log(`adapter: ${a.vendor} ${a.architecture}${a.software ? ' (software)' : ''}`);
  console.log(`  device: ${a.device}`);
  console.log(`  description: ${a.description}`);
  console.log(`  maxStorageBufferBindingSize: ${a.maxStorageBufferBindingSize} (${(a.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB)`);
  console.log(`  maxBufferSize: ${a.maxBufferSize} (${(a.maxBufferSize / 2 ** 20).toFixed(0)} MiB)`);
  console.log(`  largest tensor the engine makes: ${info.maxTensorBytes} bytes`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`gpu:adapter: ${(err as Error).message}`);
    process.exitCode = 2;
  },
);
