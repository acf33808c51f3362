/**
 * docker/ecs, parsed: the scheduled task runs a real CLI command with configuration-table
 * variables, and the schedule, its role and the failure alarm point at that task.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { cliProblems, IMAGE_NAME, isKnownEnvName, readJson } from './deploy-rules.js';

const task = readJson('docker/ecs/task-definition.json');
const schedule = readJson('docker/ecs/schedule.json');
const schedulerPolicy = readJson('docker/ecs/scheduler-role-policy.json');
const schedulerTrust = readJson('docker/ecs/scheduler-role-trust.json');
const alarm = readJson('docker/ecs/failed-rollout-rule.json');
const [container] = task.containerDefinitions as {
  name: string;
  image: string;
  command: string[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  healthCheck?: unknown;
  stopTimeout: number;
}[];

describe('ecs: the task definition', () => {
  it('has one essential container of the org-iam-rollout image running `rollout`', () => {
    expect(task.containerDefinitions).toHaveLength(1);
    expect(container.image).toMatch(new RegExp(`/${IMAGE_NAME}:[\\w.-]+$`));
    expect(cliProblems(container.command)).toEqual([]);
    expect(container.command[0]).toBe('rollout');
    // A job never answers /healthz; ECS ignores the image's HEALTHCHECK unless the task defines one.
    expect(container.healthCheck).toBeUndefined();
  });

  it('sets only configuration-table variables, valid for the config schema, secrets from Secrets Manager', () => {
    const names = [...container.environment.map((e) => e.name), ...container.secrets.map((s) => s.name)];
    for (const name of names) expect({ name, known: isKnownEnvName(name) }).toEqual({ name, known: true });
    const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
    env.STORE_URL = 'postgres://rollout:secret@db.example.internal:5432/rollouts';
    env.ROLLOUT_EXTERNAL_ID = 'org-iam-rollout-external-id';
    expect(() => loadConfig(env)).not.toThrow();
    expect(container.secrets.map((s) => s.name)).toContain('STORE_URL');
  });

  it('runs as the hub role and gives the CLI time to drain after SIGTERM', () => {
    expect(task.taskRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\/OrgIamRolloutHub$/);
    expect(container.stopTimeout).toBeGreaterThan(30);
  });
});

describe('ecs: the EventBridge Scheduler schedule', () => {
  it('runs the task definition family once per trigger, without retries', () => {
    const ecs = schedule.Target.EcsParameters;
    expect(ecs.TaskDefinitionArn).toMatch(new RegExp(`:task-definition/${task.family}$`));
    expect(ecs.TaskCount).toBe(1);
    expect(task.requiresCompatibilities).toContain(ecs.LaunchType);
    expect(schedule.Target.RetryPolicy.MaximumRetryAttempts).toBe(0);
    expect(schedule.ScheduleExpression).toMatch(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/);
  });

  it('uses a role that may run exactly that task and pass exactly its roles', () => {
    expect(schedulerTrust.Statement[0].Principal.Service).toBe('scheduler.amazonaws.com');
    const statements = schedulerPolicy.Statement as { Action: string; Resource: string | string[]; Condition?: any }[];
    const run = statements.find((s) => s.Action === 'ecs:RunTask')!;
    expect(run.Resource).toBe(`${schedule.Target.EcsParameters.TaskDefinitionArn}:*`);
    expect(run.Condition.ArnEquals['ecs:cluster']).toBe(schedule.Target.Arn);
    const pass = statements.find((s) => s.Action === 'iam:PassRole')!;
    expect(new Set(pass.Resource)).toEqual(new Set([task.taskRoleArn, task.executionRoleArn]));
    expect(schedule.Target.RoleArn).toMatch(/:role\/OrgIamRolloutScheduler$/);
  });

  it('alarms on a stopped task of that family whose container exited non-zero', () => {
    expect(alarm.detail.group).toEqual([`family:${task.family}`]);
    expect(alarm.detail.containers.name).toEqual([container.name]);
    expect(alarm.detail.containers.exitCode).toEqual([{ 'anything-but': 0 }]);
  });
});
