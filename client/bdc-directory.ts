import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { bdcStatusSchema } from '../domain/bdc';
import { finessSchema } from '../domain/finess';
import { BDC_WORKFLOW_TYPE } from '../workflows/messages';
import { bdcSearchAttributes as sa } from '../workflows/search-attributes';

const keyword = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ".", "_" or "-"');

/** The filters operators list BDCs by; each value is validated before it reaches a visibility query. */
export const bdcFilterSchema = z.object({
  status: bdcStatusSchema.optional(),
  campaign: keyword.optional(),
  editeur: keyword.optional(),
  solution: keyword.optional(),
  og: finessSchema.optional(),
  essms: finessSchema.optional(),
  deadlineFrom: z.iso.datetime({ offset: true }).optional(),
  deadlineTo: z.iso.datetime({ offset: true }).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  pageToken: z.string().max(2048).optional(),
});
export type BdcFilter = z.infer<typeof bdcFilterSchema>;

export interface BdcSummary {
  bdcId: string;
  status: string;
  campaign?: string;
  editeur?: string;
  solution?: string;
  og?: string;
  essms: string[];
  ceilingCents?: number;
  nextDeadline?: string;
  reimbursementOverdue: boolean;
  running: boolean;
}

/** The visibility query of a filter; values are validated above, so quoting them is enough. */
export function visibilityQuery(f: Omit<BdcFilter, 'pageSize' | 'pageToken'>): string {
  const clauses = [`WorkflowType = '${BDC_WORKFLOW_TYPE}'`];
  const eq = (name: string, v: string | undefined) => v && clauses.push(`${name} = '${v}'`);
  eq(sa.status.name, f.status);
  eq(sa.campaign.name, f.campaign);
  eq(sa.editeur.name, f.editeur);
  eq(sa.solution.name, f.solution);
  eq(sa.ogFiness.name, f.og);
  eq(sa.essms.name, f.essms);
  if (f.deadlineFrom) clauses.push(`${sa.nextDeadline.name} >= '${new Date(f.deadlineFrom).toISOString()}'`);
  if (f.deadlineTo) clauses.push(`${sa.nextDeadline.name} <= '${new Date(f.deadlineTo).toISOString()}'`);
  return clauses.join(' AND ');
}

/** One page of BDCs from Temporal's visibility store, read from their search attributes alone. */
export async function listBdcs(client: Client, filter: BdcFilter): Promise<{ bdcs: BdcSummary[]; nextPageToken?: string }> {
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: visibilityQuery(filter),
    pageSize: filter.pageSize,
    nextPageToken: filter.pageToken ? Buffer.from(filter.pageToken, 'base64url') : undefined,
  });
  const bdcs = response.executions.map((e): BdcSummary => {
    const attrs = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
    const next = attrs.get(sa.nextDeadline);
    return {
      bdcId: e.execution?.workflowId ?? '',
      status: attrs.get(sa.status) ?? 'unknown',
      campaign: attrs.get(sa.campaign),
      editeur: attrs.get(sa.editeur),
      solution: attrs.get(sa.solution),
      og: attrs.get(sa.ogFiness),
      essms: attrs.get(sa.essms) ?? [],
      ceilingCents: attrs.get(sa.ceilingCents),
      nextDeadline: next ? next.toISOString() : undefined,
      reimbursementOverdue: attrs.get(sa.overdue) ?? false,
      running: e.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    };
  });
  const token = response.nextPageToken?.length ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
  return { bdcs, ...(token ? { nextPageToken: token } : {}) };
}

/** Every BDC matching a filter, page after page. */
export async function* allBdcs(client: Client, filter: Omit<BdcFilter, 'pageSize' | 'pageToken'>): AsyncGenerator<BdcSummary> {
  let pageToken: string | undefined;
  do {
    const page = await listBdcs(client, { ...filter, pageSize: 200, pageToken });
    yield* page.bdcs;
    pageToken = page.nextPageToken;
  } while (pageToken);
}
