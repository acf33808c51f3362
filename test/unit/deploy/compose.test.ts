/**
 * docker/compose.yaml, parsed: every container of our image runs a real CLI command with
 * variables from the configuration schema, values that pass loadConfig, and ports, volumes,
 * stores and profiles that fit together.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, loadConfig } from '../../../src/config.js';
import { cliProblems, IMAGE_NAME, interpolateDefaults, isKnownEnvName, optionValue, readYaml } from './deploy-rules.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | null>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { disable?: boolean; test?: string[] };
  restart?: string;
}

const compose = readYaml<{ services: Record<string, Service>; volumes?: Record<string, unknown> }>('docker/compose.yaml');
const services = Object.entries(compose.services);
const ours = services.filter(([, s]) => s.image?.split(':')[0] === IMAGE_NAME);
/** The Dockerfile's runtime ENV: what a container starts with before compose adds its own. */
const IMAGE_ENV = { HOST: '0.0.0.0', PORT: '8080', STORE_URL: 'sqlite:/app/data/rollouts.db' };

const envOf = (s: Service): Record<string, string> => ({
  ...IMAGE_ENV,
  ...Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolateDefaults(String(v ?? ''))])),
});
const commandOf = (s: Service): string[] => s.command ?? ['serve'];
const byCommand = (name: string) => ours.filter(([, s]) => commandOf(s)[0] === name);
const inProfile = (profile: string | undefined) => services.filter(([, s]) => (profile ? s.profiles?.includes(profile) : !s.profiles));
/** `127.0.0.1:8080:8080` → { host: '127.0.0.1', published: '8080', container: '8080' } */
const parsePort = (p: string) => {
  const parts = p.split(':');
  return { host: parts.length === 3 ? parts[0] : undefined, published: parts[parts.length - 2], container: parts[parts.length - 1] };
};

describe('compose: containers of the org-iam-rollout image', () => {
  it('are built from the repository Dockerfile', () => {
    expect(ours.length).toBeGreaterThanOrEqual(5);
    for (const [, s] of ours) expect(s.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
  });

  it('run real CLI commands with real options', () => {
    for (const [name, s] of ours) expect({ name, problems: cliProblems(commandOf(s)) }).toEqual({ name, problems: [] });
  });

  it('set only configuration-table and AWS SDK variables, with values the config schema accepts', () => {
    for (const [name, s] of ours) {
      for (const key of Object.keys(s.environment ?? {})) expect({ name, key, known: isKnownEnvName(key) }).toEqual({ name, key, known: true });
      expect(() => loadConfig(envOf(s)), name).not.toThrow();
    }
  });

  it('publish serve on the port it listens on, on loopback only', () => {
    const servers = byCommand('serve');
    expect(servers.length).toBeGreaterThanOrEqual(3);
    const published = new Set<string>();
    for (const [name, s] of servers) {
      expect(s.ports, name).toHaveLength(1);
      const port = parsePort(s.ports![0]);
      expect(port.container, name).toBe(envOf(s).PORT ?? CONFIG_KEYS.PORT.default);
      expect(port.host, name).toBe('127.0.0.1');
      expect(published.has(port.published), `${name} reuses host port ${port.published}`).toBe(false);
      published.add(port.published);
      // The image's HEALTHCHECK probes /healthz; only serve answers it.
      expect(s.healthcheck?.disable, name).not.toBe(true);
    }
  });

  it('run jobs once, without the image health check', () => {
    const jobs = byCommand('rollout');
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const [name, s] of jobs) {
      expect(s.restart, name).toBe('no');
      expect(s.healthcheck?.disable, name).toBe(true);
      expect(commandOf(s), name).toContain('--json');
    }
  });

  it('keep SQLite on a declared named volume mounted at the database directory', () => {
    for (const [name, s] of ours) {
      const url = envOf(s).STORE_URL;
      if (!url.startsWith('sqlite:') || commandOf(s)[0] === 'simulate') continue;
      const dir = url.slice('sqlite:'.length).replace(/\/[^/]+$/, '');
      const mount = (s.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === dir);
      expect(mount, `${name} mounts ${dir}`).toBeDefined();
      expect(Object.keys(compose.volumes ?? {}), name).toContain(mount![0]);
    }
  });
});

describe('compose: profiles', () => {
  it('default: the API alone on SQLite, against real AWS', () => {
    const plain = inProfile(undefined);
    expect(plain.map(([n]) => n)).toEqual(['api']);
    const [, api] = plain[0];
    expect(commandOf(api)).toEqual(['serve']);
    expect(envOf(api).STORE_URL).toMatch(/^sqlite:\/app\/data\//);
    expect(Object.keys(api.environment ?? {})).not.toContain('AWS_ENDPOINT_URL');
  });

  for (const profile of ['postgres', 'simulator']) {
    it(`${profile}: PostgreSQL shared by an API and a rollout job, both waiting for it`, () => {
      const members = inProfile(profile);
      const pg = members.find(([, s]) => s.image?.startsWith('postgres:'));
      expect(pg).toBeDefined();
      const [pgName, pgService] = pg!;
      const api = members.find(([, s]) => s.image?.startsWith(IMAGE_NAME) && commandOf(s)[0] === 'serve');
      const job = members.find(([, s]) => s.image?.startsWith(IMAGE_NAME) && commandOf(s)[0] === 'rollout');
      expect(api && job).toBeTruthy();
      const urls = [api![1], job![1]].map((s) => new URL(envOf(s).STORE_URL));
      expect(urls[0].href).toBe(urls[1].href);
      expect(urls[0].protocol).toBe('postgres:');
      expect(urls[0].hostname).toBe(pgName);
      expect(urls[0].username).toBe(pgService.environment?.POSTGRES_USER);
      expect(urls[0].pathname).toBe(`/${pgService.environment?.POSTGRES_DB}`);
      for (const [, s] of [api!, job!]) expect(s.depends_on?.[pgName]?.condition).toBe('service_healthy');
      expect(pgService.healthcheck?.test?.join(' ')).toContain('pg_isready');
    });
  }

  it('simulator: everything runs against the simulator, none of it against AWS', () => {
    const members = inProfile('simulator');
    const sim = members.find(([, s]) => s.image?.startsWith(IMAGE_NAME) && commandOf(s)[0] === 'simulate');
    expect(sim).toBeDefined();
    const [simName, simService] = sim!;
    const args = commandOf(simService);
    // Other containers reach it over the compose network: it must not bind loopback only.
    expect(optionValue(args, '--host')).toBe('0.0.0.0');
    const port = optionValue(args, '--port');
    expect(simService.ports?.map((p) => parsePort(p).container)).toEqual([port]);
    const clients = members.filter(([, s]) => s.image?.startsWith(IMAGE_NAME) && commandOf(s)[0] !== 'simulate');
    expect(clients.length).toBeGreaterThanOrEqual(2);
    for (const [name, s] of clients) {
      const env = envOf(s);
      expect(env.AWS_ENDPOINT_URL, name).toBe(`http://${simName}:${port}`);
      expect(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY, name).toBeTruthy();
      expect(s.depends_on?.[simName]?.condition, name).toBe('service_healthy');
    }
    const api = clients.find(([, s]) => commandOf(s)[0] === 'serve')!;
    expect(loadConfig(envOf(api[1])).apiTokens.length).toBeGreaterThan(0);
  });

  it('names only declared volumes and existing services in dependencies', () => {
    const names = new Set(services.map(([n]) => n));
    for (const [name, s] of services) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(names.has(dep), `${name} depends on ${dep}`).toBe(true);
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0];
        if (/^[\w-]+$/.test(source)) expect(Object.keys(compose.volumes ?? {}), name).toContain(source);
      }
    }
  });
});
