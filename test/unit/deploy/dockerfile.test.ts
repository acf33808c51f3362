/**
 * The Dockerfile, parsed (no Docker engine on CI machines): stages, what reaches the
 * runtime image, user, port, health check and commands against the CLI and config schema.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../../src/config.js';
import { cliProblems, readJson, readText } from './deploy-rules.js';

const dockerfile = DockerfileParser.parse(readText('Dockerfile'));
const pkg = readJson<{ bin: Record<string, string> }>('package.json');

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** Splits the file at each FROM; the leading ARGs resolve `${NODE_IMAGE}`. */
function stages(): Stage[] {
  const args = new Map(dockerfile.getInitialARGs().map((a) => {
    const [name, value] = (a.getArgumentsContent() ?? '').split('=');
    return [name, value] as const;
  }));
  const out: Stage[] = [];
  for (const ins of dockerfile.getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      const [image, , name] = ins.getArguments().map((a) => a.getValue());
      out.push({ name, base: image.replace(/\$\{(\w+)\}/g, (_m, v: string) => args.get(v) ?? ''), instructions: [] });
    } else if (out.length) {
      out[out.length - 1].instructions.push(ins);
    }
  }
  return out;
}

const all = stages();
const stage = (name: string): Stage => {
  const s = all.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
};
const runtime = all[all.length - 1];
const of = (s: Stage, keyword: string) => s.instructions.filter((i) => i.getKeyword() === keyword);
const text = (i: Instruction) => i.getArgumentsContent() ?? '';
/** Exec-form arguments (`["node", "x"]`) as strings. */
const execForm = (i: Instruction): string[] => JSON.parse(text(i).replace(/^--\S+\s+/g, '')) as string[];
const flagValue = (i: Instruction, flag: string) =>
  (i as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags().find((f) => f.getName() === flag)?.getValue();

describe('Dockerfile stages', () => {
  it('builds in stages and ships only the last one, on Node 20 slim (Debian bookworm)', () => {
    expect(all.map((s) => s.name)).toEqual(['toolchain', 'build', 'deps', 'runtime']);
    expect(runtime.name).toBe('runtime');
    expect(stage('toolchain').base).toMatch(/^node:20-(bookworm-)?slim$/);
    // The runtime starts again from the plain image: no compiler is inherited.
    expect(runtime.base).toBe(stage('toolchain').base);
    expect(stage('build').base).toBe('toolchain');
    expect(stage('deps').base).toBe('toolchain');
  });

  it('installs the native-addon toolchain in the build stages only', () => {
    expect(of(stage('toolchain'), 'RUN').map(text).join('\n')).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(of(runtime, 'RUN').map(text).join('\n')).not.toMatch(/apt-get|npm (ci|install)/);
  });

  it('compiles with dev dependencies and collects production dependencies separately', () => {
    const build = of(stage('build'), 'RUN').map(text);
    expect(build.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(build).toContain('npm run build');
    const deps = of(stage('deps'), 'RUN').map(text);
    expect(deps.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
  });

  it('copies into the runtime image only production node_modules, dist, config and the package files', () => {
    const copies = of(runtime, 'COPY').map((c) => ({ from: flagValue(c, 'from'), args: text(c).split(/\s+/) }));
    const fromDeps = copies.filter((c) => c.from === 'deps').flatMap((c) => c.args.slice(0, -1));
    const fromBuild = copies.filter((c) => c.from === 'build').flatMap((c) => c.args.slice(0, -1));
    const fromContext = copies.filter((c) => c.from === undefined).flatMap((c) => c.args.slice(0, -1));
    expect(fromDeps).toEqual(['/app/node_modules']);
    expect(fromBuild).toEqual(['/app/dist']);
    expect(fromContext.sort()).toEqual(['config', 'package-lock.json', 'package.json']);
  });
});

describe('Dockerfile runtime', () => {
  it('runs as the non-root node user from /app', () => {
    const users = of(runtime, 'USER').map(text);
    expect(users).toEqual(['node']);
    const last = runtime.instructions.map((i) => i.getKeyword());
    // Every RUN and COPY happens before USER (root owns the code), nothing after it changes user.
    expect(last.lastIndexOf('RUN')).toBeLessThan(last.indexOf('USER'));
    expect(last.lastIndexOf('COPY')).toBeLessThan(last.indexOf('USER'));
    expect(of(runtime, 'WORKDIR').map(text)).toEqual(['/app']);
  });

  it('sets only configuration-table variables, listening on every interface with SQLite on the volume', () => {
    const env = new Map(of(runtime, 'ENV').flatMap((e) => (e as unknown as { getProperties(): { getName(): string; getValue(): string }[] }).getProperties().map((p) => [p.getName(), p.getValue()] as const)));
    for (const name of env.keys()) expect(Object.keys(CONFIG_KEYS)).toContain(name);
    expect(env.get('HOST')).toBe('0.0.0.0');
    expect(env.get('PORT')).toBe(CONFIG_KEYS.PORT.default);
    expect(env.get('STORE_URL')).toBe('sqlite:/app/data/rollouts.db');
    const volumes = of(runtime, 'VOLUME').flatMap(execForm);
    expect(volumes).toEqual(['/app/data']);
    expect(of(runtime, 'RUN').map(text).join('\n')).toMatch(/chown node:node \/app\/data/);
  });

  it('exposes the port serve listens on', () => {
    expect(of(runtime, 'EXPOSE').map(text)).toEqual([CONFIG_KEYS.PORT.default]);
  });

  it('checks health on /healthz with node (no curl in slim images)', () => {
    const [hc] = of(runtime, 'HEALTHCHECK');
    expect(hc).toBeDefined();
    const cmd = text(hc).match(/CMD\s+(\[.*\])\s*$/s);
    expect(cmd).not.toBeNull();
    const argv = JSON.parse(cmd![1]) as string[];
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).toContain('/healthz');
    expect(argv.join(' ')).toContain('process.env.PORT');
    expect(flagValue(hc, 'interval')).toBeDefined();
    expect(flagValue(hc, 'timeout')).toBeDefined();
  });

  it('has the package bin as entrypoint and serve as the default command', () => {
    const entrypoints = of(runtime, 'ENTRYPOINT').map(execForm);
    expect(entrypoints).toEqual([['node', pkg.bin['org-iam-rollout']]]);
    const cmds = of(runtime, 'CMD').map(execForm);
    expect(cmds).toEqual([['serve']]);
    expect(cliProblems(cmds[0])).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it('admits exactly what the Dockerfile copies from the build context, nothing built on the host', () => {
    const lines = readText('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    const admitted = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const sources = all.flatMap((s) =>
      of(s, 'COPY')
        .filter((c) => flagValue(c, 'from') === undefined)
        .flatMap((c) => text(c).split(/\s+/).slice(0, -1)),
    );
    expect(new Set(admitted)).toEqual(new Set(sources));
    for (const never of ['node_modules', 'dist', 'data', '.git', '.env']) expect(admitted).not.toContain(never);
  });
});
