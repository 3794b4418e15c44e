import { basename, dirname, extname, join } from 'node:path';
import { parseReportTemplate, TemplateValidation } from '../domain/report-template';
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
