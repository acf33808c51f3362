/**
 * `npm run demo`: a full rollout against a simulated organization, in one command.
 * Starts the built-in simulator (25 member accounts: a couple suspended, one invited
 * account without the member role), rolls the baseline out, then runs again to show
 * that a second run writes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { compose } from '../compose.js';
import { createLogger } from '../logger.js';
import { startSimulator } from '../simulator/index.js';
import { formatReport } from './format.js';

// The SDK's notice that future releases need Node 22 is for maintainers, not for a demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const accounts = Number(process.env.DEMO_ACCOUNTS ?? 25);
const sim = await startSimulator({ accounts, seed: 7, port: 0 });
const dir = mkdtempSync(join(tmpdir(), 'org-iam-rollout-demo-'));
process.stdout.write(`simulated organization: ${sim.accounts} member accounts + management account ${sim.managementAccountId} at ${sim.endpoint}\n\n`);
try {
  const config = loadConfig({ ...process.env, STORE_URL: `sqlite:${join(dir, 'rollouts.db')}`, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' });
  const ctx = await compose(config, {
    logger: createLogger(config.logLevel),
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'AKIADEMO00000000000', secretAccessKey: 'demo' },
  });
  try {
    const first = await (await ctx.rollouts.start({}, { trigger: 'cli', requestedBy: 'demo' })).done;
    process.stdout.write(`first rollout:\n${formatReport(first)}\n\n`);
    if (first.summary.unreachable > 0) {
      process.stdout.write(
        'The unreachable account is an invited one without OrganizationAccountAccessRole, as in real organizations:\n' +
          'create the member role there (see docs/operations.md) and it converges on the next run.\n\n',
      );
    }
    const writes1 = first.accounts.reduce((n, a) => n + a.apiCalls.writes, 0);
    const second = await (await ctx.rollouts.start({}, { trigger: 'cli', requestedBy: 'demo' })).done;
    const writes2 = second.accounts.reduce((n, a) => n + a.apiCalls.writes, 0);
    process.stdout.write(`second rollout (idempotent): ${second.status}, ${second.summary.compliant} compliant, ${writes2} writes (the first made ${writes1})\n`);
    // The demo succeeds when the baseline converged and the second run wrote nothing.
    process.exitCode = first.summary.updated > 0 && writes2 === 0 ? 0 : 1;
  } finally {
    await ctx.close();
  }
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
