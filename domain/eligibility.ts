import type { Campaign, CategoryRule } from './campaign';
import { say } from './messages';
import { refusalOf, type Refusal } from './refusal';

/** One establishment as the FINESS extraction describes it (the fields the programme uses). */
export interface Establishment {
  nofinesset: string;
  nofinessej: string;
  rs: string;
  departement: string;
  categetab: string;
  libcategetab: string;
  categagretab: string;
  libcategagretab: string;
}

export function ruleMatches(rule: CategoryRule, e: Pick<Establishment, 'categetab' | 'categagretab'>): boolean {
  switch (rule.field) {
    case 'categagretab':
      return rule.codes.includes(e.categagretab);
    case 'categagretab-family':
      return rule.families.some((f) => e.categagretab.slice(0, 2) === f.slice(0, 2));
    case 'categetab':
      return rule.codes.includes(e.categetab);
  }
}

/** The programme domain (PA, PH, DOM, PDE, PDS) under which the campaign finances it, if any. */
export function eligibleDomain(
  campaign: Pick<Campaign, 'eligibleCategories'>,
  e: Pick<Establishment, 'categetab' | 'categagretab'>,
): string | undefined {
  return campaign.eligibleCategories.find((rule) => ruleMatches(rule, e))?.domain;
}

/**
 * Decision (README, "Tranche"): the OG's ESSMS count that chooses its barème tranche is the number of
 * its establishments in the extraction that the campaign's category rules make eligible.
 */
export function ogEssmsCount(
  campaign: Pick<Campaign, 'eligibleCategories'>,
  ogEstablishments: Establishment[],
): number {
  return ogEstablishments.filter((e) => eligibleDomain(campaign, e) !== undefined).length;
}

/**
 * Every reason the BDC's ESSMS cannot be financed (DOMAIN.md, Lifecycle step 1): unknown to the
 * extraction, managed by another OG, of a category the campaign does not finance, or already
 * financed by ESMS numérique for a référencé DUI.
 */
export function essmsRefusals(
  campaign: Pick<Campaign, 'eligibleCategories' | 'couloir'>,
  request: { ogFiness: string; essms: string[] },
  found: Map<string, Establishment>,
  excluded: Map<string, string>,
  extractionDate: string,
): Refusal[] {
  const refusals: Refusal[] = [];
  request.essms.forEach((finess, i) => {
    const path = `essms.${i}`;
    const e = found.get(finess);
    if (!e) {
      refusals.push(
        refusalOf('essms_unknown', say('essms_unknown', { finess, extraction: extractionDate }), path, finess),
      );
      return;
    }
    if (e.nofinessej !== request.ogFiness) {
      refusals.push(
        refusalOf(
          'essms_other_og',
          say('essms_other_og', { finess, holder: e.nofinessej, og: request.ogFiness }),
          path,
          finess,
        ),
      );
    }
    if (!eligibleDomain(campaign, e)) {
      refusals.push(
        refusalOf(
          'essms_not_eligible',
          say('essms_not_eligible', {
            finess,
            category: e.categetab,
            label: e.libcategetab,
            aggregate: e.categagretab,
            couloir: campaign.couloir,
          }),
          path,
          finess,
        ),
      );
    }
    const exclusion = excluded.get(finess);
    if (exclusion)
      refusals.push(refusalOf('essms_excluded', say('essms_excluded', { finess, reason: exclusion }), path, finess));
  });
  return refusals;
}
