import PDFDocument from 'pdfkit';
import { FOLLOW_UP_STATUS_SV } from '../../domain/guideline-answers';
import {
  KF_OUTCOME_SV,
  STEP_STATE_SV,
  TRACE_GAP_SV,
  TRACE_STEP_SV,
  TraceGap,
  TraceStepResult,
} from '../../domain/lup-trace';
import type { LupTrace } from '../operations/lup-trace';

const kronor = (amount: number): string => `${amount.toLocaleString('sv-SE')} kr`;

/** What the step shows besides its state: the cost asked for, the decision, the follow-up's status. */
function detailOf(step: TraceStepResult): string | undefined {
  if (step.cost !== undefined) return `Kostnad: ${step.cost.toLocaleString('sv-SE')} tkr`;
  if (step.decision)
    return [
      KF_OUTCOME_SV[step.decision.outcome],
      step.decision.reference,
      ...(step.decision.amount !== undefined ? [kronor(step.decision.amount)] : []),
    ].join(', ');
  if (step.followUpStatus) return `Läge: ${FOLLOW_UP_STATUS_SV[step.followUpStatus] ?? step.followUpStatus}`;
  return undefined;
}

/**
 * The trace of larger LUP measures as an A4 PDF (pdfkit) for the committee's papers: the budget
 * year and the day it was made at the top, then per district each measure with its five steps,
 * each step's state in words and, where it is not done, what is missing. `scope` is the city
 * or the one district the trace was read for. Standard Helvetica carries å, ä and ö (WinAnsi).
 */
export function lupTracePdf(trace: LupTrace, options: { scope: string; printedAt: string }): Promise<Buffer> {
  const title = `Spårning av större LUP-åtgärder budgetår ${trace.budgetYear}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `${title} — ${options.scope}`, Author: 'Årshjul', Subject: `Budgetår ${trace.budgetYear}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).text(title);
  doc.font('Helvetica').fontSize(13).text(options.scope);
  doc.moveDown(0.5).fontSize(10);
  const fact = (label: string, value: string) => {
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  };
  fact('Budgetår', String(trace.budgetYear));
  fact('Framtagen', options.printedAt);
  doc
    .moveDown(0.5)
    .font('Helvetica')
    .text(
      'Varje steg är Klar, Saknas (tiden har gått ut) eller Inte aktuell än, med det som fattas där steget inte är klart.',
    );

  if (trace.districts.length === 0) {
    doc.moveDown().text('Inga stadsdelsnämnder har större åtgärder i ett lokalt utvecklingsprogram som gäller.');
  }
  for (const district of trace.districts) {
    doc.moveDown().font('Helvetica-Bold').fontSize(14).text(district.boardName);
    for (const measure of district.measures) {
      doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).text(measure.title);
      doc.fontSize(10);
      fact('Ansvarig nämnd', measure.ownerName);
      if (measure.cost !== undefined) fact('Beräknad kostnad', kronor(measure.cost));
      for (const step of measure.steps) {
        const due = step.due ? ` (senast ${step.due})` : '';
        const detail = detailOf(step);
        doc
          .moveDown(0.2)
          .font('Helvetica-Bold')
          .text(`${TRACE_STEP_SV[step.step]}${due}: `, { indent: 12, continued: true })
          .font('Helvetica')
          .text(`${STEP_STATE_SV[step.state]}${detail ? ` — ${detail}` : ''}`);
        // What is missing is named only where the step is not done, as on the page.
        if (step.state !== 'klar') {
          for (const gap of step.gaps) doc.text(`Fattas: ${TRACE_GAP_SV[gap as TraceGap] ?? gap}`, { indent: 24 });
        }
      }
    }
  }

  doc.moveDown(2).fontSize(8).fillColor('#555').text(`Framtagen ${options.printedAt} från Årshjul.`);
  doc.end();
  return done;
}
