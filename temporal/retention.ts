import type { Connection } from '@temporalio/client';
import Long from 'long';

/**
 * The namespace's retention: how long Temporal keeps a closed workflow's history. The BDC's record
 * (PostgreSQL) is what is kept for the programme's accounts; the history is the process's memory,
 * kept 90 days after a BDC ends by default (DOMAIN.md, "The record").
 */
export async function setRetention(connection: Connection, namespace: string, days: number): Promise<void> {
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(days * 86_400) } },
  });
}

export async function retentionDays(connection: Connection, namespace: string): Promise<number> {
  const { config } = await connection.workflowService.describeNamespace({ namespace });
  return Number(config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
}
