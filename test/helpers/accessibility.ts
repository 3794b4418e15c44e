import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** The WCAG 2.1 levels A and AA: what Lag (2018:1937) asks of a public service, through EN 301 549. */
export const WCAG_21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

let axeSource: string | undefined;

/** axe-core's browser bundle, read once per test file. */
function axe(): string {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** One rule broken on one page, as axe-core reports it (the fields a reader needs). */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core on the page as it is now, restricted to the WCAG 2.1 A and AA rules, and returns
 * every violation as one line per rule: id, impact, the elements at fault (CSS selectors) and
 * what to do. Empty when the page passes.
 *
 * The pages forbid every script by their Content-Security-Policy, so axe is not added as a
 * <script> tag (the policy would block it) but evaluated through the DevTools protocol, which
 * the policy does not govern; the page itself still runs no script of its own.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const present = (await page.evaluate(`typeof window.axe === 'object'`)) as boolean;
  if (!present) await page.evaluate(axe());
  const violations = (await page.evaluate(
    `axe.run(document, {
      runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_21_AA_TAGS)} },
      resultTypes: ['violations'],
    }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    })))`,
  )) as AxeViolation[];
  return violations.map(describeViolation);
}

/** One readable line per violated rule, naming at most five elements. */
export function describeViolation(v: AxeViolation): string {
  const targets = v.nodes.map((n) => n.target.map(String).join(' >> '));
  const shown = targets.slice(0, 5).join(', ') + (targets.length > 5 ? `, … (${targets.length} in all)` : '');
  const why = v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ').trim();
  return `${v.id} (${v.impact ?? 'no impact given'}): ${v.help} — ${shown}${why ? ` — ${why}` : ''}`;
}

/**
 * Walks the page with the Tab key alone, as a keyboard user does, and returns what goes wrong:
 * the skip link must come first, every element that takes focus must be reached (none skipped,
 * no trap), and focus must be visible on each (an outline or a ring from the stylesheet). Call it
 * just after a page has loaded, before anything has taken focus. Empty when the page passes.
 */
export async function keyboardProblems(page: Page): Promise<string[]> {
  // Number the elements that should take focus, in document order (no page sets a positive tabindex).
  const expected = (await page.evaluate(`(() => {
    let n = 0;
    for (const el of document.querySelectorAll('*')) {
      el.removeAttribute('data-tab-order');
      // checkVisibility: the contents of a closed <details> keep their boxes but are skipped (content-visibility).
      const hidden =
        el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden' || !el.checkVisibility();
      // :disabled, not .disabled: a control in a disabled fieldset (a read-only form) takes no focus either.
      if (el.tabIndex >= 0 && !el.matches(':disabled') && !hidden) el.setAttribute('data-tab-order', String(n++));
    }
    return n;
  })()`)) as number;
  const problems: string[] = [];
  const reached: number[] = [];
  for (let i = 0; i < expected + 1; i++) {
    await page.keyboard.press('Tab');
    const focus = (await page.evaluate(`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { order: -1, name: 'body', visible: false };
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      const label = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').trim();
      return {
        order: Number(el.getAttribute('data-tab-order') ?? -2),
        name: el.tagName.toLowerCase() + (label ? ' "' + label.replace(/\\s+/g, ' ').slice(0, 40) + '"' : ''),
        visible: el.matches(':focus-visible') && ring,
      };
    })()`)) as { order: number; name: string; visible: boolean };
    if (focus.order === -1) break; // past the last element: focus left the page
    if (i === 0 && !focus.name.startsWith('a "Hoppa till innehållet"'))
      problems.push(`first Tab reaches ${focus.name}`);
    if (focus.order === -2) problems.push(`focus on an element not expected to take it: ${focus.name}`);
    if (!focus.visible) problems.push(`focus not visible on ${focus.name}`);
    if (reached.includes(focus.order)) break; // wrapped round
    reached.push(focus.order);
  }
  const inOrder = reached.every((order, i) => order === i);
  if (reached.length !== expected) problems.push(`Tab reached ${reached.length} of ${expected} focusable elements`);
  else if (!inOrder) problems.push(`Tab order differs from the page's order: ${reached.join(', ')}`);
  return problems;
}
