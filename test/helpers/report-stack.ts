import { join } from 'node:path';
import type { HttpStackOptions } from './http-stack';

/** The small templates of the report tests (test/fixtures/templates), instead of the shipped ones. */
export const TEST_TEMPLATES_DIR = join(__dirname, '../fixtures/templates');

/**
 * A stack whose phase `rapport` names the fixture template `testrapport` (open day 1, deadline
 * day 40, every board), plus any other phases a test wants.
 */
export function reportStackOptions(more: HttpStackOptions['phases'] = () => []): HttpStackOptions {
  return {
    templatesDir: TEST_TEMPLATES_DIR,
    phases: (d) => [
      {
        id: 'rapport',
        kind: 'deliverable',
        name: 'Testrapport',
        opens: { date: d(1) },
        deadline: d(40),
        template: 'testrapport',
      },
      ...(more?.(d) ?? []),
    ],
  };
}

/** The report stack plus a phase `granskad` on the same template that SLK reviews (the review tests). */
export function reviewStackOptions(): HttpStackOptions {
  return reportStackOptions((d) => [
    {
      id: 'granskad',
      kind: 'deliverable',
      name: 'Granskad rapport',
      opens: { date: d(1) },
      deadline: d(40),
      template: 'testrapport',
      reviewRequired: true,
    },
  ]);
}

/**
 * The report stack plus a phase `arsrapport` on the same template that asks for a sign-off
 * (påskrift) before SLK reviews it, like the shipped verksamhetsberättelse (the sign-off tests).
 */
export function signOffStackOptions(): HttpStackOptions {
  return reportStackOptions((d) => [
    {
      id: 'arsrapport',
      kind: 'deliverable',
      name: 'Årsrapport',
      opens: { date: d(1) },
      deadline: d(40),
      template: 'testrapport',
      reviewRequired: true,
      signOff: true,
    },
  ]);
}
