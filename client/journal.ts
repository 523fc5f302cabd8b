import { JournalStore } from '../db/journal';
import { JournalRecords, type Checkpoint, type Verification } from '../db/journal-records';
import type { EngineContext } from './context';
import { journalExport, type ExportScope } from './journal-export';

/**
 * The journal as the API, the console and the metrics read it and ask the worker's keeper for work
 * (a checkpoint signed, a verification run): the key stays in the worker's process.
 */
export type { Checkpoint, Verification } from '../db/journal-records';

export interface JournalStatus {
  journalId: string;
  head: { seq: number; hash: string };
  lastCheckpoint?: Checkpoint;
  lastVerification?: Verification;
  lastSuccessfulVerification?: Verification;
  keys: Record<string, string>;
}

export async function journalStatus(ctx: Pick<EngineContext, 'sql'>): Promise<JournalStatus> {
  const records = new JournalRecords(ctx.sql);
  const [head, lastCheckpoint, { last, lastOk }, keys] = await Promise.all([
    new JournalStore(ctx.sql).head(),
    records.lastCheckpoint(),
    records.lastFinished(),
    records.keys(),
  ]);
  return {
    journalId: head.journalId,
    head: { seq: head.seq, hash: head.hash },
    ...(lastCheckpoint ? { lastCheckpoint } : {}),
    ...(last ? { lastVerification: last } : {}),
    ...(lastOk ? { lastSuccessfulVerification: lastOk } : {}),
    keys,
  };
}

export const requestVerification = (ctx: Pick<EngineContext, 'sql'>, by: string) =>
  new JournalRecords(ctx.sql).requestVerification(by);
export const verificationOf = (ctx: Pick<EngineContext, 'sql'>, id: number) =>
  new JournalRecords(ctx.sql).verification(id);
export const latestVerifications = (ctx: Pick<EngineContext, 'sql'>, limit = 20) =>
  new JournalRecords(ctx.sql).verifications(limit);
export const requestCheckpoint = (ctx: Pick<EngineContext, 'sql'>, by: string) =>
  new JournalRecords(ctx.sql).requestCheckpoint(by);
export const checkpointRequestOf = (ctx: Pick<EngineContext, 'sql'>, id: number) =>
  new JournalRecords(ctx.sql).checkpointRequest(id);
export const latestCheckpoints = (ctx: Pick<EngineContext, 'sql'>, limit = 20) =>
  new JournalRecords(ctx.sql).latestCheckpoints(limit);
export const exportJournal = (ctx: Pick<EngineContext, 'sql'>, scope: ExportScope) => journalExport(ctx.sql, scope);

/**
 * What a BDC's page says of its journal: verified up to when (the last verification that found
 * nothing amiss), and whether the BDC has entries written since; or that the last verification
 * found a mismatch.
 */
export async function bdcJournalState(
  ctx: Pick<EngineContext, 'sql'>,
  bdcId: string,
): Promise<{ verifiedAt?: string; verifiedSeq?: number; newerEntries: boolean; mismatch?: Verification }> {
  const [{ last, lastOk }, lastSeq] = await Promise.all([
    new JournalRecords(ctx.sql).lastFinished(),
    new JournalStore(ctx.sql).lastSeqOfBdc(bdcId),
  ]);
  return {
    ...(lastOk?.finishedAt ? { verifiedAt: lastOk.finishedAt, verifiedSeq: lastOk.verifiedSeq } : {}),
    newerEntries: lastSeq !== undefined && lastSeq > (lastOk?.verifiedSeq ?? 0),
    ...(last?.status === 'mismatch' ? { mismatch: last } : {}),
  };
}
