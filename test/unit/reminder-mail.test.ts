import { escapeHtml, oneLine, renderNotificationMail, renderReminderMail } from '../../src/activities/reminder-mail';
import { formatSwedishDateTime } from '../../src/domain/swedish-format';

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
