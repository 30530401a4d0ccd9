// deploy/kubernetes: every manifest validates against the Kubernetes API schemas (kubernetes-models, no cluster),
// the kustomization lists every file, and the manifests agree with the code: env names the apps read, values
// their config accepts, ports and probes on the ports the processes listen on, the autoscaler on a metric the
// server exports, a grace period longer than the server's drain.
import fs from 'node:fs';
import path from 'node:path';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadServerConfig, SERVER_ENV_NAMES, startServer } from '@fitting-room/server';
import { loadConfig as loadStorefrontConfig, STOREFRONT_ENV_NAMES } from '@fitting-room/storefront-app';
import { allManifests, envOf, find, kubernetesDir, kustomizationResources, readManifests, type Container, type PodTemplate } from './manifests.js';

type Validating = new (data: never) => { validate(): void };
const MODELS: Record<string, Validating> = {
  'apps/v1/Deployment': apps.Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'batch/v1/Job': batch.Job,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'v1/Namespace': core.Namespace,
  'v1/Secret': core.Secret,
  'v1/Service': core.Service,
  'v1/PersistentVolumeClaim': core.PersistentVolumeClaim,
};

const secrets = Object.fromEntries(allManifests().filter((m) => m.kind === 'Secret').map((m) => [m.metadata.name, m.stringData as Record<string, string>]));
const container = (deployment: string): Container => find<PodTemplate>('Deployment', deployment).spec.template.spec.containers[0]!;

describe('deploy/kubernetes', () => {
  it('lists every manifest file in the kustomization, and each document validates against its API schema', () => {
    const files = fs.readdirSync(kubernetesDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect(kustomizationResources().sort()).toEqual(files.sort());
    const kinds = new Set<string>();
    for (const file of files) {
      for (const manifest of readManifests(path.join(kubernetesDir, file))) {
        const key = `${manifest.apiVersion}/${manifest.kind}`;
        const Model = MODELS[key];
        expect(Model, `${file}: no schema for ${key}`).toBeDefined();
        expect(() => new Model!(manifest as never).validate(), `${file}: ${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
        kinds.add(manifest.kind);
      }
    }
    expect([...kinds].sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Job', 'Namespace', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'Secret', 'Service']);
  });

  it('the schema check catches a broken manifest', () => {
    const broken = structuredClone(find('Deployment', 'inference-server')) as unknown as PodTemplate;
    (broken.spec.template.spec.containers[0] as unknown as { ports: unknown }).ports = [{ containerPort: 'fifty' }];
    expect(() => new apps.Deployment(broken as never).validate()).toThrow();
  });

  it("inference server: env names the server reads, values its config accepts, probes and ports on its gRPC port, one GPU with Vulkan's driver capability", () => {
    const c = container('inference-server');
    const env = envOf(c, secrets);
    for (const name of Object.keys(env).filter((n) => n.startsWith('TRYON_'))) expect(SERVER_ENV_NAMES, name).toContain(name);
    const config = loadServerConfig({}, env);
    const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ grpc: config.port, metrics: config.metricsPort });
    expect(config.host).toBe('0.0.0.0');
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) expect(probe?.grpc?.port).toBe(config.port);
    expect(c.resources?.limits?.['nvidia.com/gpu']).toBe(1);
    expect(env.NVIDIA_DRIVER_CAPABILITIES?.split(',')).toContain('graphics');
    expect(c.volumeMounts?.find((m) => m.mountPath === config.modelsDir)?.readOnly).toBe(true);
    const grace = find<PodTemplate>('Deployment', 'inference-server').spec.template.spec.terminationGracePeriodSeconds!;
    expect(grace * 1000).toBeGreaterThan(config.shutdownGraceMs);
  });

  it('the headless Service exposes the gRPC port, so dns:/// round-robin sees every pod, and the storefront points at it', () => {
    const service = find<{ spec: { clusterIP?: string; ports: { name: string; port: number }[]; selector: Record<string, string> } }>('Service', 'inference-server');
    expect(service.spec.clusterIP).toBe('None');
    const config = loadServerConfig({}, envOf(container('inference-server'), secrets));
    expect(service.spec.ports.find((p) => p.name === 'grpc')?.port).toBe(config.port);
    const storefront = loadStorefrontConfig(envOf(container('storefront-app'), secrets));
    expect(storefront.grpcAddress).toBe(`dns:///inference-server.fitting-room.svc.cluster.local:${config.port}`);
    const podLabels = (find('Deployment', 'inference-server') as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
    expect(podLabels).toMatchObject(service.spec.selector);
  });

  it('storefront: env names the app reads, a config it accepts, probes on its port', () => {
    const c = container('storefront-app');
    const env = envOf(c, secrets);
    for (const name of Object.keys(env)) expect(STOREFRONT_ENV_NAMES, name).toContain(name);
    const config = loadStorefrontConfig(env);
    expect(c.ports?.[0]?.containerPort).toBe(config.port);
    expect(config.bindHost).toBe('0.0.0.0');
    expect(config.shopify?.apiKey).toBe(secrets['shopify-app']!.SHOPIFY_API_KEY);
    for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe?.httpGet?.path).toBe('/healthz');
  });

  it('every pod runs as non-root without privilege escalation', () => {
    for (const name of ['inference-server', 'storefront-app']) {
      const spec = find<PodTemplate>('Deployment', name).spec.template.spec;
      expect(spec.securityContext?.runAsNonRoot, name).toBe(true);
      for (const c of spec.containers) expect(c.securityContext?.allowPrivilegeEscalation, `${name}/${c.name}`).toBe(false);
    }
  });

  it('the autoscaler scales the inference Deployment on a metric the running server exports on /metrics', async () => {
    const hpa = find<{ spec: { scaleTargetRef: { name: string }; metrics: { pods?: { metric: { name: string } } }[] } }>('HorizontalPodAutoscaler', 'inference-server');
    expect(hpa.spec.scaleTargetRef.name).toBe('inference-server');
    const metric = hpa.spec.metrics[0]?.pods?.metric.name;
    const server = await startServer({ port: 0, metricsPort: 0, host: '127.0.0.1' });
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
      expect(text).toMatch(new RegExp(`^# TYPE ${metric} gauge$`, 'm'));
    } finally {
      await server.stop();
    }
  });

  it('the weights Job downloads only models the weights CLI knows, into the volume the servers mount', async () => {
    const { KNOWN_MODELS } = await import('@fitting-room/server/tryon');
    const job = find<{ spec: { template: { spec: { containers: Container[] } } } }>('Job', 'download-weights');
    const command = job.spec.template.spec.containers[0]!.command!;
    expect(command.slice(0, 4)).toEqual(['node', '--import', 'tsx', 'scripts/weights.ts']);
    const names = command.slice(4, command.indexOf('--dir'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(KNOWN_MODELS.map((m) => m.name)).toContain(name);
    const config = loadServerConfig({}, envOf(container('inference-server'), secrets));
    expect(command[command.indexOf('--dir') + 1]).toBe(config.modelsDir);
  });
});
