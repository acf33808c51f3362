/**
 * docker/kubernetes, parsed: the kustomization lists every manifest; the Deployment and the
 * CronJob run real CLI commands with configuration-table variables; probes, ports, Service
 * and the Job's failure policy match what the CLI and the server do.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { SHUTDOWN_DEADLINE_MS } from '../../../src/server.js';
import { cliProblems, IMAGE_NAME, isKnownEnvName, readText, readYaml, readYamlDocuments, ROOT } from './deploy-rules.js';

const DIR = 'docker/kubernetes';
const kustomization = readYaml<{ resources: string[]; images: { name: string }[]; namespace: string }>(`${DIR}/kustomization.yaml`);
const manifests = kustomization.resources.flatMap((file) => readYamlDocuments(`${DIR}/${file}`));
const find = (kind: string) => {
  const m = manifests.filter((x) => x.kind === kind);
  expect(m, kind).toHaveLength(1);
  return m[0];
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: any;
  readinessProbe?: any;
  startupProbe?: any;
}

const configMap = find('ConfigMap');
const deployment = find('Deployment');
const cronJob = find('CronJob');
const service = find('Service');
const podOfDeployment = deployment.spec.template;
const podOfCronJob = cronJob.spec.jobTemplate.spec.template;
const apiContainer: Container = podOfDeployment.spec.containers[0];
const jobContainer: Container = podOfCronJob.spec.containers[0];

/** The container's environment as the pod would see it, secrets replaced by plausible values. */
function envOf(c: Container): Record<string, string> {
  const env: Record<string, string> = { HOST: '0.0.0.0', PORT: '8080', STORE_URL: 'sqlite:/app/data/rollouts.db' };
  for (const from of c.envFrom ?? []) {
    expect(from.configMapRef?.name).toBe(configMap.metadata.name);
    Object.assign(env, configMap.data);
  }
  const samples: Record<string, string> = {
    'store-url': 'postgres://rollout:secret@postgres.example.internal:5432/rollouts',
    'api-tokens': 'ops=0123456789abcdef0123,grafana=fedcba9876543210fedc:ro',
    'external-id': 'org-iam-rollout-external-id',
  };
  for (const e of c.env ?? []) env[e.name] = e.value ?? samples[e.valueFrom?.secretKeyRef?.key ?? ''] ?? '';
  return env;
}

describe('kubernetes: the kustomization', () => {
  it('lists every manifest in the folder, and each parses', () => {
    const files = readdirSync(join(ROOT, DIR)).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    expect(new Set(kustomization.resources)).toEqual(new Set(files));
    for (const m of manifests) expect(m.apiVersion && m.kind && m.metadata?.name).toBeTruthy();
  });

  it('points both workloads at the one image it pins', () => {
    expect(kustomization.images.map((i) => i.name)).toEqual([IMAGE_NAME]);
    expect([apiContainer.image, jobContainer.image]).toEqual([IMAGE_NAME, IMAGE_NAME]);
  });
});

describe('kubernetes: containers', () => {
  for (const [label, c] of [['api', apiContainer], ['job', jobContainer]] as const) {
    it(`${label}: runs a real CLI command through the image entrypoint`, () => {
      // `command` would replace ENTRYPOINT ["node", "dist/cli/main.js"]; the CLI goes in args.
      expect(c.command).toBeUndefined();
      expect(cliProblems(c.args)).toEqual([]);
    });

    it(`${label}: sets only configuration-table variables, valid for the config schema`, () => {
      const names = [...Object.keys(configMap.data), ...(c.env ?? []).map((e) => e.name)];
      for (const name of names) expect({ name, known: isKnownEnvName(name) }).toEqual({ name, known: true });
      expect(() => loadConfig(envOf(c))).not.toThrow();
      // Pods on different nodes share the store: it must be PostgreSQL, not a SQLite file.
      expect(loadConfig(envOf(c)).storeUrl).toMatch(/^postgres:/);
    });

    it(`${label}: runs as the image's non-root user on a read-only root file system`, () => {
      const pod = label === 'api' ? podOfDeployment : podOfCronJob;
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      const mounted = (c.volumeMounts ?? []).map((v) => v.name);
      for (const name of mounted) expect(pod.spec.volumes.map((v: { name: string }) => v.name)).toContain(name);
      expect(c.volumeMounts?.map((v) => v.mountPath)).toContain('/tmp');
    });
  }

  it('takes secret values from the Secret the ConfigMap comment tells operators to create', () => {
    const comment = readText(`${DIR}/configmap.yaml`);
    for (const c of [apiContainer, jobContainer]) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        expect(comment).toContain(`create secret generic ${ref.name}`);
        expect(comment).toContain(`--from-literal=${ref.key}=`);
      }
    }
  });
});

describe('kubernetes: the API Deployment and Service', () => {
  it('listens on its containerPort on every interface', () => {
    const env = envOf(apiContainer);
    expect(env.HOST).toBe('0.0.0.0');
    expect(apiContainer.ports).toEqual([{ name: 'http', containerPort: Number(env.PORT) }]);
  });

  it('probes liveness on /healthz and readiness on /readyz, without a token', () => {
    const portNames = apiContainer.ports!.map((p) => p.name);
    expect(apiContainer.livenessProbe.httpGet.path).toBe('/healthz');
    expect(apiContainer.startupProbe.httpGet.path).toBe('/healthz');
    expect(apiContainer.readinessProbe.httpGet.path).toBe('/readyz');
    for (const p of [apiContainer.livenessProbe, apiContainer.readinessProbe, apiContainer.startupProbe]) {
      expect(portNames).toContain(p.httpGet.port);
      expect(p.httpGet.httpHeaders).toBeUndefined();
    }
  });

  it('gives the server time to finish accounts in flight on shutdown', () => {
    expect(podOfDeployment.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(SHUTDOWN_DEADLINE_MS);
  });

  it('leaves scheduling to the CronJob (both would contend for the rollout lock)', () => {
    expect(envOf(apiContainer).ROLLOUT_SCHEDULE).toBeUndefined();
    expect(deployment.spec.replicas).toBe(1);
  });

  it('routes the Service to the API pods by label and port name', () => {
    const labels = podOfDeployment.metadata.labels;
    expect(labels).toMatchObject(service.spec.selector);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
    expect(podOfCronJob.metadata.labels).not.toMatchObject(service.spec.selector);
    expect(apiContainer.ports!.map((p) => p.name)).toContain(service.spec.ports[0].targetPort);
  });
});

describe('kubernetes: the CronJob', () => {
  it('runs the rollout on a valid schedule, never two at once', () => {
    expect(() => new Cron(cronJob.spec.schedule, { paused: true })).not.toThrow();
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(jobContainer.args[0]).toBe('rollout');
    expect(jobContainer.args).not.toContain('--dry-run');
  });

  it('fails the Job on the CLI exit codes 1, 2 and 3 without retrying; retries crashes and evictions', () => {
    const job = cronJob.spec.jobTemplate.spec;
    expect(podOfCronJob.spec.restartPolicy).toBe('Never');
    expect(job.backoffLimit).toBeGreaterThanOrEqual(1);
    const rules = job.podFailurePolicy.rules;
    expect(rules).toContainEqual({ action: 'FailJob', onExitCodes: { containerName: jobContainer.name, operator: 'In', values: [1, 2, 3] } });
    expect(rules).toContainEqual({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] });
  });

  it('lets a stopped rollout drain the accounts in flight', () => {
    // The CLI waits up to 30 s for accounts in flight after the first SIGTERM.
    expect(podOfCronJob.spec.terminationGracePeriodSeconds).toBeGreaterThan(30);
  });

  it('acts as the same service account as the API', () => {
    const sa = find('ServiceAccount');
    expect(podOfCronJob.spec.serviceAccountName).toBe(sa.metadata.name);
    expect(podOfDeployment.spec.serviceAccountName).toBe(sa.metadata.name);
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/.+/);
  });
});
