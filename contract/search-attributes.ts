import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** What admins filter BDCs on in the Web UI; registered on the dev server by `npm start`. */
export const bdcSearchAttributes = {
  status: defineSearchAttributeKey('BdcStatus', SearchAttributeType.KEYWORD),
  campaign: defineSearchAttributeKey('BdcCampaign', SearchAttributeType.KEYWORD),
  couloir: defineSearchAttributeKey('BdcCouloir', SearchAttributeType.KEYWORD),
  editeur: defineSearchAttributeKey('BdcEditeur', SearchAttributeType.KEYWORD),
  solution: defineSearchAttributeKey('BdcSolution', SearchAttributeType.KEYWORD),
  ogFiness: defineSearchAttributeKey('BdcOgFiness', SearchAttributeType.KEYWORD),
  essms: defineSearchAttributeKey('BdcEssms', SearchAttributeType.KEYWORD_LIST),
  ceilingCents: defineSearchAttributeKey('BdcCeilingCents', SearchAttributeType.INT),
  nextDeadline: defineSearchAttributeKey('BdcNextDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('BdcReimbursementOverdue', SearchAttributeType.BOOL),
} as const;

export const allBdcSearchAttributes = Object.values(bdcSearchAttributes);
