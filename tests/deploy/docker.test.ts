// The container images and compose.yaml, checked without Docker: the Dockerfiles follow the rules the images
// promise (pinned base, multi-stage with production-only installs, non-root, a health check, no secrets or
// weights baked in), .dockerignore keeps data out of the build context, and compose.yaml names the variables
// and ports the apps read.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadServerConfig, SERVER_ENV_NAMES, startServer } from '@fitting-room/server';
import { loadConfig as loadStorefrontConfig, STOREFRONT_ENV_NAMES } from '@fitting-room/storefront-app';
import { readDockerfile, readYaml, repoRoot, type DockerInstruction } from './manifests.js';

const DOCKERFILES = {
  'inference-server': path.join(repoRoot, 'deploy/docker/inference-server.Dockerfile'),
  'storefront-app': path.join(repoRoot, 'deploy/docker/storefront-app.Dockerfile'),
};

/** The rules, as problems found (empty when the Dockerfile follows them). */
function dockerfileProblems(instructions: DockerInstruction[]): string[] {
  const problems: string[] = [];
  const finalStage = Math.max(...instructions.map((i) => i.stage));
  for (const from of instructions.filter((i) => i.keyword === 'FROM')) {
    const image = from.args.split(/\s+/)[0]!;
    if (!/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$/.test(image) && !/@sha256:[0-9a-f]{64}$/.test(image)) problems.push(`base image not pinned to a full version: ${image}`);
  }
  if (finalStage < 1) problems.push('not multi-stage');
  const final = instructions.filter((i) => i.stage === finalStage);
  const users = final.filter((i) => i.keyword === 'USER').map((i) => i.args);
  if (users.length === 0 || ['root', '0', '0:0'].includes(users.at(-1)!)) problems.push('the final stage runs as root');
  if (!final.some((i) => i.keyword === 'HEALTHCHECK')) problems.push('no HEALTHCHECK');
  if (!final.some((i) => i.keyword === 'CMD' && i.args.startsWith('['))) problems.push('CMD not in exec form (signals would not reach node)');
  const installs = instructions.filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(i.args));
  const copiedModules = final.filter((i) => i.keyword === 'COPY' && i.args.includes('node_modules')).map((i) => /--from=(\w+)/.exec(i.args)?.[1]);
  for (const stageName of copiedModules) {
    const stage = instructions.findIndex((i) => i.keyword === 'FROM' && i.args.endsWith(` AS ${stageName}`));
    const install = installs.find((i) => i.stage === instructions[stage]?.stage);
    if (!install?.args.includes('npm ci') || !install.args.includes('--omit=dev')) problems.push(`node_modules copied from ${stageName}, which is not installed with npm ci --omit=dev`);
  }
  for (const i of instructions.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
    if (/(SECRET|PASSWORD|TOKEN|API_KEY)\w*=/i.test(i.args)) problems.push(`secret in ${i.keyword}: ${i.args}`);
  }
  for (const i of instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
    if (/(^|\s)(\.\/)?(models|data|\.env)(\/|\s|$)|\.safetensors|\.ckpt/.test(i.args)) problems.push(`copies weights, data or env files: ${i.args}`);
  }
  return problems;
}

describe('container images', () => {
  for (const [name, file] of Object.entries(DOCKERFILES)) {
    it(`${name}: pinned base, multi-stage, npm ci --omit=dev, non-root, health check, no secrets or weights`, () => {
      expect(dockerfileProblems(readDockerfile(file))).toEqual([]);
    });
  }

  it('the rules catch what they are for', () => {
    const bad = [
      { stage: 0, keyword: 'FROM', args: 'node:20 AS deps' },
      { stage: 0, keyword: 'RUN', args: 'npm install' },
      { stage: 1, keyword: 'FROM', args: 'node:latest' },
      { stage: 1, keyword: 'ENV', args: 'SHOPIFY_API_SECRET=abc' },
      { stage: 1, keyword: 'COPY', args: 'models /models' },
      { stage: 1, keyword: 'COPY', args: '--from=deps /app/node_modules ./node_modules' },
      { stage: 1, keyword: 'CMD', args: 'node main.js' },
    ];
    const problems = dockerfileProblems(bad).join('\n');
    for (const expected of ['node:20', 'node:latest', 'runs as root', 'no HEALTHCHECK', 'exec form', 'npm ci --omit=dev', 'secret in ENV', 'copies weights']) {
      expect(problems).toContain(expected);
    }
  });

  it('the server image listens where its health check and EXPOSE say, on all interfaces', () => {
    const instructions = readDockerfile(DOCKERFILES['inference-server']);
    const env = Object.fromEntries(
      instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
    );
    for (const name of Object.keys(env).filter((n) => n.startsWith('TRYON_'))) expect(SERVER_ENV_NAMES).toContain(name);
    const config = loadServerConfig({}, env);
    expect(config.host).toBe('0.0.0.0');
    const exposed = instructions.find((i) => i.keyword === 'EXPOSE')!.args.split(/\s+/).map(Number);
    expect(exposed).toEqual([config.port, config.metricsPort]);
    expect(instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args).toContain('server/src/health-probe.ts');
    expect(fs.existsSync(path.join(repoRoot, 'server/src/health-probe.ts'))).toBe(true);
  });

  it("the image's health check exits 0 while the server is SERVING and 1 once it is gone", async () => {
    const probe = (port: number) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/health-probe.ts')], { env: { ...process.env, TRYON_PORT: String(port) } }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
      );
    const server = await startServer({ port: 0, metricsPort: -1, host: '127.0.0.1' });
    await server.ready;
    const serving = await probe(server.port);
    await server.stop();
    const gone = await probe(server.port);
    expect(serving).toEqual({ code: 0, stdout: 'health: SERVING\n' });
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain('cannot reach');
  });

  it('.dockerignore keeps installed modules, weights, data, secrets and tests out of the build context', () => {
    const ignored = fs.readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', 'models', 'data', '**/*.safetensors', '**/.env', 'tests']) expect(ignored).toContain(entry);
  });
});

describe('compose.yaml', () => {
  interface Service {
    build?: { dockerfile: string };
    environment?: Record<string, string | number>;
    volumes?: string[];
  }
  const compose = readYaml<{ services: Record<string, Service> }>(path.join(repoRoot, 'compose.yaml'));
  // Compose's ${VAR:-default} as the default, which is what runs when the operator sets nothing.
  const resolved = (env: Record<string, string | number> = {}) =>
    Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));

  it('runs Postgres, one inference server and the storefront, built from the Dockerfiles', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['inference-server', 'postgres', 'storefront-app']);
    for (const name of ['inference-server', 'storefront-app'] as const) {
      expect(path.join(repoRoot, compose.services[name]!.build!.dockerfile)).toBe(DOCKERFILES[name]);
    }
  });

  it('names only variables the apps read, with values their configs accept; models are mounted read-only', () => {
    const serverEnv = resolved(compose.services['inference-server']!.environment);
    for (const name of Object.keys(serverEnv)) expect(SERVER_ENV_NAMES).toContain(name);
    expect(() => loadServerConfig({}, serverEnv)).not.toThrow();
    expect(compose.services['inference-server']!.volumes).toContain('./models:/models:ro');
    const storefrontEnv = resolved(compose.services['storefront-app']!.environment);
    for (const name of Object.keys(storefrontEnv)) expect(STOREFRONT_ENV_NAMES).toContain(name);
    const storefront = loadStorefrontConfig(storefrontEnv);
    expect(storefront.databaseUrl).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(storefront.grpcAddress).toBe(`dns:///inference-server:${loadServerConfig({}, {}).port}`);
  });
});
