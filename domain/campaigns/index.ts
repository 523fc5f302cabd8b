import { campaignSchema, type Campaign } from '../campaign';
import bareme from './bareme-vague1.json';
import ms1 from './vague1-ms1.json';
import ms2 from './vague1-ms2.json';

/** The campaigns that ship with the engine; more come from configuration (CAMPAIGNS_FILE). */
export const shippedCampaigns: Campaign[] = [ms1, ms2].map((c) => campaignSchema.parse({ ...c, bareme }));
