import type { CallerContext, QueryParams } from '../../protocol.js';
import type { AccountIam } from '../model.js';
import type { IamEnv, IamWorld } from '../world.js';

/** One IAM request as the action handlers see it. */
export class ActionContext {
  readonly env: IamEnv;

  constructor(
    private readonly world: IamWorld,
    readonly caller: CallerContext,
    readonly params: QueryParams,
  ) {
    this.env = { partition: caller.partition, now: world.now() };
  }

  get accountId(): string {
    return this.caller.accountId;
  }

  /**
   * The caller's account; an untouched account is not created. Handlers may mutate what they
   * found in it (the entity exists, so the account is real) but create entities only via write().
   */
  read(): AccountIam {
    return this.world.peek(this.caller.accountId);
  }

  /** The caller's account for writing, created on first use. */
  write(): AccountIam {
    return this.world.account(this.caller.accountId);
  }
}

/** Returns the inner XML of `<ActionResult>`. */
export type ActionHandler = (ctx: ActionContext) => string;
