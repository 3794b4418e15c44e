import PDFDocument from 'pdfkit';
import { cellOf, flattenAnswers } from './answer-table';
import type { PrintedSection } from './template-answers';

export interface PrintableReport {
  phaseName: string;
  boardName: string;
  budgetYear: number;
  status: string;
  deadline: string;
  submitted?: { at: string; by: string; documentRef: string | null; decisionDate: string | null };
  content: Record<string, unknown> | null;
  /** The answers in the template's structure; absent: the content's keys as they are. */
  sections?: PrintedSection[];
  attachments: Array<{ name: string; size: number }>;
  printedAt: string;
}

/**
 * One board's report as an A4 PDF (pdfkit) a person can print and file: the board, the phase and
 * its status, then every answer under its name, lists of records as numbered items, and the
 * attachments listed. The standard Helvetica fonts carry Swedish letters (WinAnsi encoding).
 */
export function reportPdf(report: PrintableReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: {
      Title: `${report.phaseName} — ${report.boardName}`,
      Author: 'Årshjul',
      Subject: `Budgetår ${report.budgetYear}`,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).text(report.phaseName);
  doc.font('Helvetica').fontSize(13).text(report.boardName);
  doc.moveDown(0.5).fontSize(10);
  const fact = (label: string, value: string) => {
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  };
  fact('Budgetår', String(report.budgetYear));
  fact('Status', report.status);
  fact('Sista dag', report.deadline);
  if (report.submitted) {
    fact('Inlämnad', `${report.submitted.at} av ${report.submitted.by}`);
    if (report.submitted.documentRef) fact('Diarienummer', report.submitted.documentRef);
    if (report.submitted.decisionDate) fact('Nämndens beslut', report.submitted.decisionDate);
  }

  doc.moveDown().font('Helvetica-Bold').fontSize(14).text('Svar');
  doc.fontSize(10);
  if (report.sections && report.content) {
    for (const section of report.sections) {
      doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).text(section.title).fontSize(10);
      for (const entry of section.entries) {
        doc.moveDown(0.3).font('Helvetica-Bold').text(entry.label);
        if ('text' in entry) {
          doc.font('Helvetica').text(entry.text);
        } else if (entry.rows.length === 0) {
          doc.font('Helvetica').text('—');
        } else {
          entry.rows.forEach((row, i) => {
            const cells = row.map((cell, c) => `${entry.columns[c]}: ${cell}`).join(' · ');
            doc.font('Helvetica').text(`${i + 1}. ${cells}`, { indent: 12 });
          });
        }
      }
    }
  }
  const answers = report.sections && report.content ? [] : flattenAnswers(report.content ?? {});
  if (!report.content || (!report.sections && answers.length === 0))
    doc.font('Helvetica').text('Inga svar är lämnade.');
  for (const [key, value] of answers) {
    doc.moveDown(0.4).font('Helvetica-Bold').text(key);
    if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null)) {
      value.forEach((item, i) => {
        const fields = typeof item === 'object' && item !== null ? flattenAnswers(item as Record<string, unknown>) : [];
        doc
          .font('Helvetica')
          .text(`${i + 1}. ${fields.map(([k, v]) => `${k}: ${String(cellOf(v) ?? '')}`).join(' · ')}`, {
            indent: 12,
          });
      });
    } else {
      doc.font('Helvetica').text(String(cellOf(value) ?? '—'));
    }
  }

  doc.moveDown().font('Helvetica-Bold').fontSize(14).text('Bilagor');
  doc.fontSize(10).font('Helvetica');
  if (report.attachments.length === 0) doc.text('Inga bilagor.');
  for (const a of report.attachments) doc.text(`${a.name} (${Math.ceil(a.size / 1024)} kB)`);

  doc.moveDown(2).fontSize(8).fillColor('#555').text(`Utskriven ${report.printedAt} från Årshjul.`);
  doc.end();
  return done;
}
