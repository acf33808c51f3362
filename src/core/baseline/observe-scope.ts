import type { Baseline } from '../model.js';
import type { ObserveScope } from '../ports.js';

/** What observe() should fetch: the names the baseline declares (AWS managed policies it attaches need no reading). */
export function observeScope(baseline: Baseline): ObserveScope {
  return {
    policyNames: baseline.policies.map((p) => p.name),
    groupNames: baseline.groups.map((g) => g.name),
    roleNames: baseline.roles.map((r) => r.name),
  };
}
