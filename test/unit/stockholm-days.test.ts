import { stockholmDays } from '../../src/activities/stockholm-days';

/**
 * The Stockholm days a notification works out once per instant (src/activities/stockholm-days.ts):
 * remembered by the instant, never by something coarser, so two instants of one UTC day that
 * fall on two Stockholm days keep their own, across the changes of daylight saving time.
 */
describe('stockholmDays', () => {
  it('gives each instant its Stockholm day, the remembered ones too', () => {
    const dayOf = stockholmDays();
    const cases: [string, string][] = [
      ['2030-01-14T22:59:59.999Z', '2030-01-14'], // 23:59 in winter (UTC+1)
      ['2030-01-14T23:00:00.000Z', '2030-01-15'], // midnight
      ['2030-03-30T22:30:00.000Z', '2030-03-30'], // the night of the spring change, still winter
      ['2030-03-31T22:30:00.000Z', '2030-04-01'], // 00:30 in summer (UTC+2)
      ['2030-07-01T21:59:00.000Z', '2030-07-01'],
      ['2030-07-01T22:00:00.000Z', '2030-07-02'],
    ];
    for (let round = 0; round < 2; round++) {
      expect(cases.map(([instant]) => dayOf(new Date(instant)))).toEqual(cases.map(([, day]) => day));
    }
  });

  it('answers right past its limit (what it remembered forgotten)', () => {
    const dayOf = stockholmDays(2);
    const instants = ['2030-01-14T22:00:00Z', '2030-01-14T23:30:00Z', '2030-01-15T23:30:00Z', '2030-01-14T22:00:00Z'];
    expect(instants.map((i) => dayOf(new Date(i)))).toEqual(['2030-01-14', '2030-01-15', '2030-01-16', '2030-01-14']);
  });
});
