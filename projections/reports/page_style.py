"""The web page's inline stylesheet and its one tiny script.

Phone first (a 390 px screen): one column, the ranking table scrolls sideways with rank and
unit kept in view, an item's records are a compact table that scrolls the same way. Print: every drill-down is
expanded (`::details-content` in current browsers, `beforeprint` for older ones), colours are
kept, and no card is split across pages.
"""

CSS = """
:root { --ink:#1b1f24; --muted:#5b6470; --line:#d8dde3; --bg:#f6f7f9; --card:#fff; --accent:#1f4e79;
  --warn:#9a3412; --ok:#166534; }
* { box-sizing:border-box; }
html { -webkit-text-size-adjust:100%; text-size-adjust:100%; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.55; font-size:15px;
  font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",
  "WenQuanYi Micro Hei",system-ui,sans-serif; }
.page { max-width:960px; margin:0 auto; padding:12px 12px 40px; }
header h1 { font-size:1.35rem; margin:.3em 0 .2em; color:var(--accent); line-height:1.3; }
h2 { font-size:1.1rem; margin:1.4em 0 .5em; padding-left:.5em; border-left:4px solid var(--accent); }
h3.class-name { font-size:1rem; margin:1em 0 .4em; color:var(--accent); }
td.total .status { font-weight:400; }
.facts { display:grid; grid-template-columns:auto 1fr; gap:.1em .8em; margin:.4em 0; font-size:.85rem;
  color:var(--muted); }
.facts dt { white-space:nowrap; } .facts dd { margin:0; overflow-wrap:anywhere; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px 12px; }
figure { margin:0; }
svg.chart { display:block; width:100%; max-width:720px; height:auto; margin:0 auto; }
svg.chart text { font-size:13px; fill:var(--ink); font-family:inherit; }
svg.chart .tick { font-size:10px; fill:var(--muted); }
svg.chart .total { font-weight:600; font-variant-numeric:tabular-nums; }
svg.chart .grid { stroke:var(--line); stroke-width:1; }
.legend { list-style:none; padding:0; margin:8px 0 0; display:flex; flex-wrap:wrap; gap:4px 12px;
  font-size:.8rem; color:var(--muted); }
.swatch { display:inline-block; width:.9em; height:.9em; border-radius:2px; margin-right:.3em;
  vertical-align:-.1em; }
.table-wrap { overflow-x:auto; -webkit-overflow-scrolling:touch; border:1px solid var(--line);
  border-radius:10px; background:var(--card); }
table { border-collapse:separate; border-spacing:0; width:100%; font-size:.9rem; }
th, td { padding:6px 8px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap;
  font-variant-numeric:tabular-nums; }
th { background:#eef2f7; font-weight:600; font-size:.8rem; vertical-align:bottom; }
thead th { white-space:normal; min-width:6.5em; }
tbody th, tbody td { vertical-align:middle; }
tbody tr:last-child td { border-bottom:0; }
th.rank, td.rank { position:sticky; left:0; width:3em; min-width:3em; padding:6px 2px; text-align:center;
  z-index:1; }
th.unit, td.unit { position:sticky; left:3em; min-width:5.5em; text-align:left; z-index:1;
  box-shadow:1px 0 0 var(--line); }
td.rank, tbody th.unit { background:var(--card); } thead th.rank, thead th.unit { background:#eef2f7; }
tbody th.unit { font-size:.9rem; }
th.class, td.class { text-align:left; }
tbody th.unit a { text-decoration:none; }
td.total { font-weight:700; }
.up { color:var(--ok); } .down { color:var(--warn); }
.note { font-size:.8rem; color:var(--muted); margin:.4em 0; }
a { color:var(--accent); }
details { margin:0; }
/* Own markers (▸/▾) on flex summaries: the native marker vanishes with display:flex. */
summary { cursor:pointer; list-style:none; display:flex; gap:.5em; align-items:baseline; }
summary::-webkit-details-marker { display:none; }
summary::before, .item-row::before { content:"▸"; color:var(--accent); flex:none; width:.8em; }
details[open] > summary::before { content:"▾"; }
div.item-row::before { content:""; }
details.unit { background:var(--card); border:1px solid var(--line); border-radius:10px; margin:8px 0;
  padding:0 12px; }
details.unit > summary { padding:10px 0; font-weight:600; }
.badge-rank { display:inline-block; min-width:1.8em; text-align:center; border-radius:999px;
  background:var(--accent); color:#fff; font-size:.8rem; padding:0 .4em; }
.grow { flex:1; }
.num { font-variant-numeric:tabular-nums; white-space:nowrap; }
details.section { border-top:1px solid var(--line); padding:6px 0; }
details.section > summary { font-weight:600; padding:2px 0; }
details.section > summary .grow { flex:1; }
ul.items { list-style:none; margin:4px 0 4px; padding:0; }
ul.items > li { border-top:1px dashed var(--line); padding:5px 0 5px 4px; }
.item-row { display:flex; gap:.5em; align-items:baseline; }
.code { color:var(--muted); font-size:.85rem; min-width:3.4em; flex:none; font-variant-numeric:tabular-nums; }
.item-row .name { flex:1 1 auto; }
.name .status { margin-left:.4em; vertical-align:.1em; }
.item-body { padding-left:1.8em; }
.status { font-size:.75rem; border:1px solid var(--line); border-radius:4px; padding:0 .35em;
  color:var(--muted); white-space:nowrap; }
.status.pending, .state-disputed { color:#92400e; border-color:#f59e0b; background:#fffbeb; }
.state-accepted, .state-retracted { color:var(--muted); background:#f1f5f9; }
.state-rejected, .state-amended { color:#1e40af; border-color:#93c5fd; background:#eff6ff; }
.state-effective { color:var(--ok); border-color:#86efac; background:#f0fdf4; }
.explain { font-size:.85rem; color:var(--muted); margin:4px 0; }
.records { margin:4px 0; border-radius:6px; }
.records table { font-size:.8rem; }
.records th, .records td { text-align:left; padding:3px 6px; vertical-align:top; }
.records td.n { text-align:right; }
.records td.text { white-space:normal; min-width:8em; overflow-wrap:anywhere; }
.records tr.event-more td { border-top:0; padding-top:0; }
.records tr.event:has(+ tr.event-more) td { border-bottom:0; }
.history { margin:4px 0 0; padding-left:1.2em; font-size:.8rem; }
.mini { font-size:.8rem; border:1px solid var(--line); border-radius:6px; margin:4px 0; }
.mini th, .mini td { text-align:left; padding:3px 6px; }
li.full-list, .paper { display:none; }
footer { margin-top:2em; font-size:.75rem; color:var(--muted); overflow-wrap:anywhere; }
@media (min-width:700px) { body { font-size:16px; } .page { padding:20px 24px 48px; } }
@media print {
  @page { size:A4; margin:12mm; }
  * { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
  body { background:#fff; font-size:10.5pt; }
  .page { max-width:none; padding:0; }
  .table-wrap { overflow:visible; border:0; }
  th, td { white-space:normal; }
  th.rank, td.rank, th.unit, td.unit { position:static; }
  details::details-content { content-visibility:visible; display:block; }
  details > summary::before, details > summary::marker { content:""; }
  /* Units run on (a page per unit would leave half of each last page blank); a unit's head stays with
     its first lines. */
  details.unit { border:0; border-top:2px solid var(--accent); padding:0; margin:10px 0 0; }
  details.unit > summary { break-after:avoid; }
  svg.chart { max-width:110mm; }
  figure.card, #ranking .table-wrap { break-inside:avoid; }
  figure.card { padding:4px 8px; }
  th.unit, td.unit { min-width:6em; }
  h2 { break-after:avoid; margin:.8em 0 .4em; }
  .item-row, tr, p.explain { break-inside:avoid; }
  summary, .item-row { break-after:avoid; }
  /* A compact paper copy: items at full marks with no record collapse into one line, records are
     denser cards (text stays at 9 pt or more). */
  ul.items > li.full { display:none; }
  ul.items > li.full-list { display:list-item; color:var(--muted); font-size:9.5pt; }
  .paper { display:block; }
  .mini tr.fine { display:none; }
  .mini th, .mini td { padding:0 4px; line-height:1.3; font-size:9pt; }
  .records table { font-size:9pt; }
  .records th, .records td { padding:1px 4px; }
  .records .aside { display:none; }
  .history { font-size:9pt; }
  ul.items > li { padding:2px 0 2px 4px; }
  a { color:inherit; text-decoration:none; }
}
"""

#: Opens every drill-down before printing (browsers without `::details-content`) and restores
#: the reader's own choice afterwards.
PRINT_SCRIPT = """
(function () {
  var closed = [];
  addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details"),
                                         function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
})();
"""
