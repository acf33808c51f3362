import { entityId, ID_PREFIX } from './identifiers.js';

/**
 * A few well-known AWS-managed policies, so ListPolicies (Scope AWS) and GetPolicyVersion
 * have something real to show. Any other `arn:…:iam::aws:policy/…` is accepted too and
 * described with a placeholder, because the rollout may attach policies we do not list.
 */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  id: string;
  defaultVersionId: string;
  description?: string;
  createDate: string;
  updateDate: string;
  document: string;
  /** Service-linked role policies cannot be attached to users, groups or roles. */
  attachable: boolean;
}

const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

function entry(name: string, path: string, description: string | undefined, document: string, defaultVersionId = 'v1'): AwsManagedPolicy {
  return {
    name,
    path,
    id: entityId(ID_PREFIX.policy, 'aws', `${path}${name}`, 0),
    defaultVersionId,
    description,
    createDate: '2015-02-06T18:39:46Z',
    updateDate: '2015-02-06T18:39:46Z',
    document,
    attachable: !path.startsWith('/aws-service-role/'),
  };
}

const CATALOGUE: readonly AwsManagedPolicy[] = [
  entry('AdministratorAccess', '/', 'Provides full access to AWS services and resources.', ALLOW_ALL),
  entry(
    'PowerUserAccess',
    '/',
    'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}',
  ),
  entry('ReadOnlyAccess', '/', 'Provides read-only access to AWS services and resources.', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*"],"Resource":"*"}]}'),
  entry('IAMUserChangePassword', '/', 'Provides the ability for an IAM user to change their own password.', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}'),
  entry('IAMReadOnlyAccess', '/', 'Provides read only access to IAM via the AWS Management Console.', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:Get*","iam:List*"],"Resource":"*"}]}'),
  entry('SecurityAudit', '/', 'The security audit template grants access to read security configuration metadata.', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","organizations:Describe*","organizations:List*"],"Resource":"*"}]}'),
  entry('ViewOnlyAccess', '/job-function/', 'This policy grants permissions to view resources and basic metadata across all AWS services.', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:List*","*:Describe*"],"Resource":"*"}]}'),
  entry('Billing', '/job-function/', 'Grants permissions for billing and cost management.', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["aws-portal:*","budgets:*","ce:*","cur:*"],"Resource":"*"}]}'),
  entry('AWSSupportServiceRolePolicy', '/aws-service-role/', 'Enables resource access for AWS to provide billing, administrative and support services.', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}'),
];

const BY_PATH_AND_NAME = new Map(CATALOGUE.map((p) => [`${p.path}${p.name}`, p]));

export function awsManagedCatalogue(): readonly AwsManagedPolicy[] {
  return CATALOGUE;
}

/** The catalogue entry, or a placeholder for an AWS-managed policy we do not list. */
export function awsManagedPolicy(path: string, name: string): AwsManagedPolicy {
  return BY_PATH_AND_NAME.get(`${path}${name}`) ?? entry(name, path, undefined, '{"Version":"2012-10-17","Statement":[]}');
}

export function awsManagedArn(partition: string, p: AwsManagedPolicy): string {
  return `arn:${partition}:iam::aws:policy${p.path}${p.name}`;
}
