/**
 * The default baseline (config/baseline.json), loaded and rendered by the real
 * loader/renderer, for a sample account.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBaseline, renderBaseline } from '../../../src/core/baseline/index.js';
import type { DesiredState, PolicyDocument } from '../../../src/core/model.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SAMPLE = { accountId: '111122223333', partition: 'aws' } as const;

export function readJson(pathFromRoot: string): PolicyDocument {
  return JSON.parse(readFileSync(resolve(REPO_ROOT, pathFromRoot), 'utf8')) as PolicyDocument;
}

/** The default baseline rendered for SAMPLE (or `ctx`). */
export function renderSampleBaseline(ctx: { accountId: string; partition: string } = SAMPLE): DesiredState {
  return renderBaseline(loadBaseline(resolve(REPO_ROOT, 'config/baseline.json')).baseline, ctx);
}
