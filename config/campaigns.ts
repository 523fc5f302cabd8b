import fs from 'node:fs';
import { z } from 'zod';
import { campaignSchema, type Campaign } from '../domain/campaign';
import { shippedCampaigns } from '../domain/campaigns';
import { refusalsFromZod } from '../domain/refusal';
import { ConfigError, type Config } from './env';

/**
 * The shipped vague-1 campaigns plus those of CAMPAIGNS_FILE (a JSON array of campaigns): a new
 * campaign, such as the médico-social vague 2, is added by configuration alone.
 */
export function loadCampaigns(config: Pick<Config, 'CAMPAIGNS_FILE'>): Campaign[] {
  if (!config.CAMPAIGNS_FILE) return shippedCampaigns;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(config.CAMPAIGNS_FILE, 'utf8'));
  } catch (err) {
    throw new ConfigError(`CAMPAIGNS_FILE: cannot read ${config.CAMPAIGNS_FILE} as JSON (${(err as Error).message})`);
  }
  const parsed = z.array(campaignSchema).safeParse(raw);
  if (!parsed.success) {
    const problems = refusalsFromZod(parsed.error).map((r) => `${r.path}: ${r.message}`);
    throw new ConfigError(
      `CAMPAIGNS_FILE: ${config.CAMPAIGNS_FILE} is not a list of valid campaigns:\n  ${problems.join('\n  ')}`,
    );
  }
  const all = [...shippedCampaigns, ...parsed.data];
  const ids = all.map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new ConfigError(`CAMPAIGNS_FILE: campaign ${duplicate} is defined twice`);
  return all;
}
