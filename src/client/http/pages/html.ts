/**
 * The one escaping helper of the web pages. Every value interpolated into a `html` template is
 * escaped unless it is itself the result of a `html` template (or `raw`, for the few constant
 * strings that are markup by construction), so text from the database, the registry or a form
 * can never become markup.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
const SPECIAL = /[&<>"']/;
export function escapeHtml(text: string): string {
  // Most text has nothing to escape: a test is far cheaper than a replace that allocates.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

/** What a template accepts: text (escaped), markup from `html`, lists of either, or nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value as readonly HtmlValue[]) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

/**
 * The markup written in this code base, its indentation dropped: a line break with the spaces
 * around it becomes one line break, which HTML shows the same (the pages have no <pre>, and no
 * template writes whitespace inside a <textarea>). The source's indentation was a third of a
 * large page's bytes, written and read on every request. Once per template, by its call site
 * (the same strings array every time).
 */
const compacted = new WeakMap<TemplateStringsArray, readonly string[]>();
function compactOf(strings: TemplateStringsArray): readonly string[] {
  let parts = compacted.get(strings);
  if (!parts) {
    parts = strings.map((part) => part.replace(/[ \t]*\n\s*/g, '\n'));
    compacted.set(strings, parts);
  }
  return parts;
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes `text`; nested templates stay markup. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  const parts = compactOf(strings);
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + parts[i + 1]!;
  return new SafeHtml(out);
}

/** Markup written in this code base (never data): the stylesheet, constant SVG fragments. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
