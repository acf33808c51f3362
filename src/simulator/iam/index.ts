export { IamWorld, type IamWorldOptions } from './world.js';
export type { IamSeed } from './seed.js';
export { handleIamAction, isIamWriteAction, IAM_ACTIONS } from './dispatch.js';
