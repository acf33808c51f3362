/**
 * What every deployment file must agree with: the CLI (commands and their options, read
 * from the real commander program) and the configuration schema (CONFIG_KEYS).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { parse, parseAllDocuments } from 'yaml';
import { registerRolloutCommands } from '../../../src/cli/commands/rollout.js';
import { registerServeCommand } from '../../../src/cli/commands/serve.js';
import { registerSimulateCommand } from '../../../src/cli/commands/simulate.js';
import { registerStatusCommands } from '../../../src/cli/commands/status.js';
import { registerValidateCommand } from '../../../src/cli/commands/validate.js';
import { CONFIG_KEYS } from '../../../src/config.js';

export const ROOT = resolve(import.meta.dirname, '../../..');

export const CLI_COMMANDS = ['rollout', 'plan', 'serve', 'simulate', 'status', 'report', 'validate'] as const;

export const IMAGE_NAME = 'org-iam-rollout';

/**
 * Variables the AWS SDK reads itself (credential chain, endpoints); CONFIG_KEYS holds the rest.
 * AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE are what IRSA injects.
 */
const SDK_ENV = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
]);

export function isKnownEnvName(name: string): boolean {
  return name in CONFIG_KEYS || SDK_ENV.has(name) || /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/.test(name);
}

export function readText(relativePath: string): string {
  return readFileSync(resolve(ROOT, relativePath), 'utf8');
}

export function readYaml<T = any>(relativePath: string): T {
  // Compose files share settings through YAML merge keys (`<<: *anchor`).
  return parse(readText(relativePath), { merge: true }) as T;
}

export function readYamlDocuments(relativePath: string): any[] {
  return parseAllDocuments(readText(relativePath), { merge: true }).map((d) => {
    if (d.errors.length) throw new Error(`${relativePath}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS();
  });
}

export function readJson<T = any>(relativePath: string): T {
  return JSON.parse(readText(relativePath)) as T;
}

/** The real command tree, built the way src/cli/main.ts builds it (main.ts itself runs on import). */
function buildCli(): Command {
  const program = new Command('org-iam-rollout').exitOverride();
  registerRolloutCommands(program);
  registerValidateCommand(program);
  registerStatusCommands(program);
  registerServeCommand(program);
  registerSimulateCommand(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Problems with `args` as arguments of the CLI (after `node dist/cli/main.js`); [] when it parses. */
export function cliProblems(args: readonly string[]): string[] {
  const [name, ...rest] = args;
  if (!name) return ['no command'];
  if (!(CLI_COMMANDS as readonly string[]).includes(name)) return [`"${name}" is not one of ${CLI_COMMANDS.join(', ')}`];
  const cmd = buildCli().commands.find((c) => c.name() === name);
  if (!cmd) return [`the program has no "${name}" command`];
  const { operands, unknown } = cmd.parseOptions([...rest]);
  const problems = unknown.map((u) => `${name}: unknown option or argument ${u}`);
  if (operands.length > cmd.registeredArguments.length) problems.push(`${name}: unexpected arguments ${operands.join(' ')}`);
  return problems;
}

/** The value following `option` in an argument list. */
export function optionValue(args: readonly string[], option: string): string | undefined {
  const i = args.indexOf(option);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Compose-style interpolation with every variable unset: `${X:-d}` → d, `${X}` → ''. */
export function interpolateDefaults(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?(?::?\?[^}]*)?\}/g, (_m, _name: string, def?: string) => def ?? '');
}
