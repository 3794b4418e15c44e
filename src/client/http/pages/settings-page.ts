import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findOrganisation } from '../../../domain/organisations';
import { MAX_STAND_INS } from '../../../domain/person-settings';
import type { Principal } from '../../../domain/principal';
import { OperationError } from '../../operations/operation-error';
import {
  createPersonSettingsOperations,
  PersonSettingsOperations,
  PersonSettingsView,
} from '../../operations/person-settings';
import {
  attempt,
  describeFormProblem,
  field,
  fieldId,
  forbiddenPage,
  FormProblem,
  formValue,
  hidden,
  isSameOrigin,
  PageDeps,
  queryValue,
  requireUser,
  select,
  sendPage,
} from './common';
import { describeProblem, formatDate } from './format';
import { html, SafeHtml } from './html';
import { messagePage, page } from './layout';

/**
 * A person's own page (issue 13, self-service): the language of their mails, a weekly digest
 * instead of single reminders, which of their boards' mails they get, and stand-ins for periods.
 * The same operations as GET/PUT /api/me/settings. Works without scripts: the form posts, a
 * refusal comes back with the error beside its field and in a summary above the form.
 */
export const SETTINGS_PATH = '/mina-installningar';
const FORM = 'installningar';

interface PageData {
  settings: PersonSettingsView;
  boardNames: Map<string, string>;
}

/** One stand-in row as the form holds it (the posted values after a refusal). */
interface StandInRow {
  email: string;
  from: string;
  to: string;
}

/** The settings' form from a post: rows left empty are dropped, `rowOf` maps back to the form. */
function inputFromForm(body: unknown): { input: Record<string, unknown>; rowOf: number[]; rows: StandInRow[] } {
  // Every row the form had (an empty one too), so a refusal shows the form as it was posted.
  const rows: StandInRow[] = [];
  const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  for (let i = 0; i < MAX_STAND_INS + 1 && `standIns.${i}.email` in fields; i++) {
    rows.push({
      email: formValue(body, `standIns.${i}.email`).trim(),
      from: formValue(body, `standIns.${i}.from`).trim(),
      to: formValue(body, `standIns.${i}.to`).trim(),
    });
  }
  const rowOf: number[] = [];
  const standIns = rows.flatMap((row, i) => {
    if (!row.email && !row.from && !row.to) return [];
    rowOf.push(i);
    return [row];
  });
  const boards = (body as Record<string, unknown> | undefined)?.mailBoards;
  const mailBoards = (Array.isArray(boards) ? boards : boards === undefined ? [] : [boards]).map(String);
  const version = formValue(body, 'version');
  return {
    input: {
      version: /^\d+$/.test(version) ? Number(version) : version,
      language: formValue(body, 'language'),
      weeklyDigest: formValue(body, 'weeklyDigest') === 'on',
      mailBoards,
      standIns,
    },
    rowOf,
    rows,
  };
}

/** A refusal's field as the form names it: the stand-in's row in the form, not in the input. */
function formField(field: string, rowOf: readonly number[]): string {
  const match = /^standIns\.(\d+)\.(.+)$/.exec(field);
  if (!match) return field.startsWith('mailBoards') ? 'mailBoards' : field;
  return `standIns.${rowOf[Number(match[1])] ?? match[1]}.${match[2]}`;
}

function standInFields(index: number, row: StandInRow, problem: FormProblem | undefined): SafeHtml {
  const common = { form: FORM, ...(problem && { problem }) };
  const dateHint = 'ÅÅÅÅ-MM-DD';
  return html`<fieldset class="stand-in">
    <legend>Ersättare ${index + 1}</legend>
    ${field({
      ...common,
      name: `standIns.${index}.email`,
      label: 'Ersättarens e-postadress',
      hint: 'Ersättaren måste ha loggat in i Årshjul minst en gång. Töm raden för att ta bort ersättaren.',
      value: row.email,
      autocomplete: 'off',
      inputmode: 'email',
    })}
    ${field({ ...common, name: `standIns.${index}.from`, label: 'Första dag', hint: dateHint, value: row.from })}
    ${field({ ...common, name: `standIns.${index}.to`, label: 'Sista dag', hint: dateHint, value: row.to })}
  </fieldset>`;
}

function mailBoardsField(data: PageData, problem: FormProblem | undefined, posted?: string[]): SafeHtml {
  const id = fieldId(FORM, 'mailBoards');
  const mine = problem?.form === FORM && problem.field === 'mailBoards';
  if (data.settings.boards.length === 0) {
    return html`<p>Du har ingen roll vid någon nämnd, så det finns inga nämnders utskick att välja.</p>`;
  }
  return html`<fieldset
    id="${id}"
    class="field${mine ? ' field-error' : ''}"
    ${mine ? html` aria-describedby="${id}-error"` : ''}
  >
    <legend>Nämnder du får utskick om</legend>
    <span class="hint">Påminnelser och eskaleringar för de nämnder där du har en roll.</span>
    ${mine ? html`<span class="error-message" id="${id}-error">${describeFormProblem(problem)}</span>` : ''}
    ${data.settings.boards.map((b) => {
      const checked = posted ? posted.includes(b.boardId) : b.mailed;
      const boxId = `${id}-${b.boardId}`;
      return html`<div class="checkbox">
        <input type="checkbox" id="${boxId}" name="mailBoards" value="${b.boardId}" ${checked ? html` checked` : ''} />
        <label for="${boxId}">${data.boardNames.get(b.boardId) ?? b.boardId}</label>
      </div>`;
    })}
  </fieldset>`;
}

function settingsBody(
  data: PageData,
  notice?: string,
  problem?: FormProblem,
  posted?: ReturnType<typeof inputFromForm>,
) {
  const s = data.settings;
  const mine = problem?.form === FORM ? problem : undefined;
  const rows: StandInRow[] = posted
    ? posted.rows
    : s.standIns.map((x) => ({ email: x.email ?? '', from: x.from, to: x.to }));
  if (rows.length < MAX_STAND_INS) rows.push({ email: '', from: '', to: '' });
  const digest = mine ? mine.values.weeklyDigest === 'on' : s.weeklyDigest;
  const visible =
    mine && (mine.field === 'mailBoards' || mine.field === 'language' || mine.field.startsWith('standIns.'));
  const summaryTarget = visible ? fieldId(FORM, mine.field) : undefined;
  return html`<h1>Mina inställningar</h1>
    ${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
    ${
      mine
        ? html`<div class="error-summary" role="alert">
            <p><strong>Inställningarna sparades inte.</strong></p>
            <p>
              ${summaryTarget ? html`<a href="#${summaryTarget}">${describeFormProblem(mine)}</a>` : describeFormProblem(mine)}
            </p>
          </div>`
        : ''
    }
    ${
      s.standIns.length > 0
        ? html`<p>
            Dina ersättare:
            ${s.standIns.map(
              (x, i) =>
                html`${i > 0 ? '; ' : ''}${x.email ?? 'borttagen person'} ${formatDate(x.from)}–${formatDate(x.to)}`,
            )}.
          </p>`
        : ''
    }
    ${
      s.standingInFor.length > 0
        ? html`<p>
            Du är ersättare för
            ${s.standingInFor.map(
              (x, i) =>
                html`${i > 0 ? '; ' : ''}${x.email ?? 'en borttagen person'} ${formatDate(x.from)}–${formatDate(x.to)}`,
            )}.
          </p>`
        : ''
    }
    <form method="post" action="${SETTINGS_PATH}" novalidate>
      ${hidden({ version: mine?.values.version ?? s.version })}
      <h2>Utskick</h2>
      ${select({
        form: FORM,
        name: 'language',
        label: 'Språk i utskicken',
        options: [
          { value: 'sv', text: 'Svenska' },
          { value: 'en', text: 'Engelska (English)' },
        ],
        value: s.language,
        ...(mine && { problem: mine }),
      })}
      <div class="field checkbox">
        <input
          type="checkbox"
          id="${fieldId(FORM, 'weeklyDigest')}"
          name="weeklyDigest"
          value="on"
          ${digest ? html` checked` : ''}
        />
        <label for="${fieldId(FORM, 'weeklyDigest')}"
          >Veckosammanställning på måndagar i stället för enstaka påminnelser</label
        >
      </div>
      ${mailBoardsField(data, mine, posted?.input.mailBoards as string[] | undefined)}
      <h2>Ersättare</h2>
      <p>
        Under perioden har ersättaren dina roller vid nämnderna och får dina utskick. Perioderna gäller hela dagar,
        första och sista dagen inräknade, och får inte överlappa varandra.
      </p>
      ${rows.map((row, i) => standInFields(i, row, mine))}
      <button type="submit">Spara inställningarna</button>
    </form>`;
}

async function loadPage(deps: PageDeps, ops: PersonSettingsOperations, principal: Principal): Promise<PageData> {
  const settings = await ops.read(principal);
  const registry = (await deps.ops.snapshot()).registry;
  const boardNames = new Map(
    settings.boards.map((b) => [b.boardId, (registry && findOrganisation(registry, b.boardId)?.name) ?? b.boardId]),
  );
  return { settings, boardNames };
}

/** Keys have no settings: said in Swedish, with the stable code's sentence. */
function personOnly(reply: FastifyReply, principal: Principal, error: OperationError): FastifyReply {
  return sendPage(reply, 403, messagePage('Mina inställningar', describeProblem(error.field, error), principal));
}

export function registerSettingsPage(app: FastifyInstance, deps: PageDeps): void {
  const ops = createPersonSettingsOperations(deps.pool);
  const render = (principal: Principal, data: PageData, extra: Parameters<typeof settingsBody>[1] = undefined) =>
    page({ title: 'Mina inställningar', principal, current: 'installningar', body: settingsBody(data, extra) });

  app.get(SETTINGS_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (principal.kind !== 'person') {
      return personOnly(reply, principal, new OperationError(403, 'role', 'keys have no settings', 'person-only'));
    }
    const data = await loadPage(deps, ops, principal);
    const notice = queryValue(request.query, 'klart') === '1' ? 'Inställningarna är sparade.' : undefined;
    return sendPage(reply, 200, render(principal, data, notice));
  });

  app.post(SETTINGS_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!isSameOrigin(request, deps.publicUrl)) {
      return forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats');
    }
    if (principal.kind !== 'person') {
      return personOnly(reply, principal, new OperationError(403, 'role', 'keys have no settings', 'person-only'));
    }
    const posted = inputFromForm(request.body);
    const saved = await attempt(FORM, {}, () => ops.save(principal, posted.input));
    if (saved.ok) return reply.redirect(`${SETTINGS_PATH}?klart=1`, 303);
    const data = await loadPage(deps, ops, principal);
    const values: Record<string, string> = {
      // After a 409 the old version stays: saving again is refused until the page is reloaded.
      version: String(posted.input.version),
      language: String(posted.input.language),
      weeklyDigest: posted.input.weeklyDigest ? 'on' : '',
    };
    posted.rows.forEach((row, i) => {
      values[`standIns.${i}.email`] = row.email;
      values[`standIns.${i}.from`] = row.from;
      values[`standIns.${i}.to`] = row.to;
    });
    const problem: FormProblem = { ...saved.problem, field: formField(saved.problem.field, posted.rowOf), values };
    const status = saved.status === 404 ? 400 : saved.status;
    return sendPage(
      reply,
      status,
      page({
        title: 'Mina inställningar',
        principal,
        current: 'installningar',
        body: settingsBody(data, undefined, problem, posted),
      }),
    );
  });
}
