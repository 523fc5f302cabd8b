import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { bdcRequestSchema, bdcWorkflowId, eventSchema, type BdcWorkflowInput } from '../domain/bdc';
import { addCalendarDays, endOfParisDay } from '../domain/calendar';
import { campaignDeadlines, trancheFor } from '../domain/campaign';
import { essmsRefusals, ogEssmsCount as countOgEssms } from '../domain/eligibility';
import { parseOrRefuse, refuse, RefusedError } from '../domain/refusal';
import { BDC_WORKFLOW_TYPE } from '../workflows/messages';
import { bdcSearchAttributes } from '../workflows/search-attributes';
import type { bdcLifecycle } from '../workflows/bdc-lifecycle';
import { applyRate, formatEuros } from '../domain/money';
import { effectiveCampaigns } from './campaigns';
import { nowOf, type EngineContext } from './context';

/**
 * Registers a BDC: validates the request, prices it from the barème, turns its civil dates into
 * instants, claims its ESSMS in the ledger (all or none) and starts its workflow. Every refusal is a
 * RefusedError; nothing is started or claimed when the request is refused.
 */
export async function registerBdc(deps: EngineContext, rawRequest: unknown, rawEvent: unknown): Promise<{ workflowId: string; input: BdcWorkflowInput }> {
  const request = parseOrRefuse(bdcRequestSchema, rawRequest);
  const event = parseOrRefuse(eventSchema, rawEvent);
  const campaign = (await effectiveCampaigns(deps)).find((c) => c.id === request.campaignId);
  if (!campaign) throw refuse('unknown_campaign', `no campaign ${request.campaignId}`, 'campaignId', request.campaignId);
  if (request.orderDate < campaign.openingDate) throw refuse('ordered_before_opening', `the order date is before the campaign opened (${campaign.openingDate})`, 'orderDate', request.orderDate);
  if (request.orderDate > campaign.orderDeadline) throw refuse('ordered_after_deadline', `the order date is after the order deadline (${campaign.orderDeadline})`, 'orderDate', request.orderDate);
  const now = new Date(await nowOf(deps));
  if (now > endOfParisDay(campaign.orderDeadline)) {
    throw refuse('registered_after_deadline', `requests are registered up to the order deadline (${campaign.orderDeadline}); it is now ${now.toISOString()}`, 'campaignId', request.campaignId);
  }

  const extraction = await deps.finess.currentExtraction();
  if (!extraction) throw refuse('no_finess_extraction', 'no FINESS extraction is imported yet: an operator imports one with `sons finess import FILE`');
  const [found, excluded, ogEstablishments] = await Promise.all([
    deps.finess.establishments(extraction.id, request.essms),
    deps.finess.excluded(request.essms),
    deps.finess.ogEstablishments(extraction.id, request.ogFiness),
  ]);
  const refusals = essmsRefusals(campaign, request, found, excluded, extraction.date);
  if (refusals.length) throw new RefusedError(refusals);
  const ogEssmsCount = countOgEssms(campaign, ogEstablishments);
  const tranche = trancheFor(campaign, ogEssmsCount);
  const ceilingCents = tranche.perEssmsCents * request.essms.length;
  const bdcId = bdcWorkflowId(request.editeurId, request.reference);
  const input: BdcWorkflowInput = {
    bdcId,
    request,
    couloir: campaign.couloir,
    tranche: tranche.tranche,
    ogEssmsCount,
    finessExtraction: `FINESS extraction of ${extraction.date} (#${extraction.id})`,
    ceilingCents,
    advanceRateBasisPoints: campaign.advanceRateBasisPoints,
    reimbursementDueDays: campaign.reimbursementDueDays,
    deadlines: {
      ...(request.solutionReferenced ? {} : { dossier: endOfParisDay(addCalendarDays(request.orderDate, campaign.referencementDelayDays)).toISOString() }),
      ...campaignDeadlines(campaign),
    },
    registeredBy: event,
  };

  await deps.ledger.registerBdc({ bdcId, editeurId: request.editeurId, campaignId: campaign.id, ogFiness: request.ogFiness, essms: request.essms, ceilingCents, finessExtractionId: extraction.id });
  try {
    await deps.client.workflow.start<typeof bdcLifecycle>(BDC_WORKFLOW_TYPE, {
      workflowId: bdcId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `BDC ${request.reference} — ${request.editeurId} for OG ${request.ogFiness} (${request.essms.length} ESSMS, ${formatEuros(ceilingCents)} €)`,
      staticDetails: [
        `**Campaign** ${campaign.label}, tranche ${tranche.tranche} (${ogEssmsCount} ESSMS in the FINESS extraction of ${extraction.date})`,
        `**Solution** ${request.solutionId} (${request.solutionReferenced ? 'référencée' : 'awaiting référencement'}), ordered ${request.orderDate}`,
        `**ESSMS** ${request.essms.join(', ')}`,
        `**Ceiling** ${formatEuros(ceilingCents)} €, advance ${formatEuros(applyRate(ceilingCents, campaign.advanceRateBasisPoints))} €`,
      ].join('\n\n'),
      typedSearchAttributes: [
        { key: bdcSearchAttributes.status, value: 'received' },
        { key: bdcSearchAttributes.campaign, value: campaign.id },
        { key: bdcSearchAttributes.couloir, value: campaign.couloir },
        { key: bdcSearchAttributes.editeur, value: request.editeurId },
        { key: bdcSearchAttributes.solution, value: request.solutionId },
        { key: bdcSearchAttributes.ogFiness, value: request.ogFiness },
        { key: bdcSearchAttributes.essms, value: request.essms },
        { key: bdcSearchAttributes.ceilingCents, value: ceilingCents },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw refuse('already_registered', `BDC ${request.reference} of ${request.editeurId} is already registered`, 'reference', request.reference);
    throw err;
  }
  return { workflowId: bdcId, input };
}
