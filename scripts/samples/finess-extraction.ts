import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import { withCheckDigit } from '../../domain/finess';
import { structureetFields } from '../../domain/finess-extraction';

/**
 * Writes files in the exact format of the public FINESS extraction, with generated but valid numbers
 * (Luhn check digits), for tests, benchmarks and the demo. Deterministic for a given seed.
 */
export interface Category {
  categetab: string;
  libcategetab: string;
  categagretab: string;
  libcategagretab: string;
}

export const categories = {
  ehpad: {
    categetab: '500',
    libcategetab: "Etablissement d'hébergement pour personnes âgées dépendantes",
    categagretab: '4401',
    libcategagretab: 'Etablissements et Services pour Personnes Agées',
  },
  residenceAutonomie: {
    categetab: '202',
    libcategetab: 'Résidences autonomie',
    categagretab: '4402',
    libcategagretab: 'Logements Foyers et Résidences Autonomie',
  },
  ehpa: {
    categetab: '381',
    libcategetab: "Etablissement d'hébergement pour personnes âgées",
    categagretab: '4404',
    libcategagretab: 'Autres Etablissements pour Personnes Agées',
  },
  ime: {
    categetab: '183',
    libcategetab: 'Institut médico-éducatif (I.M.E.)',
    categagretab: '4101',
    libcategagretab: 'Etablissements pour Enfants et Adolescents Handicapés',
  },
  mas: {
    categetab: '255',
    libcategetab: "Maison d'accueil spécialisée (M.A.S.)",
    categagretab: '4301',
    libcategagretab: "Etablissements et Services d'Hébergement pour Adultes Handicapés",
  },
  esat: {
    categetab: '246',
    libcategetab: "Etablissement et service d'aide par le travail (E.S.A.T.)",
    categagretab: '4302',
    libcategagretab: 'Etablissements et Services de Travail Protégé pour Adultes Handicapés',
  },
  ssiad: {
    categetab: '354',
    libcategetab: 'Service de soins infirmiers à domicile (S.S.I.A.D)',
    categagretab: '4403',
    libcategagretab: 'Services à domicile',
  },
  spasad: {
    categetab: '209',
    libcategetab: "Service polyvalent d'aide et de soins à domicile (S.P.A.S.A.D.)",
    categagretab: '4403',
    libcategagretab: 'Services à domicile',
  },
  saad: {
    categetab: '460',
    libcategetab: "Service d'aide et d'accompagnement à domicile (S.A.A.D)",
    categagretab: '4403',
    libcategagretab: 'Services à domicile',
  },
  mecs: {
    categetab: '177',
    libcategetab: "Maison d'enfants à caractère social",
    categagretab: '4501',
    libcategagretab: "Etablissements de l'Aide Sociale à l'Enfance",
  },
  csapa: {
    categetab: '197',
    libcategetab: "Centre de soins, d'accompagnement et de prévention en addictologie (C.S.A.P.A.)",
    categagretab: '4601',
    libcategagretab: 'Etablissements pour personnes en difficultés spécifiques',
  },
  // not eligible: a day centre for older people (aggregate 4403 without a DOM category), health facilities
  centreDeJour: {
    categetab: '207',
    libcategetab: 'Centre de jour pour personnes âgées',
    categagretab: '4403',
    libcategagretab: 'Services à domicile',
  },
  centreHospitalier: {
    categetab: '355',
    libcategetab: 'Centre hospitalier (C.H.)',
    categagretab: '1102',
    libcategagretab: 'Centres Hospitaliers',
  },
  centreDeSante: {
    categetab: '124',
    libcategetab: 'Centre de santé',
    categagretab: '2204',
    libcategagretab: 'Centres de santé',
  },
  pharmacie: {
    categetab: '620',
    libcategetab: "Pharmacie d'officine",
    categagretab: '3201',
    libcategagretab: "Pharmacies d'officine",
  },
} satisfies Record<string, Category>;

export const ms1Eligible: Category[] = [
  categories.ehpad,
  categories.residenceAutonomie,
  categories.ehpa,
  categories.ime,
  categories.mas,
  categories.esat,
  categories.ssiad,
  categories.spasad,
  categories.saad,
];
export const ms2Eligible: Category[] = [categories.mecs, categories.csapa];
export const notEligible: Category[] = [
  categories.centreDeJour,
  categories.centreHospitalier,
  categories.centreDeSante,
  categories.pharmacie,
];

export interface OgSpec {
  /** eligible establishments, cycling through these categories */
  eligible: number;
  categories?: Category[];
  /** establishments the programme does not finance, which do not count for the tranche */
  notEligible?: number;
  name?: string;
}

export interface GeneratedOg {
  og: string;
  name: string;
  essms: string[];
  notEligible: string[];
}

const departements = ['75', '92', '93', '69', '13', '33', '59', '2A', '971'];

/** Numbers unique within one generation: département, then a counter, then the check digit. */
function numberer(seed: number) {
  // seeds 1–9 number from distinct ranges, so two generated extractions never share an establishment
  let n = seed * 10_000;
  return (dept: string) => {
    n += 1;
    const body = `${dept}${String(n % 10 ** (8 - dept.length)).padStart(8 - dept.length, '0')}`;
    return dept.startsWith('2') && /[AB]/.test(dept) ? `${body}${n % 10}` : withCheckDigit(body);
  };
}

function structureet(values: Partial<Record<(typeof structureetFields)[number], string>>): string {
  return ['structureet', ...structureetFields.map((f) => values[f] ?? ''), ''].join(';');
}

/** Writes an extraction file; returns what it holds so tests know the expected answers. */
export function writeExtraction(
  file: string,
  opts: { date: string; ogs: OgSpec[]; seed?: number; encoding?: 'utf-8' | 'latin1' },
): GeneratedOg[] {
  const next = numberer(opts.seed ?? 1);
  const out = fs.openSync(file, 'w');
  const write = (line: string) =>
    fs.writeSync(out, Buffer.from(`${line}\n`, opts.encoding === 'latin1' ? 'latin1' : 'utf8'));
  const [y, m, d] = opts.date.split('-');
  write(`finess;etalab;${opts.ogs.length};${d}/${m}/${y}`);
  const generated: GeneratedOg[] = [];
  const geoloc: string[] = [];
  opts.ogs.forEach((spec, i) => {
    const dept = departements[i % departements.length]!;
    const og = next(dept);
    const name = spec.name ?? `Association gestionnaire ${i + 1}`;
    const cats = spec.categories ?? ms1Eligible;
    const essms: string[] = [];
    const others: string[] = [];
    const total = spec.eligible + (spec.notEligible ?? 0);
    for (let k = 0; k < total; k++) {
      const eligible = k < spec.eligible;
      const category = eligible ? cats[k % cats.length]! : notEligible[k % notEligible.length]!;
      const et = next(dept);
      (eligible ? essms : others).push(et);
      write(
        structureet({
          nofinesset: et,
          nofinessej: og,
          rs: `${category.libcategetab.split(' (')[0]} ${name} ${k + 1}`.slice(0, 38).toUpperCase(),
          rslongue: `${category.libcategetab} — ${name}`,
          numvoie: String(1 + (k % 120)),
          typvoie: 'R',
          voie: 'DES ÉCOLES',
          commune: '056',
          departement: dept,
          libdepartement: `DÉPARTEMENT ${dept}`,
          ligneacheminement: `${dept}000 VILLE`,
          telephone: '0102030405',
          categetab: category.categetab,
          libcategetab: category.libcategetab,
          categagretab: category.categagretab,
          libcategagretab: category.libcategagretab,
          siret: '',
          codeape: '8710A',
          codemft: '07',
          libmft: 'ARS / DG',
          codesph: '',
          libsph: '',
          dateouv: '1998-01-01',
          dateautor: '1998-01-01',
          datemaj: opts.date,
        }),
      );
      geoloc.push(
        `geolocalisation;${et};650000.0;6860000.0;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;${opts.date}`,
      );
    }
    generated.push({ og, name, essms, notEligible: others });
  });
  geoloc.forEach(write);
  fs.closeSync(out);
  return generated;
}

/** The shipped fixture: OGs of every tranche size, every eligible category and several ineligible ones. */
export const fixtureOgs: OgSpec[] = [
  { eligible: 1, name: 'EHPAD Les Tilleuls' },
  { eligible: 3, notEligible: 1, name: 'Association Âge et Vie' },
  { eligible: 7, notEligible: 2, name: 'Fondation Solidarités' },
  { eligible: 15, name: 'Groupe Handicap Avenir' },
  { eligible: 30, notEligible: 3, name: 'Union Mutualiste Médico-sociale' },
  { eligible: 100, notEligible: 4, name: 'Réseau National Autonomie' },
  { eligible: 4, categories: ms2Eligible, name: "Sauvegarde de l'Enfance" },
  { eligible: 0, notEligible: 4, name: 'Centre Hospitalier Intercommunal' },
];

if (require.main === module) {
  const file = path.join(projectRoot, 'test', 'fixtures', 'finess-extraction.csv');
  const ogs = writeExtraction(file, { date: '2023-01-17', ogs: fixtureOgs });
  process.stdout.write(
    `${file}: ${ogs.reduce((n, o) => n + o.essms.length + o.notEligible.length, 0)} establishments of ${ogs.length} OGs\n`,
  );
}
