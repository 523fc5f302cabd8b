import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import { RefusedError, type Refusal } from '../domain/refusal';
import type { BdcView } from '../workflows/bdc-view';

/**
 * Delivers one external event to a BDC and answers its new state. The event id is the update id, so
 * a redelivered event is deduplicated by Temporal as well as by the workflow. A workflow's refusal
 * comes back as a RefusedError carrying the same structured refusals.
 */
export async function sendBdcEvent<E extends { eventId: string }>(client: Client, bdcId: string, update: UpdateDefinition<BdcView, [E]>, event: E): Promise<BdcView> {
  try {
    return await client.workflow.getHandle(bdcId).executeUpdate(update, { args: [event], updateId: event.eventId });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'Refused') {
      const refusals = (err.cause.details ?? []) as Refusal[];
      throw new RefusedError(refusals.length ? refusals : [{ code: 'refused', message: err.cause.message, path: '' }]);
    }
    throw err;
  }
}
