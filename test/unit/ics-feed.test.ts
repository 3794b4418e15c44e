import ICAL from 'ical.js';
import { FEED_PRODUCT_ID, FeedEvent, renderCalendarFeed } from '../../src/domain/ics-feed';
import { localDateOf, localTimeOf } from '../../src/domain/zoned-time';

const STOCKHOLM = 'Europe/Stockholm';

const events: FeedEvent[] = [
  {
    uid: 'budgetunderlag-2028@arshjul',
    title: 'Budgetunderlag 2028 — Spånga-Tensta stadsdelsnämnd',
    description: 'Nämndens beslut i april.\nLämnas in senast kl. 23:59.',
    start: '2027-04-15T23:59:00+02:00',
    url: 'https://arshjul.example.se/leveranser/budgetunderlag-2028',
    categories: ['Leverans', 'Budget, flerår'],
  },
  {
    uid: 'verksamhetsplan-2028@arshjul',
    title: 'Verksamhetsplan 2028',
    start: '2027-11-30T23:59:00+01:00',
  },
  {
    uid: 'kf-budget-2028@arshjul',
    title: 'KF fastställer budget 2028',
    start: '2027-11-22T00:00:00+01:00',
    allDay: '2027-11-22',
  },
  {
    uid: 'genomgang@arshjul',
    title: 'Genomgång med SLK',
    start: '2027-05-03T09:00:00+02:00',
    durationMinutes: 90,
  },
];

function parse(feed: string): { calendar: ICAL.Component; events: Map<string, ICAL.Event> } {
  const calendar = new ICAL.Component(ICAL.parse(feed));
  const parsed = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
  return { calendar, events: new Map(parsed.map((e) => [e.uid, e])) };
}

function event(parsed: ReturnType<typeof parse>, uid: string): ICAL.Event {
  const found = parsed.events.get(uid);
  if (!found) throw new Error(`no event ${uid}`);
  return found;
}

describe('renderCalendarFeed', () => {
  const feed = renderCalendarFeed({ name: 'Årshjul — Spånga-Tensta', description: 'Frister och beslut', events });
  const parsed = parse(feed);

  it('is a published calendar with our product id and name', () => {
    expect(parsed.calendar.name).toBe('vcalendar');
    expect(parsed.calendar.getFirstPropertyValue('prodid')).toBe(FEED_PRODUCT_ID);
    expect(parsed.calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(parsed.calendar.getFirstPropertyValue('x-wr-calname')).toBe('Årshjul — Spånga-Tensta');
    expect(parsed.calendar.getFirstPropertyValue('x-wr-caldesc')).toBe('Frister och beslut');
  });

  it('has every event once, under its UID', () => {
    expect(parsed.calendar.getAllSubcomponents('vevent')).toHaveLength(events.length);
    expect([...parsed.events.keys()].sort()).toEqual(events.map((e) => e.uid).sort());
  });

  it('writes a summer deadline in UTC that Stockholm shows at 23:59 (+02:00)', () => {
    expect(feed).toContain('DTSTART:20270415T215900Z');
    const start = event(parsed, 'budgetunderlag-2028@arshjul').startDate;
    expect(start.isDate).toBe(false);
    expect(start.zone).toBe(ICAL.Timezone.utcTimezone);
    const instant = start.toJSDate();
    expect(instant.toISOString()).toBe('2027-04-15T21:59:00.000Z');
    expect(localDateOf(instant, STOCKHOLM)).toBe('2027-04-15');
    expect(localTimeOf(instant, STOCKHOLM)).toBe('23:59');
  });

  it('writes a winter deadline in UTC that Stockholm shows at 23:59 (+01:00)', () => {
    expect(feed).toContain('DTSTART:20271130T225900Z');
    const instant = event(parsed, 'verksamhetsplan-2028@arshjul').startDate.toJSDate();
    expect(instant.toISOString()).toBe('2027-11-30T22:59:00.000Z');
    expect(localTimeOf(instant, STOCKHOLM)).toBe('23:59');
  });

  it('makes a deadline a point in time and gives a meeting its length', () => {
    const deadline = event(parsed, 'verksamhetsplan-2028@arshjul');
    expect(deadline.endDate.compare(deadline.startDate)).toBe(0);
    const meeting = event(parsed, 'genomgang@arshjul');
    expect(meeting.startDate.toJSDate().toISOString()).toBe('2027-05-03T07:00:00.000Z');
    expect(meeting.duration.toSeconds()).toBe(90 * 60);
  });

  it('writes a milestone as an all-day DATE event', () => {
    expect(feed).toContain('DTSTART;VALUE=DATE:20271122');
    const milestone = event(parsed, 'kf-budget-2028@arshjul');
    expect(milestone.startDate.isDate).toBe(true);
    expect(milestone.startDate.toString()).toBe('2027-11-22');
    expect(milestone.endDate.toString()).toBe('2027-11-23');
  });

  it('keeps description line breaks, URL and categories (commas included)', () => {
    const first = event(parsed, 'budgetunderlag-2028@arshjul');
    expect(first.description).toBe('Nämndens beslut i april.\nLämnas in senast kl. 23:59.');
    expect(first.component.getFirstPropertyValue('url')).toBe(events[0]!.url);
    expect(first.component.getFirstProperty('categories')?.getValues()).toEqual(['Leverans', 'Budget, flerår']);
  });

  it('is deterministic: DTSTAMP comes from generatedAt, else the epoch, never the clock', () => {
    expect(renderCalendarFeed({ name: 'x', events })).toBe(renderCalendarFeed({ name: 'x', events }));
    const stamps = (text: string) => text.match(/^DTSTAMP:.*$/gm);
    expect(new Set(stamps(feed))).toEqual(new Set(['DTSTAMP:19700101T000000Z']));
    const generated = renderCalendarFeed({ name: 'x', events, generatedAt: new Date('2027-01-10T08:30:00Z') });
    expect(new Set(stamps(generated))).toEqual(new Set(['DTSTAMP:20270110T083000Z']));
  });

  it('keeps a hostile or non-Latin title inside one SUMMARY value', () => {
    const title = 'Budget ÅÄÖ åäö 中文\r\nX-Evil: 1\rX-Evil: 2\nEND:VEVENT\u0000\u000b;,\\';
    const text = renderCalendarFeed({
      name: 'Namn\r\nX-Evil: 3',
      events: [
        { uid: 'hostile@arshjul', title, description: 'rad 1\r\nX-Evil: 4', start: '2027-04-15T23:59:00+02:00' },
      ],
    });
    // Every physical line is a property, a component boundary or a folded continuation.
    expect(text.split('\r\n').filter((l) => /^X-EVIL/i.test(l))).toEqual([]);
    expect(text.split('\r\n').filter((l) => l === 'END:VEVENT')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f]/);

    const { calendar, events: byUid } = parse(text);
    const hostile = event({ calendar, events: byUid }, 'hostile@arshjul');
    expect(hostile.component.getAllProperties().map((p) => p.name)).toEqual([
      'uid',
      'summary',
      'dtstamp',
      'dtstart',
      'description',
    ]);
    expect(hostile.component.getAllProperties('summary')).toHaveLength(1);
    expect(hostile.summary).toBe('Budget ÅÄÖ åäö 中文 X-Evil: 1 X-Evil: 2 END:VEVENT  ;,\\');
    expect(hostile.description).toBe('rad 1\nX-Evil: 4');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Namn X-Evil: 3');
    expect(calendar.getAllProperties().map((p) => p.name)).not.toContain('x-evil');
  });

  it('folds long lines at 75 octets without splitting a character', () => {
    const title = `${'Återrapportering av lokala utvecklingsprogram '.repeat(3)}${'中文'.repeat(40)}`;
    const text = renderCalendarFeed({
      name: 'x',
      events: [{ uid: 'long@arshjul', title, start: '2027-01-01T12:00Z' }],
    });
    const lines = text.split('\r\n');
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l, 'utf8')))).toBeLessThanOrEqual(75);
    expect(text).not.toContain('\uFFFD');
    expect(event(parse(text), 'long@arshjul').summary).toBe(title);
  });

  it('renders an empty calendar', () => {
    const empty = parse(renderCalendarFeed({ name: 'Tomt', events: [] }));
    expect(empty.events.size).toBe(0);
    expect(empty.calendar.getFirstPropertyValue('x-wr-calname')).toBe('Tomt');
  });

  it('refuses input it cannot write faithfully, with a clear message', () => {
    const base = { uid: 'u@arshjul', title: 't', start: '2027-04-15T23:59:00+02:00' };
    const render = (e: Partial<FeedEvent>) => () => renderCalendarFeed({ name: 'x', events: [{ ...base, ...e }] });
    expect(render({ start: '2027-04-15T23:59:00' })).toThrow(/start must be an ISO instant with an offset/);
    expect(render({ allDay: '2027-02-30' })).toThrow(/allDay is not a date/);
    expect(render({ uid: 'med mellanslag' })).toThrow(/UID must be printable ASCII/);
    expect(render({ durationMinutes: -5 })).toThrow(/durationMinutes/);
    expect(render({ url: 'javascript:alert(1)' })).toThrow(/url must be an http\(s\) URL/);
    expect(() => renderCalendarFeed({ name: 'x', events: [base, base] })).toThrow(/duplicate UID/);
    expect(() => renderCalendarFeed({ name: ' \r\n', events: [] })).toThrow(/needs a name/);
  });

  it('passes on an error from the ics library as an Error', () => {
    // A URL our own check lets through but the library's stricter pattern does not.
    const render = () =>
      renderCalendarFeed({
        name: 'x',
        events: [{ uid: 'u@arshjul', title: 't', start: '2027-04-15T23:59:00+02:00', url: 'https://_' }],
      });
    expect(render).toThrow(Error);
    expect(render).toThrow(/^calendar feed could not be rendered: url must match/);
  });
});
