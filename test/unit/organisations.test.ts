import { join } from 'node:path';
import { loadTemplateFile, shippedTemplatesDir } from '../../src/client/templates';
import { deliversReports, nameOn } from '../../src/domain/organisations';
import { registrySchema } from '../../src/domain/registry-schema';
import { addressesFor } from '../../src/domain/recipients';
import { missingForReady } from '../../src/domain/report-template';

const contacts = (id: string, head: string) => [
  { role: 'registrator', email: `registrator.${id}@x.example` },
  { role: head, email: `${head}.${id}@x.example` },
];

/** A small registry around the organisations given. */
const registry = (...organisations: unknown[]) => ({ municipality: 'provstad', organisations });

const problems = (input: unknown) => {
  const parsed = registrySchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('effective-dated names', () => {
  const renamed = {
    id: 'vatten',
    name: 'Vatten och Avfall AB',
    names: [
      { name: 'Vatten AB', from: '2007-01-01' },
      { name: 'Vatten och Avfall AB', from: '2017-01-01' },
    ],
    kind: 'bolagsstyrelse',
    validFrom: '2007-01-01',
  };

  it('name a company as it was named on the day', () => {
    const org = registrySchema.parse(registry(renamed)).organisations[0]!;
    expect(nameOn(org, '2016-12-31')).toBe('Vatten AB');
    expect(nameOn(org, '2017-01-01')).toBe('Vatten och Avfall AB');
    expect(nameOn(org, '2030-01-01')).toBe('Vatten och Avfall AB');
    // Before the first dated name: the earliest known one.
    expect(nameOn(org, '2000-01-01')).toBe('Vatten AB');
    // Without dated names, always its name.
    expect(nameOn({ name: 'Farsta stadsdelsnämnd' }, '2000-01-01')).toBe('Farsta stadsdelsnämnd');
  });

  it('refuse names out of order, after the organisation ceased, or a latest name that is not its name', () => {
    expect(
      problems(
        registry({
          ...renamed,
          name: 'Något annat AB',
          validTo: '2016-06-30',
          names: [
            { name: 'Vatten AB', from: '2017-01-01' },
            { name: 'Vatten och Avfall AB', from: '2017-01-01' },
          ],
        }),
      ),
    ).toEqual([
      'organisations.0.names.0.from: is after validTo (2016-06-30)',
      "organisations.0.names.1.from: must be after the previous name's (2017-01-01)",
      'organisations.0.names.1.from: is after validTo (2016-06-30)',
      "organisations.0.names.1.name: the latest name must be the organisation's name (Något annat AB)",
    ]);
    expect(problems(registry({ ...renamed, names: [{ name: 'Vatten AB', from: 'i fjol' }] }))).toContain(
      'organisations.0.names.0.from: must be a date YYYY-MM-DD',
    );
    expect(problems(registry({ ...renamed, names: [] }))).toEqual([
      'organisations.0.names: Too small: expected array to have >=1 items',
    ]);
  });
});

describe("the district head's title", () => {
  it("reads a district's forvaltningschef as its stadsdelsdirektor, and keeps a service board's", () => {
    const parsed = registrySchema.parse(
      registry(
        {
          id: 'farsta',
          name: 'Farsta',
          kind: 'stadsdelsnamnd',
          validFrom: '2007-01-01',
          contacts: contacts('farsta', 'forvaltningschef'),
        },
        {
          id: 'bromma',
          name: 'Bromma',
          kind: 'stadsdelsnamnd',
          validFrom: '2007-01-01',
          contacts: contacts('bromma', 'stadsdelsdirektor'),
        },
        {
          id: 'social',
          name: 'Social',
          kind: 'facknamnd',
          validFrom: '2007-01-01',
          contacts: contacts('social', 'forvaltningschef'),
        },
      ),
    );
    expect(parsed.organisations.map((o) => `${o.id} ${o.contacts.map((c) => c.role).join(',')}`)).toEqual([
      'farsta registrator,stadsdelsdirektor',
      'bromma registrator,stadsdelsdirektor',
      'social registrator,forvaltningschef',
    ]);
  });

  it("is a district's alone", () => {
    expect(
      problems(
        registry({
          id: 'social',
          name: 'Social',
          kind: 'facknamnd',
          validFrom: '2007-01-01',
          contacts: contacts('social', 'stadsdelsdirektor'),
        }),
      ),
    ).toEqual([
      "organisations.0.contacts.1.role: stadsdelsdirektor is a district's head; a facknamnd has a forvaltningschef or vd",
    ]);
  });

  it("is reached by a ladder step to the förvaltningschef, and either title reaches a service board's head", () => {
    const none = { koncernmoder: [], utskott: [] };
    const district = { contacts: [{ role: 'stadsdelsdirektor' as const, email: 'sdd@x.example' }] };
    const board = { contacts: [{ role: 'forvaltningschef' as const, email: 'fc@x.example' }] };
    expect(addressesFor(['forvaltningschef', 'ordforande'], district, none)).toEqual(['sdd@x.example']);
    expect(addressesFor(['stadsdelsdirektor'], district, none)).toEqual(['sdd@x.example']);
    expect(addressesFor(['stadsdelsdirektor'], board, none)).toEqual(['fc@x.example']);
    expect(addressesFor(['registrator'], district, none)).toEqual([]);
  });
});

describe('the housing mark (a greater responsibility in local development)', () => {
  const company = { id: 'bostader', name: 'Bostäder AB', kind: 'bolagsstyrelse', validFrom: '2007-01-01' };

  it('is for companies only', () => {
    expect(problems(registry({ ...company, greaterLocalResponsibility: true }))).toEqual([]);
    expect(problems(registry({ ...company, kind: 'facknamnd', greaterLocalResponsibility: true }))).toEqual([
      'organisations.0.greaterLocalResponsibility: is for a company (bolagsstyrelse), not a facknamnd',
    ]);
    expect(problems(registry({ ...company, greaterLocalResponsibility: 'ja' }))[0]).toMatch(
      /^organisations\.0\.greaterLocalResponsibility: /,
    );
  });

  it('makes the verksamhetsplan ask such a company for nämndmål or aktiviteter in every area: no part will not do', () => {
    const plan = loadTemplateFile(join(shippedTemplatesDir(), 'verksamhetsplan.yaml')).template!;
    const areas = [
      { id: 'farsta', name: 'Farsta' },
      { id: 'skarholmen', name: 'Skärholmen' },
    ];
    const noPart = { 'omrade-ingen-del': 'Vi äger inga bostäder här.' };
    const answers = { 'prioriterade-omraden': { farsta: noPart, skarholmen: noPart } };
    const missingAreas = (greaterLocalResponsibility: boolean) =>
      missingForReady(
        plan,
        { boardKind: 'bolagsstyrelse', 'priority-areas': areas, goals: [], greaterLocalResponsibility },
        answers,
      ).filter((m) => m.field.startsWith('answers.prioriterade-omraden'));
    expect(missingAreas(false)).toEqual([]);
    expect(missingAreas(true).map((m) => `${m.field}: ${m.question}`)).toEqual([
      'answers.prioriterade-omraden[farsta]: Nämndmål för området eller Aktiviteter i området',
      'answers.prioriterade-omraden[skarholmen]: Nämndmål för området eller Aktiviteter i området',
    ]);
  });
});

describe('a group parent that reports as a company', () => {
  const parent = { id: 'stadshus', name: 'Stadshus AB', kind: 'koncernmoder', validFrom: '2007-01-01' };

  it('delivers only when the registry says so', () => {
    const [plain, reporting] = registrySchema.parse(
      registry(parent, { ...parent, id: 'stadshus-2', reportsAsCompany: true }),
    ).organisations;
    expect(deliversReports(plain!)).toBe(false);
    expect(deliversReports(reporting!)).toBe(true);
    expect(deliversReports({ kind: 'kommunstyrelse' })).toBe(true);
    expect(deliversReports({ kind: 'utskott' })).toBe(false);
  });

  it('is a mark for a group parent alone', () => {
    expect(problems(registry({ ...parent, kind: 'bolagsstyrelse', reportsAsCompany: true }))).toEqual([
      'organisations.0.reportsAsCompany: is for a group parent (koncernmoder), not a bolagsstyrelse: it reports as its kind does',
    ]);
  });
});
