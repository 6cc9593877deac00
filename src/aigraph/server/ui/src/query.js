// The query editor: CodeMirror 6 with SPARQL highlighting, completion of the graph's prefixes,
// classes, properties and entities, Ctrl/Cmd+Enter to run, errors marked at the line and column
// the server reports, the query kept in the URL; results as a sortable table with labels, a
// graph view (Cytoscape.js) for CONSTRUCT/DESCRIBE, a chart (Chart.js) for aggregates.
//
// Every value from a query result reaches the page through textContent or an attribute set by
// the DOM API, never through innerHTML: a literal such as <img src=x onerror=…> stays text.

import { autocompletion } from "@codemirror/autocomplete";
import { StreamLanguage } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState, Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import Chart from "chart.js/auto";
import { EditorView, basicSetup } from "codemirror";
import cytoscape from "cytoscape";

const T = JSON.parse(document.getElementById("ui-strings").textContent);
// a count as the page's language writes it (2 779 in French, 2,779 in English), as the
// server writes the counts of its pages (aigraph.server.pages.number)
const count = (n) => n.toLocaleString(document.documentElement.lang || "en");
const form = document.getElementById("query-form");
const textarea = document.getElementById("query-text");
const holder = document.getElementById("editor");
const results = document.getElementById("results");
const status = document.getElementById("status");
const citation = document.getElementById("answer-citation"); // absent for other data
const codePanel = document.getElementById("code");
const snippetsBox = document.getElementById("snippets");
const KEYWORDS = ("SELECT CONSTRUCT DESCRIBE ASK WHERE PREFIX BASE DISTINCT REDUCED FROM NAMED GRAPH " +
  "OPTIONAL UNION MINUS FILTER BIND VALUES SERVICE ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING " +
  "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT AS NOT EXISTS IN STR LANG LANGMATCHES DATATYPE " +
  "REGEX CONTAINS STRSTARTS LCASE UCASE a").split(" ");

let vocabulary = { prefixes: {}, classes: [], properties: [], entities: [] };
let chart = null;
let answered = null; // the size of the answer shown ("5 rows", "true"), for its citation

// --- completion ----------------------------------------------------------------------------

function compact(iri) {
  let best = null;
  for (const [prefix, ns] of Object.entries(vocabulary.prefixes)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [prefix, ns];
  }
  if (best) {
    const local = iri.slice(best[1].length);
    if (/^[A-Za-z0-9_-]*$/.test(local)) return `${best[0]}:${local}`;
  }
  return `<${iri}>`;
}

function completions(context) {
  const word = context.matchBefore(/[\w:<>/#.-]*/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  const options = [
    ...KEYWORDS.map((k) => ({ label: k, type: "keyword" })),
    ...Object.entries(vocabulary.prefixes).map(([p, ns]) => ({
      label: `PREFIX ${p}: <${ns}>`,
      type: "namespace",
    })),
    ...vocabulary.classes.map((c) => ({ label: compact(c), type: "class", detail: "class" })),
    ...vocabulary.properties.map((p) => ({ label: compact(p), type: "property", detail: "property" })),
    ...vocabulary.entities.map((e) => ({
      label: compact(e.iri),
      detail: `${e.label} (${e.kind})`,
      type: "variable",
      apply: compact(e.iri),
    })),
  ];
  return { from: word.from, options, validFor: /^[\w:<>/#.-]*$/ };
}

// --- the editor ----------------------------------------------------------------------------

const view = new EditorView({
  state: EditorState.create({
    doc: textarea.value,
    extensions: [
      basicSetup,
      EditorView.lineWrapping,
      StreamLanguage.define(sparql),
      autocompletion({ override: [completions] }),
      lintGutter(),
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (run(), true) }])),
      EditorView.contentAttributes.of({ "aria-label": "SPARQL" }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        if (codePanel.open) programs.soon();
        advice.soon();
      }),
    ],
  }),
  parent: holder,
});
textarea.hidden = true;
holder.hidden = false;
document.querySelector('label[for="query-text"]').addEventListener("click", () => view.focus());
window.aigraphEditor = view; // for the browser tests

function setQuery(text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

// --- running -------------------------------------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});

// Prefixes are pre-declared: a prefixed name of the graph's vocabularies (schema:, aig:,
// person: …) used without its PREFIX line gets one, added at the top of the query, visibly.
function declarePrefixes() {
  const text = view.state.doc.toString();
  const declared = new Set([...text.matchAll(/PREFIX\s+([\w-]*):/gi)].map((m) => m[1]));
  const code = text.replace(/<[^>]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|#.*$/gm, " ");
  const used = new Set([...code.matchAll(/(?:^|[\s(,;/^|!{}[\]])([A-Za-z][\w-]*):(?=[\w])/g)].map((m) => m[1]));
  const missing = [...used].filter((p) => !declared.has(p) && vocabulary.prefixes[p]).sort();
  if (missing.length) {
    const lines = missing.map((p) => `PREFIX ${p}: <${vocabulary.prefixes[p]}>\n`).join("");
    view.dispatch({ changes: { from: 0, insert: lines } });
  }
}

async function run() {
  declarePrefixes();
  const query = view.state.doc.toString();
  const url = new URL(window.location.href);
  url.searchParams.set("query", query);
  history.replaceState(null, "", url);
  view.dispatch(setDiagnostics(view.state, []));
  status.textContent = "…";
  const started = performance.now();
  const response = await fetch("/sparql", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/sparql-results+json, application/n-triples;q=0.9",
    },
    body: new URLSearchParams({ query }),
  });
  const body = await response.text();
  const ms = Math.round(performance.now() - started);
  answered = null;
  if (!response.ok) return (showCitation(), showError(body, response.status));
  const type = response.headers.get("content-type") || "";
  const truncated = response.headers.get("aigraph-results-truncated");
  if (type.startsWith("application/n-triples")) return showGraph(query, body, ms, truncated);
  const data = JSON.parse(body);
  if ("boolean" in data) {
    status.textContent = `${count(ms)} ms`;
    const p = document.createElement("p");
    p.className = "boolean";
    p.textContent = String(data.boolean);
    answered = String(data.boolean);
    showCitation();
    return results.replaceChildren(p);
  }
  return showTable(query, data, ms, truncated);
}

function showError(message, code) {
  status.textContent = `${T.error} ${code}`;
  const box = document.createElement("div");
  box.className = "error";
  box.setAttribute("role", "alert");
  box.lang = "en"; // the server's messages are English only, whatever the page's language
  box.textContent = message.trim();
  results.replaceChildren(box);
  const where = /(\d+):(\d+)/.exec(message);
  if (where) {
    const lineNo = Math.min(Number(where[1]), view.state.doc.lines);
    const line = view.state.doc.line(lineNo);
    const from = Math.min(line.from + Math.max(Number(where[2]) - 1, 0), line.to);
    view.dispatch(
      setDiagnostics(view.state, [{ from, to: Math.min(from + 1, line.to), severity: "error", message: message.trim() }]),
      { selection: { anchor: from }, scrollIntoView: true },
    );
    box.dataset.line = String(lineNo);
    box.dataset.column = where[2];
  }
}

function downloads(query, formats) {
  const span = document.createElement("span");
  span.className = "downloads";
  span.append(`${T.download}: `);
  formats.forEach((format, i) => {
    const a = document.createElement("a");
    a.href = `/sparql?${new URLSearchParams({ query, format })}`;
    a.textContent = format.toUpperCase();
    a.setAttribute("download", `results.${format}`);
    span.append(a);
    if (format === "csv") {
      // the CSV's CSV on the Web metadata (licence, source, citation, query, columns): the
      // same query string, so that its `url` names this very file (aigraph.server.csvw)
      const meta = document.createElement("a");
      meta.href = `/csvm?${new URLSearchParams({ query, format })}`;
      meta.textContent = "CSVW";
      meta.title = T.csvw;
      meta.setAttribute("download", "results.csv-metadata.json");
      span.append(" (", meta, ")");
    }
    span.append(i < formats.length - 1 ? " · " : "");
  });
  return span;
}

function tabs(panels) {
  const bar = document.createElement("div");
  bar.className = "tabs toolbar";
  bar.setAttribute("role", "tablist");
  const buttons = panels.map(([name, panel], i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.setAttribute("role", "tab");
    b.textContent = name;
    b.dataset.tab = name;
    b.setAttribute("aria-selected", String(i === 0));
    b.addEventListener("click", () => {
      buttons.forEach((x, j) => x.setAttribute("aria-selected", String(j === buttons.indexOf(b))));
      panels.forEach(([, p], j) => (p.hidden = j !== buttons.indexOf(b)));
      if (panels[buttons.indexOf(b)][2]) panels[buttons.indexOf(b)][2]();
    });
    return b;
  });
  bar.append(...buttons);
  panels.forEach(([, p], i) => (p.hidden = i !== 0));
  return bar;
}

// --- what the server says of the query as it is typed --------------------------------------
// Asked once typing pauses, once per text; only the answer for the latest text is shown.

function follow(path, params, show, delay) {
  let timer = null;
  let asked = null;
  async function now() {
    const query = view.state.doc.toString();
    if (query === asked) return;
    asked = query;
    const response = await fetch(`${path}?${new URLSearchParams({ query, ...params() })}`);
    if (response.ok && asked === query) show(await response.json());
  }
  return { now, soon: () => (clearTimeout(timer), (timer = setTimeout(now, delay))) };
}

// Advice before running (aigraph.lint): parts of a pattern that share no variable ask for
// every pairing of their matches, which the page says before anything runs.
const adviceBox = document.getElementById("advice");
const advice = follow(
  "/ui/advice.json",
  () => ({ lang: document.documentElement.lang }),
  (answer) =>
    adviceBox.replaceChildren(
      ...answer.advice.map(({ message }) => {
        const p = document.createElement("p");
        p.className = "warning";
        p.textContent = message;
        return p;
      }),
    ),
  500,
);

// --- citing an answer ------------------------------------------------------------------------
// The server gives the citation's wording (aigraph.citation, with the dataset, its version and
// the data's checksum); the script adds what only it knows: the link that runs the query
// again (the page's own URL), the day and the answer's size.

let checksum = null; // the promise of the data's SHA-256, asked of /dumps/ once

function dataChecksum() {
  checksum ??= fetch("/dumps/?format=json")
    .then((r) => {
      // 503: the files are still being rendered; the next citation asks again
      if (r.status === 503) checksum = null;
      return r.ok ? r.json() : { files: [] };
    })
    .then(({ files }) => files.find((f) => f.name === "aigraph.nq")?.sha256 ?? null)
    .catch(() => null);
  return checksum;
}

async function showCitation() {
  if (!citation) return;
  let template = citation.dataset.template;
  if (answered !== null && template.includes("{sha}")) {
    const sha = await dataChecksum();
    // no dump to name (too large a dataset): the citation goes without the data's part
    template = sha ? template.replace("{sha}", sha) : template.replace(/\s*;[^;]*\{sha\}/, "");
  }
  citation.textContent =
    answered === null
      ? ""
      : template
          .replace("{url}", window.location.href)
          .replace("{date}", new Date().toISOString().slice(0, 10))
          .replace("{rows}", answered);
}

// --- the query in a program ------------------------------------------------------------------
// The server writes the code (aigraph.server.snippets: one implementation, run by its tests);
// the page shows it for the query in the editor while the panel is open, with a Copy button.

const programs = follow(
  "/ui/snippets.json",
  () => ({}),
  ({ snippets }) => {
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = snippets.length ? T.code_note : T.code_update;
    snippetsBox.replaceChildren(note, ...snippets.map(snippetSection));
  },
  400,
);

function snippetSection(snippet) {
  const section = document.createElement("section");
  section.className = "snippet";
  section.dataset.name = snippet.name;
  const title = document.createElement("h3");
  title.textContent = snippet.title;
  const pre = document.createElement("pre");
  const code = document.createElement("code");
  code.className = `language-${snippet.language}`;
  code.textContent = snippet.code;
  pre.append(code);
  const copy = document.createElement("button");
  copy.type = "button";
  copy.textContent = T.copy;
  copy.setAttribute("aria-label", `${T.copy} ${snippet.title}`);
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(snippet.code);
      copy.textContent = T.copied;
    } catch {
      // no clipboard for this page (an http: origin other than localhost is not a secure
      // context): select the code, for Ctrl/Cmd+C
      const range = document.createRange();
      range.selectNodeContents(code);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });
  section.append(title, copy, pre);
  return section;
}

codePanel.addEventListener("toggle", () => {
  if (codePanel.open) programs.now();
});

// --- the table -----------------------------------------------------------------------------

function cellNode(term, labels) {
  if (!term) return document.createTextNode("");
  if (term.type === "uri") {
    const a = document.createElement("a");
    const known = labels[term.value];
    a.href = known ? known.href : term.value;
    a.textContent = known ? known.label : compact(term.value);
    a.title = term.value;
    return a;
  }
  const span = document.createElement("span");
  span.textContent = term.type === "triple" ? tripleText(term.value) : term.value;
  if (term["xml:lang"]) span.lang = term["xml:lang"];
  return span;
}

// an RDF 1.2 triple term (SPARQL 1.2 results JSON): shown as Turtle writes it
function tripleText(triple) {
  const part = (t) =>
    t.type === "triple" ? tripleText(t.value) : t.type === "uri" ? compact(t.value) : t.type === "bnode" ? `_:${t.value}` : JSON.stringify(t.value);
  return `<<( ${part(triple.subject)} ${part(triple.predicate)} ${part(triple.object)} )>>`;
}

async function labelsFor(iris) {
  if (!iris.length) return {};
  const params = new URLSearchParams();
  iris.slice(0, 500).forEach((iri) => params.append("iri", iri));
  const response = await fetch(`/ui/labels?${params}`);
  return response.ok ? response.json() : {};
}

function numeric(term) {
  return term && term.type !== "uri" && term.value !== "" && !Number.isNaN(Number(term.value));
}

async function showTable(query, data, ms, truncated) {
  const vars = data.head.vars;
  let rows = data.results.bindings;
  const iris = [...new Set(rows.flatMap((r) => vars.map((v) => r[v]).filter((t) => t && t.type === "uri").map((t) => t.value)))];
  const labels = await labelsFor(iris);
  status.textContent = `${count(rows.length)} ${rows.length === 1 ? T.row : T.rows}${truncated ? " (…)" : ""} · ${count(ms)} ms`;
  answered = `${count(rows.length)} ${rows.length === 1 ? T.row : T.rows}${truncated ? " (…)" : ""}`;
  showCitation();
  const table = document.createElement("table");
  table.id = "results-table";
  const head = table.createTHead().insertRow();
  const body = table.createTBody();
  let sortedBy = null;
  const fill = () => {
    body.replaceChildren();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const v of vars) tr.insertCell().append(cellNode(row[v], labels));
    }
  };
  vars.forEach((v) => {
    const th = document.createElement("th");
    th.scope = "col";
    const b = document.createElement("button");
    b.className = "sort";
    b.type = "button";
    b.textContent = v;
    b.addEventListener("click", () => {
      const direction = sortedBy === v ? -1 : 1;
      sortedBy = direction === 1 ? v : null;
      const key = (r) => (r[v] ? (labels[r[v].value] || {}).label || r[v].value : "");
      rows = [...rows].sort((a, c) => {
        const [x, y] = [key(a), key(c)];
        const both = !Number.isNaN(Number(x)) && !Number.isNaN(Number(y)) && x !== "" && y !== "";
        return direction * (both ? Number(x) - Number(y) : x.localeCompare(y, undefined, { sensitivity: "base" }));
      });
      th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
      fill();
    });
    th.append(b);
    head.append(th);
  });
  fill();
  const tablePanel = document.createElement("div");
  tablePanel.className = "scroll";
  tablePanel.append(table);
  const panels = [[T.table, tablePanel]];
  const numberVar = vars.find((v) => rows.length && rows.every((r) => numeric(r[v])));
  const labelVar = vars.find((v) => v !== numberVar);
  if (numberVar && labelVar && rows.length <= 200) {
    const chartPanel = document.createElement("div");
    chartPanel.id = "chart-view";
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${T.chart}: ${numberVar} / ${labelVar}`);
    chartPanel.append(canvas);
    panels.push([T.chart, chartPanel, () => {
      if (chart) chart.destroy();
      chart = new Chart(canvas, {
        type: "bar",
        data: {
          labels: rows.map((r) => (r[labelVar] ? (labels[r[labelVar].value] || {}).label || r[labelVar].value : "")),
          datasets: [{ label: numberVar, data: rows.map((r) => Number(r[numberVar].value)), backgroundColor: "#1c7ed6" }],
        },
        options: { indexAxis: rows.length > 12 ? "y" : "x", animation: false },
      });
    }]);
  }
  const info = document.createElement("div");
  info.className = "toolbar";
  info.append(downloads(query, ["csv", "tsv", "json"]));
  results.replaceChildren(info, tabs(panels), ...panels.map(([, p]) => p));
}

// --- the graph view ------------------------------------------------------------------------

const TERM = /<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?/g;

function parseNTriples(text) {
  return text
    .split("\n")
    .map((line) => line.match(TERM))
    .filter((m) => m && m.length >= 3)
    .map((m) => m.slice(0, 3));
}

function termValue(t) {
  if (t.startsWith("<")) return t.slice(1, -1);
  if (t.startsWith('"')) return JSON.parse(t.slice(0, t.lastIndexOf('"') + 1));
  return t;
}

async function showGraph(query, text, ms, truncated) {
  const triples = parseNTriples(text);
  const iris = [...new Set(triples.flatMap(([s, , o]) => [s, o]).filter((t) => t.startsWith("<")).map(termValue))];
  const labels = await labelsFor(iris);
  // cut at the server's row limit: said as for a table (AIGraph-Results-Truncated)
  answered = `${count(triples.length)} ${triples.length === 1 ? T.triple : T.triples}${truncated ? " (…)" : ""}`;
  status.textContent = `${answered} · ${count(ms)} ms`;
  showCitation();
  const tablePanel = document.createElement("div");
  tablePanel.className = "scroll";
  const table = document.createElement("table");
  table.id = "results-table";
  const head = table.createTHead().insertRow();
  ["subject", "predicate", "object"].forEach((h) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  });
  const body = table.createTBody();
  for (const triple of triples) {
    const tr = body.insertRow();
    for (const t of triple) {
      const term = t.startsWith("<") ? { type: "uri", value: termValue(t) } : { type: "literal", value: termValue(t) };
      tr.insertCell().append(cellNode(term, labels));
    }
  }
  tablePanel.append(table);
  const graphPanel = document.createElement("div");
  graphPanel.id = "graph-view";
  const nodes = new Map();
  const edges = [];
  const node = (t) => {
    const id = t;
    if (!nodes.has(id)) {
      const value = termValue(t);
      const known = labels[value];
      nodes.set(id, { data: { id, label: known ? known.label : t.startsWith("<") ? compact(value) : value.slice(0, 40), href: known ? known.href : null, literal: !t.startsWith("<") } });
    }
    return id;
  };
  triples.slice(0, 2000).forEach(([s, p, o], i) => {
    edges.push({ data: { id: `t${i}`, source: node(s), target: node(o), label: compact(termValue(p)) } });
  });
  const panels = [
    [T.graph, graphPanel, () => {
      const cy = cytoscape({
        container: graphPanel,
        elements: [...nodes.values(), ...edges],
        layout: { name: "cose", animate: false },
        style: [
          { selector: "node", style: { label: "data(label)", "font-size": 9, width: 12, height: 12, "background-color": "#1c7ed6" } },
          { selector: "node[?literal]", style: { shape: "round-rectangle", "background-color": "#adb5bd" } },
          { selector: "edge", style: { width: 1, label: "data(label)", "font-size": 7, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#bbb", "target-arrow-color": "#bbb" } },
        ],
      });
      cy.on("tap", "node", (event) => {
        const href = event.target.data("href");
        if (href) window.location.href = href;
      });
      window.aigraphGraph = cy;
    }],
    [T.table, tablePanel],
  ];
  const info = document.createElement("div");
  info.className = "toolbar";
  info.append(downloads(query, ["turtle", "jsonld", "ntriples"]));
  results.replaceChildren(info, tabs(panels), ...panels.map(([, p]) => p));
  panels[0][2]();
}

// --- examples from the catalogue, and the query in the URL -----------------------------------

// A catalogue query's parameters are bound by the server (SEP-0007); in the editor they are
// given their default values by a VALUES block at the start of the WHERE group, visible and
// editable, so that the example runs as the catalogue runs it. At the start, not at the end:
// a FILTER inside an OPTIONAL sees the variables of what precedes the OPTIONAL (SPARQL 1.1
// §18.2.2.5, LeftJoin), not those of a VALUES clause after the whole pattern.
function term(parameter) {
  if (parameter.type === "iri") return `<${parameter.default}>`;
  if (parameter.type === "integer") return String(Number(parameter.default));
  return JSON.stringify(String(parameter.default));
}

// A `language` parameter (the language of the labels) takes the page's language, as the
// catalogue's own page does: an English page shows the example with English labels.
function withDefaults(text, parameters, lang) {
  const bound = (parameters || [])
    .filter((p) => p.default !== null && p.default !== undefined)
    .map((p) => (p.type === "language" && lang ? { ...p, default: lang } : p));
  if (!bound.length) return text;
  const vars = bound.map((p) => `?${p.name}`).join(" ");
  const values = `VALUES (${vars}) { (${bound.map(term).join(" ")}) }`;
  const where = /\bWHERE\s*\{/i.exec(text);
  if (!where) return `${text.trimEnd()}\n${values}\n`;
  const at = where.index + where[0].length;
  return `${text.slice(0, at)}\n  ${values}${text.slice(at)}`;
}

async function loadExamples() {
  const response = await fetch("/queries?format=json");
  if (!response.ok) return;
  const lang = document.documentElement.lang;
  const list = document.getElementById("examples");
  list.replaceChildren(
    ...(await response.json()).queries.map((q) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "example";
      b.dataset.name = q.name;
      b.textContent = q.title[lang] || q.title.en;
      b.title = q.question[lang] || q.question.en;
      b.addEventListener("click", async () => {
        const text = await (await fetch(`/queries/${q.name}.rq`)).text();
        setQuery(withDefaults(text, q.parameters, lang));
        view.focus();
      });
      li.append(b);
      return li;
    }),
  );
}

const vocabularyLoaded = fetch("/ui/vocabulary.json")
  .then((r) => r.json())
  .then((v) => (vocabulary = v));
loadExamples();
if (new URL(window.location.href).searchParams.get("query")) vocabularyLoaded.then(run);
