import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  LUP_STAGE_SV,
  MEASURE_STATUS_SV,
  PARTICIPANT_GROUP_SV,
  PARTICIPANT_GROUPS,
  type LupState,
} from '../../../domain/lup-state';
import { findOrganisation, type Registry } from '../../../domain/organisations';
import type { Principal } from '../../../domain/principal';
import { actorOf } from '../auth';
import type { LupView } from '../../../workflows/lup-messages';
import {
  attempt,
  auditPageWrite,
  errorSummary,
  field,
  FormProblem,
  formValue,
  forbiddenPage,
  hidden,
  isSameOrigin,
  isSlug,
  mayOnBoard,
  notFoundPage,
  PageDeps,
  queryValue,
  requireUser,
  select,
  sendPage,
} from './common';
import { focusOfAnalysis } from '../../../domain/guideline-answers';
import { analysisFocusHtml, type LatestAnalysis } from './analysis-focus-view';
import { formatDate } from './format';
import { dialoguePartsHtml } from './service-view';
import { loadActorNames, type ActorNames } from '../../../db/actor-names';
import { html, SafeHtml } from './html';
import { page } from './layout';

/**
 * A district's local development programme across budget years, at `/namnd/:boardId/lup`: the
 * programme in force with its versions and measures, the citizen dialogues, and forms to record a
 * dialogue and to revise the programme. Loads its data, then renders.
 */

const DATE_HINT = 'Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-15.';
/** Each form's fields by the label it shows: the fields and the error summary name them alike. */
const DIALOGUE_LABELS: Readonly<Record<string, string>> = {
  id: 'Id',
  heldOn: 'Datum',
  need: 'Behov',
  question: 'Fråga',
  forms: 'Former',
  roomForInfluence: 'Utrymme för påverkan',
  ...PARTICIPANT_GROUP_SV,
  outcome: 'Resultat',
  feedback: 'Återkoppling till deltagarna',
};
const REVISION_LABELS: Readonly<Record<string, string>> = {
  on: 'Datum',
  reason: 'Varför programmet revideras',
  newId: 'Id',
  newTitle: 'Åtgärd',
  newOwnerId: 'Ansvarig nämnd eller bolag (id)',
  newGoal: 'Mål i kommunfullmäktiges budget (id)',
  newCost: 'Kostnad i kronor',
  endId: 'Avsluta en åtgärd',
};
const REGISTRATION_LABELS: Readonly<Record<string, string>> = {
  decisionDate: 'Nämndens beslutsdatum',
  reference: 'Diarienummer',
  measures: 'Åtgärder',
  periodFrom: 'Programmet gäller från',
  periodTo: 'Programmet gäller till och med',
};
const DIALOGUE_FIELDS = Object.keys(DIALOGUE_LABELS);
const REGISTRATION_FIELDS = Object.keys(REGISTRATION_LABELS);
const REVISION_FIELDS = Object.keys(REVISION_LABELS);
const NOTICES: Record<string, string> = {
  dialog: 'Medborgardialogen är registrerad.',
  revidering: 'Programmet är reviderat: en ny version gäller.',
  registrering: 'Programmet är registrerat som gällande.',
};

/** The form field a refusal's field belongs to (`participants.0.count` → the group's count field). */
function formFieldOf(form: string, field: string, values: Record<string, string>): string {
  if (form === 'dialog') {
    if (field.startsWith('forms')) return 'forms';
    const participant = /^participants\.(\d+)/.exec(field);
    if (participant) {
      const given = PARTICIPANT_GROUPS.filter((g) => (values[g] ?? '').trim() !== '');
      return given[Number(participant[1])] ?? PARTICIPANT_GROUPS[0];
    }
    if (field === 'participants') return PARTICIPANT_GROUPS[0];
  }
  if (form === 'revidering') {
    const added = /^add\.0\.(\w+)/.exec(field);
    if (added) return `new${added[1]![0]!.toUpperCase()}${added[1]!.slice(1)}`;
    if (field.startsWith('end') || field === 'add') return field === 'add' ? 'newId' : 'endId';
  }
  if (form === 'registrering') {
    if (field.startsWith('measures')) return 'measures';
    if (field === 'period.to') return 'periodTo';
    if (field.startsWith('period')) return 'periodFrom';
  }
  return field;
}

/** Which of the registration's measures a refusal is about (`measures.1.title` → the second line given). */
function atOf(form: string, field: string): string | undefined {
  const measure = form === 'registrering' ? /^measures\.(\d+)/.exec(field) : null;
  return measure ? `åtgärd ${Number(measure[1]) + 1}` : undefined;
}

/** The registration form's measures: one a line, `id: title`; blank lines skipped. */
function measuresOfLines(text: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const colon = line.indexOf(':');
      return colon < 0
        ? { id: line, title: '' }
        : { id: line.slice(0, colon).trim(), title: line.slice(colon + 1).trim() };
    });
}

function programmeHtml(view: LupView, registry: Registry | undefined): SafeHtml {
  const p = view.state.programme;
  const nameOf = (id: string) => (registry && findOrganisation(registry, id)?.name) ?? id;
  if (!p) {
    return html`<p>
      Inget program är antaget än. Programmet antas i budgetårets LUP-fas (programmet) med nämndens beslut. Ett program
      som nämnden antog innan staden började använda Årshjul registreras som gällande i formuläret nedan.
    </p>`;
  }
  return html`<dl class="facts">
      <dt>Program</dt>
      <dd>Nummer ${p.number}, antaget ${formatDate(p.adoptedOn)} (${p.reference})</dd>
      ${
        p.period
          ? html`<dt>Period</dt>
              <dd>${formatDate(p.period.from)} – ${formatDate(p.period.to)}</dd>`
          : ''
      }
      ${
        p.registered
          ? html`<dt>Registrerat</dt>
              <dd>Antaget före Årshjul, registrerat i efterhand ${formatDate(p.registered.on)}</dd>`
          : ''
      }
      <dt>Gällande version</dt>
      <dd>${p.versions.at(-1)!.version}</dd>
    </dl>
    <div class="table-wrap" role="region" aria-labelledby="versioner-rubrik" tabindex="0">
      <table>
        <caption id="versioner-rubrik">
          Versioner
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Datum</th>
            <th scope="col">Varför</th>
            <th scope="col">Tillagda</th>
            <th scope="col">Ändrade</th>
            <th scope="col">Avslutade</th>
          </tr>
        </thead>
        <tbody>
          ${p.versions.map(
            (v) =>
              html`<tr data-version="${v.version}">
                <th scope="row">${v.version}</th>
                <td>${formatDate(v.on)}</td>
                <td>${v.reason}</td>
                <td>${v.added.join(', ') || '–'}</td>
                <td>${v.changed.join(', ') || '–'}</td>
                <td>${v.ended.join(', ') || '–'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <div class="table-wrap" role="region" aria-labelledby="atgarder-rubrik" tabindex="0">
      <table>
        <caption id="atgarder-rubrik">
          Åtgärder
        </caption>
        <thead>
          <tr>
            <th scope="col">Åtgärd</th>
            <th scope="col">Ansvarig</th>
            <th scope="col">Mål</th>
            <th scope="col">Kostnad</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          ${p.measures.map(
            (m) =>
              html`<tr data-measure="${m.id}">
                <th scope="row">${m.title} <span class="hint">(${m.id})</span></th>
                <td>${nameOf(m.ownerId)}</td>
                <td>${m.goal ?? '–'}</td>
                <td>
                  ${m.cost !== undefined ? `${m.cost.toLocaleString('sv-SE')} kr` : '–'}${
                    m.larger ? ' (större åtgärd: kräver KF:s budget)' : ''
                  }
                </td>
                <td>
                  ${MEASURE_STATUS_SV[m.status]}
                  <span class="hint"
                    >${m.statusHistory.map((h) => `${MEASURE_STATUS_SV[h.status]} ${formatDate(h.on)}`).join(' → ')}</span
                  >
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

function dialoguesHtml(state: LupState, nameOf: (id: string) => string, names: ActorNames): SafeHtml {
  if (state.dialogues.length === 0) return html`<p>Inga medborgardialoger registrerade än.</p>`;
  return html`${state.dialogues.map(
    (d) =>
      html`<div class="panel dialogue" data-dialogue="${d.id}">
        <h3>Dialog <time datetime="${d.heldOn}">${formatDate(d.heldOn)}</time></h3>
        <dl class="facts">
          <dt>Behov</dt>
          <dd>${d.need}</dd>
          <dt>Fråga</dt>
          <dd>${d.question}</dd>
          <dt>Former</dt>
          <dd>${d.forms.join(', ')}</dd>
          <dt>Utrymme för påverkan</dt>
          <dd>${d.roomForInfluence}</dd>
          <dt>Deltagare</dt>
          <dd>${d.participants.map((p) => `${PARTICIPANT_GROUP_SV[p.group]}: ${p.count}`).join(', ')}</dd>
          <dt>Resultat</dt>
          <dd>${d.outcome ?? 'Inte angivet än'}</dd>
          <dt>Återkoppling till deltagarna</dt>
          <dd>${d.feedback ?? 'Inte angiven än'}</dd>
        </dl>
        ${dialoguePartsHtml(
          (d.parts ?? []).map((p) => ({ ...p, boardName: nameOf(p.boardId) })),
          names,
        )}
      </div>`,
  )}`;
}

interface PageState {
  principal: Principal;
  boardId: string;
  problem?: FormProblem;
  notice?: string;
}

async function sendProgrammePage(deps: PageDeps, reply: FastifyReply, status: number, s: PageState) {
  const [view, registry] = await Promise.all([
    deps.ops.local.lupView(s.boardId),
    deps.ops.registry().catch(() => undefined),
  ]);
  const boardName = (registry && findOrganisation(registry, s.boardId)?.name) ?? s.boardId;
  const nameOf = (id: string) => (registry && findOrganisation(registry, id)?.name) ?? id;
  const names = await loadActorNames(
    deps.pool,
    view.state.dialogues.flatMap((d) => (d.parts ?? []).map((p) => p.by)),
  );
  // The latest analysis (the highest budget year; a resubmission replaced its year's earlier one).
  const latest = [...view.state.analyses].sort((a, b) => a.budgetYear - b.budgetYear).at(-1);
  const analysis: LatestAnalysis | undefined = latest && {
    budgetYear: latest.budgetYear,
    ...focusOfAnalysis(latest.content),
  };
  // The goals are data per budget year: named as that year's cycle names them.
  const goals = latest ? ((await deps.ops.cycle(latest.budgetYear).catch(() => undefined))?.calendar.goals ?? []) : [];
  const goalName = (id: string) => goals.find((g) => g.id === id)?.name ?? id;
  const mayRecord = await mayOnBoard(deps.ops, s.principal, 'record-dialogue', s.boardId);
  const problem = s.problem;
  const measures = view.state.programme?.measures.filter((m) => m.status !== 'avslutad') ?? [];
  const labels: Record<string, Readonly<Record<string, string>>> = {
    dialog: DIALOGUE_LABELS,
    revidering: REVISION_LABELS,
    registrering: REGISTRATION_LABELS,
  };
  const f = (form: string, name: string, extra: Partial<Parameters<typeof field>[0]> = {}) =>
    field({ form, name, label: labels[form]![name]!, ...(problem && { problem }), ...extra });
  const body = html`<h1>Lokalt utvecklingsprogram — ${boardName}</h1>
    <p class="lead">${LUP_STAGE_SV[view.stage]}. Programmet gäller över budgetåren tills nämnden antar ett nytt.</p>
    ${s.notice ? html`<p class="notice" role="status">${s.notice}</p>` : ''}
    <h2>Programmet</h2>
    ${programmeHtml(view, registry)}
    <h2>Analysens fokus</h2>
    ${analysisFocusHtml(analysis, goalName, 'analys')}
    <h2>Medborgardialoger</h2>
    ${dialoguesHtml(view.state, nameOf, names)}
    ${
      mayRecord
        ? html`<h2 id="dialog-rubrik">Registrera en medborgardialog</h2>
            <form
              class="panel"
              method="post"
              action="/namnd/${s.boardId}/lup/dialog"
              novalidate
              aria-labelledby="dialog-rubrik"
            >
              ${errorSummary(problem, 'dialog', DIALOGUE_LABELS, 'Dialogen kunde inte registreras.')}
              ${f('dialog', 'id', { hint: 'Små bokstäver, siffror och bindestreck, till exempel torget-2027.', required: true, autocomplete: 'off' })}
              ${f('dialog', 'heldOn', { hint: DATE_HINT, inputmode: 'numeric', required: true, autocomplete: 'off' })}
              ${f('dialog', 'need', { kind: 'textarea', required: true })}
              ${f('dialog', 'question', { kind: 'textarea', required: true })}
              ${f('dialog', 'forms', { hint: 'Skilj formerna åt med kommatecken.', required: true })}
              ${f('dialog', 'roomForInfluence', { kind: 'textarea', required: true })}
              <fieldset>
                <legend>Deltagare per grupp (antal)</legend>
                ${PARTICIPANT_GROUPS.map((g) => f('dialog', g, { inputmode: 'numeric', autocomplete: 'off' }))}
              </fieldset>
              ${f('dialog', 'outcome', { kind: 'textarea' })} ${f('dialog', 'feedback', { kind: 'textarea' })}
              <button type="submit">Registrera dialogen</button>
            </form>`
        : ''
    }
    ${
      mayRecord && !view.state.programme && view.stage !== 'overlamnat'
        ? html`<h2 id="registrering-rubrik">Registrera ett program som nämnden antog före Årshjul</h2>
            <form
              class="panel"
              method="post"
              action="/namnd/${s.boardId}/lup/registrering"
              novalidate
              aria-labelledby="registrering-rubrik"
            >
              ${errorSummary(problem, 'registrering', REGISTRATION_LABELS, 'Programmet kunde inte registreras.')}
              <p>
                Programmet registreras som gällande så att det följs upp i tertialrapporterna och
                verksamhetsberättelsen. Dialogerna bakom det hölls före Årshjul och behöver inte registreras.
              </p>
              ${f('registrering', 'decisionDate', { hint: DATE_HINT, inputmode: 'numeric', required: true, autocomplete: 'off' })}
              ${f('registrering', 'reference', { hint: 'Till exempel SDN 2024/123.', required: true, autocomplete: 'off' })}
              ${f('registrering', 'measures', {
                kind: 'textarea',
                hint: 'En åtgärd per rad: ett id (små bokstäver, siffror och bindestreck), ett kolon och åtgärden, till exempel trygga-parker: Tryggare parker. Stadsdelsnämnden står som ansvarig; ändra det med en revidering.',
                required: true,
              })}
              <fieldset>
                <legend>Programmets period (om nämnden beslutade en)</legend>
                ${f('registrering', 'periodFrom', { hint: DATE_HINT, inputmode: 'numeric', autocomplete: 'off' })}
                ${f('registrering', 'periodTo', { hint: DATE_HINT, inputmode: 'numeric', autocomplete: 'off' })}
              </fieldset>
              <button type="submit">Registrera programmet</button>
            </form>`
        : ''
    }
    ${
      mayRecord && view.state.programme
        ? html`<h2 id="revidering-rubrik">Revidera programmet</h2>
            <form
              class="panel"
              method="post"
              action="/namnd/${s.boardId}/lup/revidering"
              novalidate
              aria-labelledby="revidering-rubrik"
            >
              ${errorSummary(problem, 'revidering', REVISION_LABELS, 'Programmet kunde inte revideras.')}
              ${hidden({ basedOnVersion: view.state.programme.versions.at(-1)!.version })}
              ${f('revidering', 'on', { hint: DATE_HINT, inputmode: 'numeric', required: true, autocomplete: 'off' })}
              ${f('revidering', 'reason', { kind: 'textarea', required: true })}
              <fieldset>
                <legend>Lägg till en åtgärd</legend>
                ${f('revidering', 'newId', { hint: 'Små bokstäver, siffror och bindestreck.', autocomplete: 'off' })}
                ${f('revidering', 'newTitle')}
                ${f('revidering', 'newOwnerId', { hint: `Stadsdelsnämnden själv: ${s.boardId}.`, value: s.boardId, autocomplete: 'off' })}
                ${f('revidering', 'newGoal', { autocomplete: 'off' })}
                ${f('revidering', 'newCost', { hint: 'En större åtgärd med kostnad ska med i budgetunderlaget.', inputmode: 'numeric', autocomplete: 'off' })}
              </fieldset>
              ${select({
                form: 'revidering',
                name: 'endId',
                label: REVISION_LABELS.endId!,
                options: [{ value: '', text: 'Ingen' }, ...measures.map((m) => ({ value: m.id, text: m.title }))],
                ...(problem && { problem }),
              })}
              <button type="submit">Revidera programmet</button>
            </form>`
        : ''
    }`;
  return sendPage(reply, status, page({ title: `LUP — ${boardName}`, principal: s.principal, current: 'namnd', body }));
}

const numberOrText = (text: string): number | string => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text);
const optional = <K extends string>(key: K, text: string) => (text.trim() === '' ? {} : { [key]: text });

const writes = [
  {
    path: 'dialog',
    fields: DIALOGUE_FIELDS,
    operation: 'lup-dialogue',
    run: (deps: PageDeps, boardId: string, v: Record<string, string>, actor: string) =>
      deps.ops.local.recordDialogue(
        boardId,
        {
          id: v.id,
          heldOn: v.heldOn,
          need: v.need,
          question: v.question,
          forms: (v.forms ?? '')
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
          roomForInfluence: v.roomForInfluence,
          participants: PARTICIPANT_GROUPS.filter((g) => (v[g] ?? '').trim() !== '').map((g) => ({
            group: g,
            count: numberOrText(v[g]!),
          })),
          ...optional('outcome', v.outcome ?? ''),
          ...optional('feedback', v.feedback ?? ''),
        },
        actor,
      ),
  },
  {
    path: 'revidering',
    fields: [...REVISION_FIELDS, 'basedOnVersion'],
    operation: 'lup-revision',
    run: (deps: PageDeps, boardId: string, v: Record<string, string>, actor: string) =>
      deps.ops.local.reviseProgramme(
        boardId,
        {
          ...((v.basedOnVersion ?? '') !== '' && { basedOnVersion: numberOrText(v.basedOnVersion!) }),
          on: v.on,
          reason: v.reason,
          add:
            (v.newId ?? '').trim() === ''
              ? []
              : [
                  {
                    id: v.newId,
                    title: v.newTitle,
                    ownerId: v.newOwnerId,
                    ...optional('goal', v.newGoal ?? ''),
                    ...((v.newCost ?? '').trim() !== '' && { cost: numberOrText(v.newCost!) }),
                    larger: (v.newCost ?? '').trim() !== '',
                  },
                ],
          end: (v.endId ?? '') === '' ? [] : [v.endId],
        },
        actor,
      ),
  },
  {
    path: 'registrering',
    fields: REGISTRATION_FIELDS,
    operation: 'lup-register',
    run: (deps: PageDeps, boardId: string, v: Record<string, string>, actor: string) =>
      deps.ops.local.registerProgramme(
        boardId,
        {
          decisionDate: v.decisionDate,
          reference: v.reference,
          measures: measuresOfLines(v.measures ?? '').map((m) => ({ ...m, ownerId: boardId })),
          // Either end given asks for a period: the one left out is named as missing.
          ...(((v.periodFrom ?? '').trim() !== '' || (v.periodTo ?? '').trim() !== '') && {
            period: { from: (v.periodFrom ?? '').trim(), to: (v.periodTo ?? '').trim() },
          }),
        },
        actor,
      ),
  },
] as const;

async function isDistrict(deps: PageDeps, boardId: string): Promise<boolean> {
  const registry = await deps.ops.registry().catch(() => undefined);
  return registry !== undefined && findOrganisation(registry, boardId)?.kind === 'stadsdelsnamnd';
}

export function registerProgrammePage(app: FastifyInstance, deps: PageDeps): void {
  app.get('/namnd/:boardId/lup', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    const { boardId } = request.params as { boardId: string };
    if (!isSlug(boardId) || !(await mayOnBoard(deps.ops, principal, 'read-board', boardId))) {
      return notFoundPage(reply, principal);
    }
    if (!(await isDistrict(deps, boardId))) return notFoundPage(reply, principal);
    const notice = NOTICES[queryValue(request.query, 'klart')];
    return sendProgrammePage(deps, reply, 200, { principal, boardId, ...(notice && { notice }) });
  });

  for (const write of writes) {
    app.post(`/namnd/:boardId/lup/${write.path}`, async (request, reply) => {
      const principal = requireUser(request, reply);
      if (!principal) return reply;
      if (!isSameOrigin(request, deps.publicUrl)) {
        return forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats');
      }
      const { boardId } = request.params as { boardId: string };
      if (!isSlug(boardId) || !(await mayOnBoard(deps.ops, principal, 'read-board', boardId))) {
        return notFoundPage(reply, principal);
      }
      if (!(await mayOnBoard(deps.ops, principal, 'record-dialogue', boardId))) {
        return forbiddenPage(reply, principal, 'att registrera i stadsdelsnämndens LUP');
      }
      // Only a district keeps a programme: anything else is the same 404 as a board that does not exist.
      if (!(await isDistrict(deps, boardId))) return notFoundPage(reply, principal);
      const values = Object.fromEntries(write.fields.map((name) => [name, formValue(request.body, name)]));
      const result = await attempt(write.path, values, () => write.run(deps, boardId, values, actorOf(principal)));
      await auditPageWrite(
        deps,
        principal,
        write.operation,
        `lup/${deps.ops.municipality}/${boardId}`,
        result.ok
          ? { outcome: 'accepted', body: values }
          : { outcome: 'refused', status: result.status, field: result.problem.field, code: result.problem.code },
      );
      if (result.ok) return reply.redirect(`/namnd/${boardId}/lup?klart=${write.path}`, 303);
      if (result.status === 404 && result.problem.field === 'board') return notFoundPage(reply, principal);
      const at = atOf(write.path, result.problem.field);
      const problem = {
        ...result.problem,
        field: formFieldOf(write.path, result.problem.field, values),
        ...(at && { at }),
      };
      return sendProgrammePage(deps, reply, result.status === 404 ? 400 : result.status, {
        principal,
        boardId,
        problem,
      });
    });
  }
}
