import { finessSchema } from '../domain/schemas';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { bdcStatusSchema } from '../domain/bdc';
import { BDC_WORKFLOW_TYPE } from '../contract/bdc';
import { bdcSearchAttributes as sa } from '../contract/search-attributes';

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

/** A visibility query's string literal: quotes and backslashes escaped, whatever reaches it. */
export const quoted = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query of a filter. */
export function visibilityQuery(f: Omit<BdcFilter, 'pageSize' | 'pageToken'>): string {
  const clauses = [`WorkflowType = ${quoted(BDC_WORKFLOW_TYPE)}`];
  const eq = (name: string, v: string | undefined) => v && clauses.push(`${name} = ${quoted(v)}`);
  eq(sa.status.name, f.status);
  eq(sa.campaign.name, f.campaign);
  eq(sa.editeur.name, f.editeur);
  eq(sa.solution.name, f.solution);
  eq(sa.ogFiness.name, f.og);
  eq(sa.essms.name, f.essms);
  if (f.deadlineFrom) clauses.push(`${sa.nextDeadline.name} >= ${quoted(new Date(f.deadlineFrom).toISOString())}`);
  if (f.deadlineTo) clauses.push(`${sa.nextDeadline.name} <= ${quoted(new Date(f.deadlineTo).toISOString())}`);
  return clauses.join(' AND ');
}

/** A search attribute of a listed execution: visibility returns them as JSON payloads. */
function attribute<T>(
  fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined,
  key: { name: string; type: SearchAttributeType },
): T | undefined {
  const payload = fields?.[key.name];
  return payload ? defaultPayloadConverter.fromPayload<T>(payload) : undefined;
}

/** One page of BDCs from Temporal's visibility store, read from their search attributes alone. */
export async function listBdcs(
  client: Client,
  filter: BdcFilter,
): Promise<{ bdcs: BdcSummary[]; nextPageToken?: string }> {
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: visibilityQuery(filter),
    pageSize: filter.pageSize,
    nextPageToken: filter.pageToken ? Buffer.from(filter.pageToken, 'base64url') : undefined,
  });
  const bdcs = response.executions.map((e): BdcSummary => {
    const fields = e.searchAttributes?.indexedFields;
    return {
      bdcId: e.execution?.workflowId ?? '',
      status: attribute<string>(fields, sa.status) ?? 'unknown',
      campaign: attribute(fields, sa.campaign),
      editeur: attribute(fields, sa.editeur),
      solution: attribute(fields, sa.solution),
      og: attribute(fields, sa.ogFiness),
      essms: attribute<string[]>(fields, sa.essms) ?? [],
      ceilingCents: attribute(fields, sa.ceilingCents),
      nextDeadline: attribute<string>(fields, sa.nextDeadline) ?? undefined,
      reimbursementOverdue: attribute<boolean>(fields, sa.overdue) ?? false,
      running: e.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    };
  });
  const token = response.nextPageToken?.length ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
  return { bdcs, ...(token ? { nextPageToken: token } : {}) };
}

/** Every BDC matching a filter, page after page. */
export async function* allBdcs(
  client: Client,
  filter: Omit<BdcFilter, 'pageSize' | 'pageToken'>,
): AsyncGenerator<BdcSummary> {
  let pageToken: string | undefined;
  do {
    const page = await listBdcs(client, { ...filter, pageSize: 200, pageToken });
    yield* page.bdcs;
    pageToken = page.nextPageToken;
  } while (pageToken);
}
