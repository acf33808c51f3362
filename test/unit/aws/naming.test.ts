import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { roleSessionName } from '../../../src/aws/session-name.js';
import { iamSigningRegion, partitionOfArn, partitionOfRegion, roleArn } from '../../../src/aws/partition.js';
import { hasConfiguredEndpoint, socketsFor } from '../../../src/aws/client-factory.js';

const SESSION_NAME_RULE = /^[\w+=,.@-]{2,64}$/;

describe('roleSessionName (STS: 2–64 of [\\w+=,.@-])', () => {
  it('carries the rollout id', () => {
    expect(roleSessionName('0f8b2c1e-7d4a-4c55-9e0b-3b1f7f6a2d11')).toBe('org-iam-rollout-0f8b2c1e-7d4a-4c55-9e0b-3b1f7f6a2d11');
  });

  it('always satisfies the rule, whatever the id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (id) => {
        expect(roleSessionName(id)).toMatch(SESSION_NAME_RULE);
      }),
    );
  });

  it('replaces forbidden characters and cuts to 64', () => {
    expect(roleSessionName('a b/c:d')).toBe('org-iam-rollout-a-b-c-d');
    expect(roleSessionName('x'.repeat(100))).toHaveLength(64);
  });
});

describe('partitions', () => {
  it('reads the partition from an ARN', () => {
    expect(partitionOfArn('arn:aws:iam::123456789012:root')).toBe('aws');
    expect(partitionOfArn('arn:aws-cn:sts::123456789012:assumed-role/r/s')).toBe('aws-cn');
    expect(partitionOfArn('arn:aws-us-gov:iam::123456789012:user/u')).toBe('aws-us-gov');
    expect(() => partitionOfArn('not-an-arn')).toThrow(/not an AWS ARN/);
  });

  it('signs IAM with the partition region (iam.amazonaws.com → us-east-1, …)', () => {
    expect(iamSigningRegion('aws', 'eu-west-1')).toBe('us-east-1');
    expect(iamSigningRegion('aws-cn', 'cn-northwest-1')).toBe('cn-north-1');
    expect(iamSigningRegion('aws-us-gov', 'us-gov-east-1')).toBe('us-gov-west-1');
    expect(iamSigningRegion('aws-iso', 'us-iso-east-1')).toBe('us-iso-east-1');
  });

  it('maps regions to partitions', () => {
    expect(partitionOfRegion('eu-central-1')).toBe('aws');
    expect(partitionOfRegion('cn-north-1')).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
  });

  it('builds member role ARNs in the partition', () => {
    expect(roleArn('aws-cn', '111122223333', 'OrganizationAccountAccessRole')).toBe('arn:aws-cn:iam::111122223333:role/OrganizationAccountAccessRole');
  });
});

describe('client factory sizing and endpoint rules', () => {
  it('sizes the socket pool from the concurrency, never below 50', () => {
    expect(socketsFor(1)).toBe(50);
    expect(socketsFor(25)).toBe(50);
    expect(socketsFor(100)).toBe(200);
  });

  it('sees AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> unless ignored', () => {
    expect(hasConfiguredEndpoint('IAM', {})).toBe(false);
    expect(hasConfiguredEndpoint('IAM', { AWS_ENDPOINT_URL: 'http://localhost:4566' })).toBe(true);
    expect(hasConfiguredEndpoint('IAM', { AWS_ENDPOINT_URL_IAM: 'http://localhost:4566' })).toBe(true);
    expect(hasConfiguredEndpoint('IAM', { AWS_ENDPOINT_URL_STS: 'http://localhost:4566' })).toBe(false);
    expect(hasConfiguredEndpoint('IAM', { AWS_ENDPOINT_URL: 'http://x', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBe(false);
  });
});
