import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCampaigns } from '../../config/campaigns';
import { ConfigError } from '../../config/env';
import { campaign } from '../support/bdc-fixtures';

const file = (content: unknown) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-campaigns-')), 'campaigns.json');
  fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};

test('a new campaign is added by configuration alone', () => {
  const vague2 = {
    ...campaign('vague1-ms1'),
    id: 'vague2-ms1',
    label: 'SONS vague 2 — MS1',
    vague: 2,
    openingDate: '2025-03-01',
    orderDeadline: '2025-12-31',
    closingDate: '2026-06-30',
  };
  const campaigns = loadCampaigns({ CAMPAIGNS_FILE: file([vague2]) });
  expect(campaigns.map((c) => c.id)).toEqual(['vague1-ms1', 'vague1-ms2', 'vague2-ms1']);
  expect(campaigns[2]).toMatchObject({ vague: 2, closingDate: '2026-06-30', referencementDelayDays: 120 });
});

test('an invalid campaigns file stops start-up naming the field', () => {
  const bad = { ...campaign('vague1-ms1'), id: 'vague2', closingDate: '2026-02-30' };
  expect(() => loadCampaigns({ CAMPAIGNS_FILE: file([bad]) })).toThrow(
    /CAMPAIGNS_FILE: .* is not a list of valid campaigns:\n {2}0\.closingDate: not a calendar date/,
  );
  expect(() => loadCampaigns({ CAMPAIGNS_FILE: file('{') })).toThrow(ConfigError);
  expect(() => loadCampaigns({ CAMPAIGNS_FILE: file([campaign('vague1-ms2')]) })).toThrow(
    'CAMPAIGNS_FILE: campaign vague1-ms2 is defined twice',
  );
});
