import { describe, expect, it } from 'vitest';
import { accountState, toOrgAccount } from '../../../src/aws/organizations-directory.js';

describe('account state', () => {
  it('reads State first', () => {
    expect(accountState({ State: 'PENDING_ACTIVATION', Status: 'ACTIVE' })).toBe('PENDING_ACTIVATION');
    expect(accountState({ State: 'CLOSED' })).toBe('CLOSED');
  });

  it('falls back to the legacy Status', () => {
    expect(accountState({ Status: 'SUSPENDED' })).toBe('SUSPENDED');
    expect(accountState({ Status: 'PENDING_CLOSURE' })).toBe('PENDING_CLOSURE');
  });

  it('treats an unknown state as not convergeable', () => {
    expect(accountState({ State: 'SOMETHING_NEW' as never })).toBe('SUSPENDED');
  });

  it('maps an account', () => {
    expect(toOrgAccount({ Id: '111122223333', Name: 'dev', Email: 'dev@example.com', State: 'ACTIVE' })).toEqual({
      id: '111122223333',
      name: 'dev',
      email: 'dev@example.com',
      state: 'ACTIVE',
    });
  });
});
