import { listBdcs as listFromVisibility, type BdcFilter } from '../temporal/bdc-visibility';
import type { Caller, EngineContext } from './context';

/** One page of BDCs; an éditeur lists its own only, whatever filter it sends. */
export function listBdcs(ctx: EngineContext, caller: Caller, filter: BdcFilter) {
  return listFromVisibility(ctx.client, caller.editeurId === undefined ? filter : { ...filter, editeur: caller.editeurId });
}
