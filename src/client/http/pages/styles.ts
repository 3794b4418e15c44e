/**
 * The one stylesheet of the pages, served at /static/arshjul.css. Colours pair dark text on light
 * fills (contrast at least 4.5:1); every status also has its words, so colour is never alone.
 */
export const STYLESHEET = `
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5;
  color: #1b1b1b; background: #f6f7f9; }
a { color: #004a8f; text-underline-offset: 0.15em; }
a:hover { color: #002f5c; }
:focus-visible { outline: 3px solid #1b1b1b; outline-offset: 2px; box-shadow: 0 0 0 6px #ffd43b; }
.skip-link { position: absolute; left: 0.5rem; top: -10rem; z-index: 10; padding: 0.6rem 1rem; background: #ffd43b;
  color: #1b1b1b; font-weight: 700; }
.skip-link:focus { top: 0.5rem; }
.site-header { background: #00315f; color: #fff; }
.site-header .bar { max-width: 76rem; margin: 0 auto; padding: 0.6rem 1rem; display: flex; flex-wrap: wrap;
  align-items: center; gap: 0.5rem 1.5rem; }
.site-header a { color: #fff; }
.site-header :focus-visible { outline-color: #fff; box-shadow: 0 0 0 6px #ffd43b; }
.brand { font-size: 1.25rem; font-weight: 700; text-decoration: none; }
.site-nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
.site-nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.who { margin-left: auto; display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; font-size: 0.95rem; }
.who form { margin: 0; }
.who button { background: transparent; color: #fff; border: 2px solid #fff; padding: 0.2rem 0.7rem; }
main { display: block; max-width: 76rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
.site-footer { background: #fff; border-top: 1px solid #c9ced6; }
.site-footer .bar { max-width: 76rem; margin: 0 auto; padding: 1rem; }
.site-footer a[aria-current="page"] { font-weight: 700; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.4rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.15rem; margin: 1.25rem 0 0.5rem; }
.lead { font-size: 1.1rem; max-width: 48rem; }
.prose { max-width: 48rem; }
.panel { background: #fff; border: 1px solid #c9ced6; border-radius: 4px; padding: 1rem; margin: 0 0 1rem; }
.muted { color: #4a4f55; }
.counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.75rem; margin: 0 0 1rem;
  padding: 0; list-style: none; }
.counts li { background: #fff; border: 1px solid #c9ced6; border-left-width: 6px; padding: 0.6rem 0.8rem; }
.counts .number { display: block; font-size: 1.8rem; font-weight: 700; line-height: 1.1; }
.counts .c-late { border-left-color: #b3261e; }
.counts .c-escalated { border-left-color: #6d0e08; }
.counts .c-done { border-left-color: #1d7a4a; }
.table-wrap { overflow-x: auto; max-width: 100%; background: #fff; border: 1px solid #c9ced6; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
caption { text-align: left; font-weight: 700; padding: 0.6rem 0.75rem; }
.table-wrap .caption-text { display: inline-block; position: sticky; left: 0.75rem; max-width: calc(100vw - 3.5rem); }
th, td { border-top: 1px solid #d9dde3; padding: 0.5rem 0.75rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f5; border-top: 0; white-space: nowrap; }
th[scope="row"] { background: #fff; }
.matrix th[scope="row"] { position: sticky; left: 0; z-index: 1; min-width: 11rem; box-shadow: 1px 0 0 #d9dde3; }
.matrix td { min-width: 10rem; }
.status { display: block; border-left: 5px solid; padding: 0.3rem 0.5rem; border-radius: 2px; }
.status .words { font-weight: 700; display: block; }
.status .when { display: block; font-size: 0.88rem; font-weight: 400; }
.matrix .status { font-weight: 700; }
.st-planned { background: #f1f2f4; color: #33373d; border-color: #6b7079; border-left-style: dashed; }
.st-open { background: #e3eefc; color: #0a3a78; border-color: #0b5cad; }
.st-submitted { background: #e1f3e8; color: #0b4d2c; border-color: #1d7a4a; }
.st-approved { background: #c8ead5; color: #063d1d; border-color: #0b6b35; }
.st-returned { background: #fff0d1; color: #5e3a00; border-color: #b36b00; }
.st-exempt { background: #ececec; color: #3d3d3d; border-color: #8a8a8a; }
.st-cancelled { background: #ececec; color: #3d3d3d; border-color: #8a8a8a; border-left-style: dotted; }
.st-late { background: #fde4e1; color: #861b12; border-color: #b3261e; }
.st-escalated { background: #7a130c; color: #fff; border-color: #3d0905; }
.not-in-audience { color: #4a4f55; }
.legend { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; margin: 0 0 1rem; }
.legend .status { display: inline-block; font-size: 0.9rem; }
form.filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0.75rem 1rem; }
.field { margin: 0 0 0.9rem; }
.field label, .field .label { display: block; font-weight: 700; margin-bottom: 0.2rem; }
.hint { display: block; color: #4a4f55; font-size: 0.9rem; margin-bottom: 0.25rem; }
input[type="text"], input[type="password"], select, textarea { font: inherit; font-size: 1rem; padding: 0.45rem 0.55rem;
  border: 2px solid #5a6068; border-radius: 3px; background: #fff; color: #1b1b1b; width: 100%; max-width: 30rem; }
textarea { min-height: 5rem; }
.filters .field { margin: 0; }
.filters select { width: auto; min-width: 12rem; }
button { font: inherit; font-weight: 700; padding: 0.5rem 1.1rem; border-radius: 3px; border: 2px solid #004a8f;
  background: #004a8f; color: #fff; cursor: pointer; }
button:hover { background: #002f5c; }
button.secondary { background: #fff; color: #004a8f; }
button.secondary:hover { background: #e3eefc; }
button.warning { background: #8a4b00; border-color: #8a4b00; }
.field-error input, .field-error textarea, .field-error select { border-color: #b3261e; border-width: 3px; }
.error-message { display: block; color: #a1231a; font-weight: 700; margin-bottom: 0.25rem; }
.error-summary { border: 4px solid #b3261e; background: #fff; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.error-summary h2, .error-summary h3, .error-summary h4 { margin-top: 0; color: #861b12; }
.report-form fieldset { border: 1px solid #6b7075; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.report-form fieldset.item { border-style: dashed; }
.saved { font-style: italic; }
.notice { border: 4px solid #1d7a4a; background: #e1f3e8; padding: 0.75rem 1rem; margin: 0 0 1rem; font-weight: 700; }
.deliverable { background: #fff; border: 1px solid #c9ced6; border-radius: 4px; padding: 1rem; margin: 0 0 1rem; }
.deliverable h3 { margin-top: 0; }
.actions { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
figure.timeline { margin: 0 0 1rem; }
.timeline-wrap { overflow-x: auto; background: #fff; border: 1px solid #c9ced6; padding: 0.5rem; margin: 0 0 0.5rem; }
.timeline-wrap svg { display: block; min-width: 46rem; width: 100%; height: auto; }
.wheel-and-list { display: grid; grid-template-columns: minmax(0, 34rem) minmax(0, 1fr); gap: 1rem 2rem;
  align-items: start; margin: 0 0 1rem; }
.wheel-and-list .wheel-list h3 { margin-top: 0; }
figure.year-wheel { margin: 0; background: #fff; border: 1px solid #c9ced6; padding: 0.5rem; }
figure.year-wheel svg { display: block; width: 100%; height: auto; }
figure.year-wheel figcaption { font-size: 0.95rem; color: #33373d; margin-top: 0.25rem; }
@media (max-width: 52rem) { .wheel-and-list { grid-template-columns: minmax(0, 1fr); } }
/* High contrast: the wheel's colours become the user's system colours; the states keep their
   shapes (stripes, marks, dashes), which is why they have them. */
@media (forced-colors: active) {
  .year-wheel .yw-text { fill: CanvasText; }
  .year-wheel .yw-month, .year-wheel .yw-centre, .year-wheel .yw-badge { fill: Canvas; stroke: CanvasText; }
  .year-wheel .yw-year-line, .year-wheel .yw-deadline, .year-wheel .yw-arc { stroke: CanvasText; }
  .year-wheel .yw-open .yw-arc { fill: Highlight; }
  .year-wheel .yw-done .yw-arc { fill: CanvasText; }
  .year-wheel .yw-waiting .yw-arc { fill: Canvas; }
  .year-wheel .yw-hatch-ground { fill: CanvasText; }
  .year-wheel .yw-hatch-stripe { fill: Canvas; }
  .year-wheel .yw-badge-mark { stroke: CanvasText; }
  .year-wheel .yw-badge-dot { fill: CanvasText; }
  .year-wheel .yw-milestone polygon { stroke: CanvasText; fill: Canvas; }
  .year-wheel .yw-confirmed polygon { fill: CanvasText; }
  .year-wheel .yw-needle { stroke: Highlight; }
  .year-wheel .yw-needle-tip { fill: Highlight; }
}
details { margin: 0 0 1rem; }
summary { cursor: pointer; font-weight: 700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 700; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.files { padding-left: 1.25rem; }
.files li { margin: 0 0 0.5rem; }
.files button { padding: 0.2rem 0.6rem; margin-left: 0.25rem; }
.file-upload { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0; }
.file-upload progress { width: 12rem; }
.correction { border: 4px solid #8a4b00; background: #fff; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.correction h2 { margin-top: 0; }
.answer-text { white-space: pre-line; margin: 0 0 0.5rem; }
.review-section { background: #fff; border: 1px solid #c9ced6; border-radius: 4px; padding: 0.25rem 1rem 1rem;
  margin: 0 0 1rem; }
.review-question { border-top: 1px solid #d9dde3; padding: 0.5rem 0; }
.review-question h4, .review-question h5 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
.review-question.changed { border-left: 5px solid #b36b00; padding-left: 0.75rem; }
.changed-mark { background: #fff0d1; color: #5e3a00; display: inline-block; padding: 0.1rem 0.5rem; margin: 0 0 0.5rem; }
.review-comments { background: #fff8e5; border-left: 5px solid #8a4b00; padding: 0.5rem 0.75rem; margin: 0 0 0.9rem; }
.review-comments ul { margin: 0; padding-left: 1.1rem; }
.review-comments-title { margin: 0 0 0.25rem; }
.return-summary { border: 4px solid #b36b00; background: #fff0d1; padding: 0.25rem 1rem 0.75rem; margin: 0 0 1rem; }
.return-summary h2 { margin-top: 0.5rem; }
.comment-form { margin: 0.25rem 0 0.5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
@media (max-width: 40rem) {
  h1 { font-size: 1.5rem; }
  main { padding: 0.75rem 0.75rem 2rem; }
  .who { margin-left: 0; }
  .counts { grid-template-columns: repeat(2, 1fr); }
  .counts .number { font-size: 1.5rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 0.4rem; }
  .filters select { width: 100%; }
  form.filters > * { flex: 1 1 100%; }
}
@media print {
  .site-header, .skip-link, form { display: none; }
  .table-wrap { overflow: visible; }
}
`;
