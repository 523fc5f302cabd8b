import { createHash } from 'node:crypto';

/**
 * The a posteriori controls' sample (seeds 000, 003, 004: "des contrôles a posteriori … par
 * échantillon"): reproducible from its seed by anyone. Each completed BDC of the population is
 * ranked by SHA-256(seed:bdcId); the population is split into strata (campaign, éditeur, tranche);
 * each stratum gives its lowest-ranked BDCs — a rate of each stratum (at least one when the rate is
 * not 0), or a total size shared out in proportion (largest remainders, ties by stratum).
 */
export interface Candidate {
  bdcId: string;
  campaign: string;
  editeur: string;
  tranche: string;
}

export type SampleSize = { rate: number } | { size: number };

export interface Drawn {
  bdcId: string;
  stratum: string;
  rank: string;
}

export const stratumOf = (c: Candidate) => `${c.campaign}|${c.editeur}|${c.tranche}`;
export const rankOf = (seed: string, bdcId: string) => createHash('sha256').update(`${seed}:${bdcId}`).digest('hex');

/** A digest of the population (its BDC ids, sorted): a redraw proves it drew from the same one. */
export const populationDigest = (population: readonly Candidate[]) =>
  createHash('sha256')
    .update(
      population
        .map((c) => c.bdcId)
        .sort()
        .join('\n'),
    )
    .digest('hex');

function allocation(strata: Map<string, Candidate[]>, size: SampleSize): Map<string, number> {
  const counts = new Map<string, number>();
  if ('rate' in size) {
    for (const [s, members] of strata)
      counts.set(s, size.rate > 0 ? Math.min(members.length, Math.max(1, Math.round(members.length * size.rate))) : 0);
    return counts;
  }
  const total = [...strata.values()].reduce((n, m) => n + m.length, 0);
  const wanted = Math.min(size.size, total);
  const shares = [...strata.entries()].map(([s, m]) => ({
    s,
    exact: total ? (wanted * m.length) / total : 0,
    n: m.length,
  }));
  for (const x of shares) counts.set(x.s, Math.floor(x.exact));
  let left = wanted - [...counts.values()].reduce((a, b) => a + b, 0);
  for (const x of [...shares].sort(
    (a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || a.s.localeCompare(b.s),
  )) {
    if (left <= 0) break;
    if (counts.get(x.s)! < x.n) {
      counts.set(x.s, counts.get(x.s)! + 1);
      left--;
    }
  }
  return counts;
}

export function drawSample(population: readonly Candidate[], seed: string, size: SampleSize): Drawn[] {
  const strata = new Map<string, Candidate[]>();
  for (const c of [...population].sort((a, b) => a.bdcId.localeCompare(b.bdcId))) {
    const s = stratumOf(c);
    strata.set(s, [...(strata.get(s) ?? []), c]);
  }
  const counts = allocation(strata, size);
  return [...strata.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([s, members]) =>
      members
        .map((c) => ({ bdcId: c.bdcId, stratum: s, rank: rankOf(seed, c.bdcId) }))
        .sort((a, b) => a.rank.localeCompare(b.rank))
        .slice(0, counts.get(s) ?? 0),
    );
}
