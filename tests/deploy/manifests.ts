// Reads the deployment files the tests check: Kubernetes manifests (every document of every file that the
// kustomization lists), compose.yaml and the Dockerfiles.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const kubernetesDir = path.join(repoRoot, 'deploy/kubernetes');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

export const readYaml = <T>(file: string): T => parse(fs.readFileSync(file, 'utf8')) as T;

export function readManifests(file: string): Manifest[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Manifest;
  });
}

export function kustomizationResources(): string[] {
  return readYaml<{ resources: string[] }>(path.join(kubernetesDir, 'kustomization.yaml')).resources;
}

export const allManifests = (): Manifest[] => kustomizationResources().flatMap((r) => readManifests(path.join(kubernetesDir, r)));

export function find<T = Manifest>(kind: string, name: string): T {
  const found = allManifests().find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found as unknown as T;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string } }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { limits?: Record<string, string | number> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: { path: string; port: string | number };
}
export interface PodTemplate {
  spec: { template: { spec: { containers: Container[]; terminationGracePeriodSeconds?: number; securityContext?: { runAsNonRoot?: boolean } } } };
}

/** A container's plain env values plus, for secret references, a placeholder (the names are what matter). */
export function envOf(container: Container, secrets: Record<string, Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) Object.assign(env, secrets[from.secretRef?.name ?? ''] ?? {});
  for (const v of container.env ?? []) {
    const ref = v.valueFrom?.secretKeyRef;
    env[v.name] = v.value ?? (ref ? (secrets[ref.name]?.[ref.key] ?? 'from-secret') : '');
  }
  return env;
}

export interface DockerInstruction {
  stage: number;
  keyword: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined, numbered by build stage (FROM starts one). */
export function readDockerfile(file: string): DockerInstruction[] {
  const joined = fs
    .readFileSync(file, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let stage = -1;
  return joined.map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword!.toUpperCase() === 'FROM') stage++;
    return { stage, keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
}
