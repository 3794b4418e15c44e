import { Command } from 'commander';
import { STAGE_SV } from '../../domain/deliverable-state';
import { DeliverableAction } from '../operations/cycle-operations';
import { cliActor, parseBudgetYear, refusalLine, warnIfDeadlineMoves } from './output';
import { readDataFile } from '../data-files';
import { withOperations } from './temporal-connection';

type Field = 'documentRef' | 'decisionDate' | 'comment' | 'reason' | 'deadline' | 'content';

const FLAGS: Record<Field, { flag: string; description: string }> = {
  documentRef: {
    flag: '--document-ref <ref>',
    description: 'diarienummer eller dokumentreferens (document reference)',
  },
  decisionDate: { flag: '--decision-date <date>', description: 'nämndens beslutsdatum, YYYY-MM-DD (decision date)' },
  comment: { flag: '--comment <text>', description: 'kommentar (comment)' },
  reason: { flag: '--reason <text>', description: 'skäl (reason)' },
  deadline: { flag: '--deadline <date>', description: 'ny sista dag, YYYY-MM-DD (new deadline)' },
  content: {
    flag: '--content <file>',
    description: 'rapportens svar som YAML eller JSON, enligt fasens mall (content)',
  },
};

/** Each action with the fields its update takes (deliverableActionSchemas), the required first. */
const ACTIONS: Record<DeliverableAction, { description: string; fields: Field[]; required: Field[] }> = {
  submit: {
    description: 'Lämnar in leveransen (submit)',
    fields: ['documentRef', 'decisionDate', 'comment', 'content'],
    required: ['documentRef'],
  },
  approve: { description: 'Godkänner en inlämnad leverans (approve)', fields: ['comment'], required: [] },
  return: {
    description: 'Återremitterar för komplettering med ny sista dag (return for completion)',
    fields: ['reason', 'deadline'],
    required: ['reason', 'deadline'],
  },
  extend: {
    description: 'Ger nämnden längre tid (grant an extension)',
    fields: ['reason', 'deadline'],
    required: ['reason', 'deadline'],
  },
  exempt: { description: 'Undantar nämnden från leveransen (exempt)', fields: ['reason'], required: ['reason'] },
};

/** `deliverable submit|approve|return|extend|exempt YEAR PHASE BOARD`: one board's deliverable. */
export function addDeliverableCommands(program: Command): void {
  const deliverable = program.command('deliverable').description('En nämnds leverans (one board’s deliverable)');
  for (const [action, spec] of Object.entries(ACTIONS) as Array<
    [DeliverableAction, (typeof ACTIONS)[DeliverableAction]]
  >) {
    const command = deliverable
      .command(action)
      .description(spec.description)
      .argument('<year>', 'budgetår (budget year)')
      .argument('<phase>', 'fasens id (phase)')
      .argument('<board>', 'nämndens id (board)');
    for (const field of spec.fields) {
      const { flag, description } = FLAGS[field];
      command.option(flag, spec.required.includes(field) ? `${description}; krävs (required)` : description);
    }
    command.action((yearText: string, phaseId: string, boardId: string, options: Partial<Record<Field, string>>) => {
      const year = parseBudgetYear(yearText);
      // Only what was given: the operations layer's zod schema names a missing or bad field.
      const input: Record<string, unknown> = Object.fromEntries(
        spec.fields.filter((f) => options[f] !== undefined).map((f) => [f, options[f]]),
      );
      if (options.content) input.content = readDataFile(options.content);
      return withOperations(async (ops) => {
        const state = await ops.actOnDeliverable(year, phaseId, boardId, action, input, cliActor());
        for (const w of ('warnings' in state && state.warnings) || []) {
          process.stderr.write(refusalLine('varning', w));
        }
        if (options.deadline) warnIfDeadlineMoves('deadline', options.deadline);
        const deadline = options.deadline ? ` Ny sista dag: ${options.deadline}.` : '';
        process.stdout.write(
          `Leveransen ${phaseId}/${boardId} (${year}) är ${STAGE_SV[state.stage]} (${state.stage}).${deadline}\n`,
        );
      });
    });
  }
}

/** `lup dialogue BOARD --file FILE`, `lup status BOARD`: a district's programme across budget years. */
export function addLupCommands(program: Command): void {
  const lup = program.command('lup').description('Lokalt utvecklingsprogram (a district’s LUP)');
  lup
    .command('dialogue')
    .description('Registrerar en medborgardialog (record a citizen dialogue)')
    .argument('<board>', 'stadsdelsnämndens id (district board)')
    .requiredOption(
      '--file <file>',
      'dialogen, YAML eller JSON: id, need, question, forms, roomForInfluence, participants, heldOn, outcome, feedback',
    )
    .action((boardId: string, options: { file: string }) => {
      const dialogue = readDataFile(options.file);
      return withOperations(async (ops) => {
        const state = await ops.local.recordDialogue(boardId, dialogue, cliActor());
        const count = state.dialogues.length;
        process.stdout.write(
          `Dialogen är registrerad: ${boardId} har ${count} ${count === 1 ? 'medborgardialog' : 'medborgardialoger'}.\n`,
        );
      });
    });
  lup
    .command('register')
    .description('Registrerar ett program som nämnden antog före Årshjul (register a programme adopted before Årshjul)')
    .argument('<board>', 'stadsdelsnämndens id (district board)')
    .requiredOption(
      '--file <file>',
      'programmet, YAML eller JSON: decisionDate, reference, measures (id, title, ownerId, goal, indicators, cost, larger, priorityArea), period (from, to)',
    )
    .action((boardId: string, options: { file: string }) => {
      const registration = readDataFile(options.file);
      return withOperations(async (ops) => {
        const state = await ops.local.registerProgramme(boardId, registration, cliActor());
        const p = state.programme!;
        process.stdout.write(
          `Programmet är registrerat som gällande: ${boardId} program ${p.number}, antaget ${p.adoptedOn} (${p.reference}), ${p.measures.length} ${p.measures.length === 1 ? 'åtgärd' : 'åtgärder'}.\n`,
        );
      });
    });
  lup
    .command('status')
    .description('Visar en stadsdelsnämnds LUP (show a district’s LUP)')
    .argument('<board>', 'stadsdelsnämndens id (district board)')
    .action((boardId: string) =>
      withOperations(async (ops) => {
        const view = await ops.local.lupView(boardId);
        process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      }),
    );
}
