import { escapeHtml, oneLine, renderNotificationMail, renderReminderMail } from '../../src/activities/reminder-mail';
import { formatSwedishDateTime } from '../../src/domain/swedish-format';
import { mondayOf } from '../../src/activities/digest';
import { renderDigestMail } from '../../src/activities/digest-mail';
import type { DigestItem } from '../../src/db/digest-items';

describe('formatSwedishDateTime', () => {
  it('writes Stockholm local time in summer and in winter', () => {
    expect(formatSwedishDateTime(new Date('2027-04-30T13:00:00Z'))).toBe('fredag 30 april 2027 kl. 15:00');
    expect(formatSwedishDateTime(new Date('2027-01-04T07:00:00Z'))).toBe('måndag 4 januari 2027 kl. 08:00');
  });
});

describe('renderReminderMail', () => {
  const deadline = new Date('2027-04-30T13:00:00Z');

  it('names the board, the deliverable and the deadline in Swedish', () => {
    const mail = renderReminderMail({
      boardName: 'Farsta stadsdelsnämnd',
      phaseName: 'Budgetunderlag 2028',
      budgetYear: 2028,
      deadline,
    });
    expect(mail.subject).toBe(
      'Påminnelse: Budgetunderlag 2028 (budgetår 2028) ska lämnas senast fredag 30 april 2027 kl. 15:00',
    );
    expect(mail.text).toContain('Till Farsta stadsdelsnämnd');
    expect(mail.html).toContain('<strong>Budgetunderlag 2028</strong>');
  });

  it('keeps hostile names out of headers and markup', () => {
    const mail = renderReminderMail({
      boardName: 'Evil <script>alert(1)</script>\r\nBcc: all@example.se',
      phaseName: 'Plan\nX-Injected: yes',
      budgetYear: 2028,
      deadline,
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Plan X-Injected: yes');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });
});

describe('text helpers', () => {
  it('oneLine collapses control characters', () => {
    expect(oneLine(' a\r\n\tb\u2028c ')).toBe('a b c');
  });
  it('escapeHtml escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('renderNotificationMail', () => {
  const deadline = new Date('2027-05-28T21:59:00Z');

  it('tells a board why its submission was returned, with free text escaped and line breaks kept', () => {
    const mail = renderNotificationMail({
      kind: 'returned',
      boardName: 'Skärholmens stadsdelsnämnd',
      phaseName: 'Budgetunderlag 2028–2030',
      budgetYear: 2028,
      deadline,
      reason: 'Saknar <b>LUP</b>-åtgärder.\nSe bilaga & återkom.',
    });
    expect(mail.subject).toBe(
      'Återremitterad: Budgetunderlag 2028–2030 från Skärholmens stadsdelsnämnd — komplettera senast fredag 28 maj 2027 kl. 23:59',
    );
    expect(mail.text).toContain('Skäl: Saknar <b>LUP</b>-åtgärder.\nSe bilaga & återkom.');
    expect(mail.html).toContain('Skäl: Saknar &lt;b&gt;LUP&lt;/b&gt;-åtgärder.<br>Se bilaga &amp; återkom.');
  });

  it('names the escalation step and keeps names in non-Latin scripts intact', () => {
    const mail = renderNotificationMail({
      kind: 'escalation',
      level: 2,
      boardName: 'Нова рада 新董事会',
      phaseName: 'Tertialrapport 1',
      budgetYear: 2028,
      deadline,
    });
    expect(mail.subject).toBe('Försenad leverans: Tertialrapport 1 från Нова рада 新董事会 (eskalering steg 2)');
    expect(mail.html).toContain('Нова рада 新董事会 har inte lämnat in');
  });
});

describe('languages, the deadline day and links', () => {
  const deadline = new Date('2027-05-20T21:59:00Z');
  const base = { boardName: 'Farsta stadsdelsnämnd', phaseName: 'Tertialrapport 1', budgetYear: 2028, deadline };

  it('writes the deadline day’s mail in Swedish and English with the Stockholm time', () => {
    const sv = renderNotificationMail({ ...base, kind: 'deadline-day' });
    expect(sv.subject).toBe(
      'Sista dag i dag: Tertialrapport 1 (budgetår 2028) ska lämnas senast torsdag 20 maj 2027 kl. 23:59',
    );
    expect(sv.html).toContain('<html lang="sv">');
    const en = renderNotificationMail({ ...base, kind: 'deadline-day', language: 'en' });
    expect(en.subject).toBe(
      'Due today: Tertialrapport 1 (budget year 2028) is due by Thursday 20 May 2027, 23:59 Stockholm time',
    );
    expect(en.text).toContain('To Farsta stadsdelsnämnd');
    expect(en.text).toContain('Kind regards');
    expect(en.html).toContain('<html lang="en">');
  });

  it('has an English text for every kind of notification, none left in Swedish', () => {
    for (const kind of ['opening', 'reminder', 'deadline-day', 'escalation', 'returned', 'approved'] as const) {
      const mail = renderNotificationMail({ ...base, kind, language: 'en', reason: 'Missing annex' });
      expect(mail.subject).not.toMatch(/senast|Påminnelse|Godkänd|budgetår/);
      expect(mail.text).not.toMatch(/Med vänlig hälsning|Lämna in/);
    }
  });

  it('links to the board’s page, escaped in HTML', () => {
    const mail = renderNotificationMail({ ...base, kind: 'opening', link: 'https://arshjul.example/namnd/a?x=1&y=2' });
    expect(mail.text).toContain('Öppna i Årshjul: https://arshjul.example/namnd/a?x=1&y=2');
    expect(mail.html).toContain('https://arshjul.example/namnd/a?x=1&amp;y=2');
  });

  it('keeps a very long hostile name in one header line and escaped in HTML', () => {
    const name = `${'Å'.repeat(5000)}\r\nBcc: x@example.se <img src=x onerror=alert(1)>`;
    const mail = renderNotificationMail({ ...base, boardName: name, kind: 'escalation', language: 'en' });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('renderDigestMail', () => {
  const item = (over: Partial<DigestItem>): DigestItem => ({
    municipality: 'stockholm',
    budgetYear: 2027,
    phaseId: 'tertialrapport-1',
    phaseName: 'Tertialrapport 1',
    boardId: 'farsta',
    boardName: 'Farsta stadsdelsnämnd',
    stage: 'open',
    escalationLevel: 0,
    deadlineAt: new Date('2027-05-20T21:59:00Z'),
    ...over,
  });

  it('lists overdue items first, then upcoming ones, with their state', () => {
    const mail = renderDigestMail({
      language: 'sv',
      weekOf: '2027-05-24',
      overdue: [item({ stage: 'returned', escalationLevel: 2 })],
      upcoming: [item({ phaseName: 'Verksamhetsplan <2028>', deadlineAt: new Date('2027-06-01T21:59:00Z') })],
    });
    expect(mail.subject).toBe('Veckosammanställning: 2 leveranser att lämna, 1 försenade');
    expect(mail.text).toContain(
      'Försenade:\n- Farsta stadsdelsnämnd: Tertialrapport 1 (2027), sista dag var torsdag 20 maj 2027 kl. 23:59 — återremitterad, komplettera, eskalerad steg 2',
    );
    expect(mail.text).toContain(
      'Kommande:\n- Farsta stadsdelsnämnd: Verksamhetsplan <2028> (2027), senast tisdag 1 juni 2027',
    );
    expect(mail.html).toContain('Verksamhetsplan &lt;2028&gt;');
  });

  it('says one deliverable in the singular and leaves out an empty section', () => {
    const mail = renderDigestMail({ language: 'en', weekOf: '2027-05-17', overdue: [], upcoming: [item({})] });
    expect(mail.subject).toBe('Weekly digest: 1 deliverable to submit');
    expect(mail.text).not.toContain('Overdue');
  });
});

describe('mondayOf', () => {
  it('finds the Monday of the Stockholm week, not of the UTC one', () => {
    expect(mondayOf(new Date('2027-03-29T06:00:00Z'))).toBe('2027-03-29');
    expect(mondayOf(new Date('2027-04-04T21:30:00Z'))).toBe('2027-03-29'); // Sunday 23:30 in Stockholm
    expect(mondayOf(new Date('2027-04-04T22:30:00Z'))).toBe('2027-04-05'); // Monday 00:30 in Stockholm
  });
});
