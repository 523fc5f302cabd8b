import { ApplicationFailure } from '@temporalio/common';
import { REFUSED, RefusedError } from '../domain/refusal';

/** A business refusal is final: retrying the same input cannot succeed, so it is not retried. */
export async function refusalsAreFinal<T>(effect: () => Promise<T>): Promise<T> {
  try {
    return await effect();
  } catch (err) {
    if (err instanceof RefusedError) {
      throw ApplicationFailure.create({
        type: REFUSED,
        message: err.message,
        details: err.refusals,
        nonRetryable: true,
      });
    }
    throw err;
  }
}
