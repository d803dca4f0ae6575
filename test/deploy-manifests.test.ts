/**
 * The deployment recipe (deploy/) checked offline against the config it runs and against what
 * `baton worker` serves: no cluster, no image build; parsing and cross-checking only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { loadConfig } from '../config/load-config';
import { allPools } from '../config/pools';
import { durationToMs } from '../core/durations';
import { defaultForceAfterMs } from '../workers/drain';
import { healthBindAddress, startHealthServer } from '../workers/health';
import { metricsBindAddress } from '../workers/telemetry';
import { buildProgram } from '../client/cli/main';
import { deploymentOptionsOf } from '../workers/scaling-options';
import { kustomizeBuild, type Manifest } from './helpers/kustomize';

const root = path.join(__dirname, '..');
const k8s = path.join(root, 'deploy/kubernetes/base');
const overlay = path.join(root, 'deploy/kubernetes/overlays/versioned');


function manifests(): Manifest[] {
  const kustomization = parse(readFileSync(path.join(k8s, 'kustomization.yaml'), 'utf8')) as { resources: string[]; images: Array<{ name: string }> };
  return kustomization.resources.flatMap((file) => parseAllDocuments(readFileSync(path.join(k8s, file), 'utf8')).map((doc) => {
    expect(doc.errors, file).toEqual([]);
    return doc.toJS() as Manifest;
  }));
}

const argValue = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

/** The Dockerfile's instructions of one kind (the last stage's count for USER and ENTRYPOINT). */
function dockerfile(instruction: string): string[] {
  return readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8').split('\n').filter((l) => l.startsWith(`${instruction} `)).map((l) => l.slice(instruction.length + 1).trim());
}

async function fleet() {
  const all = manifests();
  const configMap = all.find((m) => m.kind === 'ConfigMap') as Manifest;
  const configPath = path.join(root, configMap.data?.BATON_CONFIG as string);
  const config = await loadConfig(configPath);
  return { all, configMap, config, pools: allPools(config) };
}

describe('deploy/: the worker image and Kubernetes manifests', () => {
  it('has a Deployment serving each pool of the config and a KEDA ScaledObject on that pool’s task queue', async () => {
    const { all, configMap, pools } = await fleet();
    const deployments = all.filter((m) => m.kind === 'Deployment');
    const scaled = all.filter((m) => m.kind === 'ScaledObject');
    expect(pools.map((p) => p.name)).toEqual(['default', 'research']);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(pools.map((p) => `baton-worker-${p.name}`).sort());
    for (const pool of pools) {
      const deployment = deployments.find((d) => d.metadata.name === `baton-worker-${pool.name}`) as Manifest;
      const container = deployment.spec.template.spec.containers[0];
      expect(argValue(container.args, '--pool')).toBe(pool.name);
      const scaler = scaled.find((s) => s.spec.scaleTargetRef.name === deployment.metadata.name) as Manifest;
      expect(scaler, `ScaledObject for ${pool.name}`).toBeDefined();
      const trigger = scaler.spec.triggers[0];
      expect(trigger).toMatchObject({ type: 'temporal', metadata: { taskQueue: pool.taskQueue, endpoint: configMap.data?.TEMPORAL_ADDRESS, namespace: configMap.data?.TEMPORAL_NAMESPACE } });
      expect(scaler.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    }
    expect(scaled).toHaveLength(pools.length);
  });

  it('points probes and ports at what baton worker serves with its --health and --metrics flags', async () => {
    const { all } = await fleet();
    for (const deployment of all.filter((m) => m.kind === 'Deployment')) {
      const pod = deployment.spec.template;
      const container = pod.spec.containers[0];
      const health = healthBindAddress(argValue(container.args, '--health') as string);
      const metrics = metricsBindAddress(argValue(container.args, '--metrics') as string);
      expect(health.host, 'probes come from the kubelet, not from inside the pod').toBe('0.0.0.0');
      expect(metrics).toMatch(/^0\.0\.0\.0:/);
      const ports = Object.fromEntries(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
      expect(ports).toEqual({ health: health.port, metrics: Number(metrics.split(':')[1]) });
      expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/port': String(ports.metrics), 'prometheus.io/path': '/metrics' });
      for (const probe of ['startupProbe', 'livenessProbe']) expect(container[probe].httpGet).toEqual({ path: '/healthz', port: 'health' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
      expect(container.readinessProbe.timeoutSeconds * 1000, '/readyz waits up to 2 s for Temporal').toBeGreaterThan(2000);
    }
    // The probe paths are the health server's own: a real one answers them (and 404s anything else).
    const server = await startHealthServer(0, { workerState: () => 'RUNNING', connection: { withDeadline: (_d: unknown, fn: () => unknown) => fn(), workflowService: { getSystemInfo: async () => ({}) } } as never, providers: [] });
    try {
      for (const [probePath, status] of [['/healthz', 200], ['/readyz', 200], ['/metrics', 404]] as const) expect((await fetch(`http://${server.address}${probePath}`)).status).toBe(status);
    } finally {
      await server.close();
    }
  });

  it('gives a pod longer to stop than the worker drains, and every secret the config reads from a Secret', async () => {
    const { all, config } = await fleet();
    const graceMs = durationToMs(config.worker.shutdownGraceTime) + defaultForceAfterMs;
    const secretEnvs = [...new Set([
      ...Object.values(config.providers).flatMap((p) => ('apiKeyEnv' in p && p.apiKeyEnv ? [p.apiKeyEnv] : [])),
      ...[config.toolCache, config.contentStore].flatMap((s) => (s.type === 'postgres' ? [s.urlEnv] : [])),
      'TEMPORAL_API_KEY',
    ])];
    expect(secretEnvs).toEqual(expect.arrayContaining(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'BATON_DATABASE_URL']));
    const example = parse(readFileSync(path.join(k8s, 'secret.example.yaml'), 'utf8')) as Manifest & { stringData: Record<string, string> };
    expect(Object.keys(example.stringData).sort()).toEqual(secretEnvs.filter((e) => e !== 'TEMPORAL_API_KEY').sort());
    for (const deployment of all.filter((m) => m.kind === 'Deployment')) {
      const pod = deployment.spec.template.spec;
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs);
      const env = pod.containers[0].env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
      for (const name of secretEnvs) expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef, `${deployment.metadata.name}: ${name}`).toMatchObject({ name: 'baton-secrets', key: name });
      expect(env.every((e) => !/KEY|URL|TOKEN|PASSWORD/.test(e.name) || e.valueFrom?.secretKeyRef), 'no secret as a literal value').toBe(true);
      if (config.worker.deployment && !config.worker.deployment.buildId) expect(env.find((e) => e.name === config.worker.deployment?.buildIdEnv)?.value).toBeTruthy();
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    }
  });

  it('builds an image whose entry point is baton worker, as a non-root user, with production dependencies only', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies: Record<string, string> };
    const entrypoint = JSON.parse(dockerfile('ENTRYPOINT').at(-1) as string) as string[];
    expect(entrypoint).toEqual(['node', pkg.bin.baton, 'worker']);
    expect(existsSync(path.join(root, entrypoint[1] as string))).toBe(true);
    expect(pkg.dependencies, 'bin/baton.cjs loads the CLI through tsx at run time').toHaveProperty('tsx');
    const worker = buildProgram(() => {}).commands.find((c) => c.name() === 'worker');
    expect(worker?.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--pool', '--health', '--metrics']));
    const cmd = JSON.parse(dockerfile('CMD').at(-1) as string) as string[];
    expect(dockerfile('EXPOSE').at(-1)?.split(/\s+/).map(Number)).toEqual([healthBindAddress(argValue(cmd, '--health') as string).port, Number(metricsBindAddress(argValue(cmd, '--metrics') as string).split(':')[1])]);
    const user = dockerfile('USER').at(-1) as string;
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(dockerfile('RUN').some((r) => r.includes('npm ci --omit=dev'))).toBe(true);
    expect(dockerfile('FROM').every((f) => /^node:20-bookworm/.test(f)), 'glibc: the SDK core-bridge has no musl build').toBe(true);
    expect(readFileSync(path.join(root, 'deploy/Dockerfile.dockerignore'), 'utf8')).toMatch(/^node_modules$/m);
  });

  it('tags the image with the kustomization’s image name in every Deployment', () => {
    const kustomization = parse(readFileSync(path.join(k8s, 'kustomization.yaml'), 'utf8')) as { images: Array<{ name: string; newTag: string }> };
    for (const deployment of manifests().filter((m) => m.kind === 'Deployment')) {
      const container = deployment.spec.template.spec.containers[0];
      expect(kustomization.images.map((i) => i.name)).toContain(container.image);
      expect(container.env.find((e: { name: string }) => e.name === 'BATON_BUILD_ID')?.value, 'build id = image tag').toBe(kustomization.images[0]?.newTag);
    }
  });
});

/** `kubectl kustomize <dir>`, parsed; undefined where kubectl is not installed. */
function kubectlKustomize(dir: string): Manifest[] | undefined {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseAllDocuments(out).map((doc) => doc.toJS() as Manifest);
}

const byKindAndName = (objects: Manifest[]) => [...objects].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));

describe('deploy/kubernetes/overlays/versioned: a build beside the builds already running', () => {
  it('renames every object, keeps a Deployment and a ScaledObject per pool on its queue, the scaler aimed at this build’s Deployment', async () => {
    const { pools } = await fleet();
    const base = kustomizeBuild(k8s);
    const built = kustomizeBuild(overlay);
    const configMap = built.find((m) => m.kind === 'ConfigMap') as Manifest;
    const deployments = built.filter((m) => m.kind === 'Deployment');
    const scaled = built.filter((m) => m.kind === 'ScaledObject');
    expect(deployments).toHaveLength(pools.length);
    expect(scaled).toHaveLength(pools.length);
    for (const pool of pools) {
      const deployment = deployments.find((d) => argValue(d.spec.template.spec.containers[0].args, '--pool') === pool.name) as Manifest;
      expect(deployment, `Deployment for pool ${pool.name}`).toBeDefined();
      expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
      const scaler = scaled.find((s) => s.spec.scaleTargetRef.name === deployment.metadata.name);
      expect(scaler, `ScaledObject aimed at ${deployment.metadata.name}`).toBeDefined();
      expect(scaler?.spec.triggers[0]).toMatchObject({ type: 'temporal', metadata: { taskQueue: pool.taskQueue, endpoint: configMap.data?.TEMPORAL_ADDRESS, namespace: configMap.data?.TEMPORAL_NAMESPACE } });
    }
    // Applying the overlay adds objects instead of replacing the running build's, and no Deployment selects another build's pods.
    const baseNames = new Set(base.map((m) => `${m.kind}/${m.metadata.name}`));
    for (const m of built) expect(baseNames.has(`${m.kind}/${m.metadata.name}`), `${m.kind}/${m.metadata.name} is new`).toBe(false);
    for (const d of deployments) {
      const selects = (pod: Record<string, string>) => Object.entries(d.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => pod[k] === v);
      expect(selects(d.spec.template.metadata.labels)).toBe(true);
      for (const other of base.filter((m) => m.kind === 'Deployment')) expect(selects(other.spec.template.metadata.labels), `${d.metadata.name} vs ${other.metadata.name}`).toBe(false);
    }
    // The small kustomize of the test agrees with the real one where kubectl is installed.
    const real = kubectlKustomize(overlay);
    if (real) expect(byKindAndName(built)).toEqual(byKindAndName(real));
    const realBase = kubectlKustomize(k8s);
    if (realBase) expect(byKindAndName(base)).toEqual(byKindAndName(realBase));
  });

  it('carries one build id everywhere: name suffix, label, image tag, the variable worker.deployment reads, the KEDA trigger', async () => {
    const { config } = await fleet();
    const versioning = config.worker.deployment;
    expect(versioning?.buildId, 'the build id comes from the environment, not the config').toBeUndefined();
    const kustomization = parse(readFileSync(path.join(overlay, 'kustomization.yaml'), 'utf8')) as { nameSuffix: string; images: Array<{ newTag: string }> };
    const build = kustomization.images[0]?.newTag as string;
    expect(build, 'a build id fit for object names and label values').toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(kustomization.nameSuffix).toBe(`-${build}`);
    const built = kustomizeBuild(overlay);
    for (const m of built) expect(m.metadata.labels?.['baton/build'], `${m.kind}/${m.metadata.name}`).toBe(build);
    for (const d of built.filter((m) => m.kind === 'Deployment')) {
      const container = d.spec.template.spec.containers[0];
      expect(container.image).toMatch(new RegExp(`:${build}$`));
      expect(d.spec.selector.matchLabels['baton/build']).toBe(build);
      expect(d.spec.template.metadata.labels['baton/build']).toBe(build);
      // What the worker in this pod would register as: the config read with the pod's environment.
      const podEnv = Object.fromEntries((container.env as Array<{ name: string; value?: string }>).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
      expect(deploymentOptionsOf(config.worker, podEnv)?.version).toEqual({ deploymentName: versioning?.name, buildId: build });
    }
    for (const s of built.filter((m) => m.kind === 'ScaledObject')) {
      expect(s.spec.triggers[0].metadata).toMatchObject({ workerDeploymentName: versioning?.name, workerDeploymentBuildId: build });
    }
  });
});
