import { basename, dirname, extname, join } from 'node:path';
import { CycleCalendar } from '../domain/cycle-calendar';
import { parseReportTemplate, ReportTemplate, TemplateValidation } from '../domain/report-template';
import { TemplateLookup } from '../domain/validate-calendar';
import { DATA_DIR, DataFileError, readDataFile } from './data-files';

/**
 * Report template files: `templates/<id>.yaml` next to the calendars that name them, so a
 * calendar and its templates travel together. The domain parses; this module reads.
 */

export function shippedTemplatesDir(municipality = 'stockholm'): string {
  return join(DATA_DIR, municipality, 'templates');
}

/** Where a calendar file's templates are: the folder `templates` beside it. */
export function templatesDirFor(calendarPath: string): string {
  return join(dirname(calendarPath), 'templates');
}

/**
 * Reads and checks one template file. An unreadable or unparsable file throws DataFileError
 * (bad input for the CLI); a file whose template is wrong returns the problems with their paths.
 * The ID must be the file's name, since calendars find templates by file name.
 */
export function loadTemplateFile(path: string): TemplateValidation {
  const result = parseReportTemplate(readDataFile(path));
  const name = basename(path, extname(path));
  if (result.template && result.template.id !== name) {
    return { errors: [{ path: 'id', message: `is ${result.template.id}, but the file is named ${name}` }] };
  }
  return result;
}

/** The templates of a folder as the calendar validation asks for them, a missing file included. */
export function templateLookup(dir: string): TemplateLookup {
  return (id) => {
    try {
      return loadTemplateFile(join(dir, `${id}.yaml`));
    } catch (error) {
      if (error instanceof DataFileError) return { errors: [{ path: '(file)', message: error.message }] };
      throw error;
    }
  };
}

/** The IDs of the templates a calendar's phases name, each once, in the calendar's order. */
export function templateIdsOf(calendar: CycleCalendar): string[] {
  return [...new Set(calendar.phases.flatMap((p) => (p.kind === 'deliverable' && p.template ? [p.template] : [])))];
}

/**
 * A lookup that remembers what it parsed, so that a cycle keeps the very templates its calendar
 * was validated with, not a second reading of files that may have changed in between.
 */
export function rememberingLookup(lookup: TemplateLookup): {
  lookup: TemplateLookup;
  templatesOf(calendar: CycleCalendar): ReportTemplate[];
} {
  const found = new Map<string, ReportTemplate>();
  return {
    lookup: (id) => {
      const result = lookup(id);
      if (result.template) found.set(id, result.template);
      return result;
    },
    templatesOf: (calendar) =>
      templateIdsOf(calendar).map((id) => {
        const template = found.get(id);
        // A calendar that validated has found every template it names: this is a wrong call.
        if (!template) throw new Error(`template ${id} was not read when the calendar was validated`);
        return template;
      }),
  };
}
