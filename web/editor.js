// The query page's SPARQL editor: CodeMirror 6 with the SPARQL grammar of codemirror-lang-sparql,
// completion from the server's own vocabulary (never an outside service) and the endpoint's syntax
// errors shown where they are. Bundled by ./refresh.sh into src/twinkg/server/static/vendor/editor.js.
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  highlightSpecialChars } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { bracketMatching, syntaxHighlighting, defaultHighlightStyle, indentOnInput } from "@codemirror/language";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { sparql } from "codemirror-lang-sparql";

const KEYWORDS = ("SELECT CONSTRUCT DESCRIBE ASK WHERE PREFIX BASE DISTINCT REDUCED FROM NAMED OPTIONAL UNION MINUS GRAPH " +
  "FILTER BIND AS VALUES UNDEF GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET EXISTS NOT IN COUNT SUM MIN MAX AVG SAMPLE " +
  "GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI BNODE COALESCE IF STRLEN SUBSTR UCASE LCASE " +
  "STRSTARTS STRENDS CONTAINS STRBEFORE STRAFTER CONCAT REPLACE REGEX YEAR MONTH DAY NOW isIRI isLITERAL isBLANK " +
  "isNUMERIC sameTerm").split(" ");

/** Completion options for what is before the cursor: prefixed names of the vocabulary, prefixes, keywords and
 * the variables already in the query. */
export function completionSource(vocabulary) {
  const prefixes = vocabulary.prefixes || {};
  const byPrefix = {};
  for (const term of vocabulary.terms || []) {
    const prefix = term.name.slice(0, term.name.indexOf(":"));
    (byPrefix[prefix] = byPrefix[prefix] || []).push({
      label: term.name, type: term.kind === "class" ? "class" : "property",
      detail: term.label || "", info: term.comment || term.iri,
    });
  }
  const prefixOptions = Object.keys(prefixes).sort().map((p) => ({
    label: p + ":", type: "namespace", detail: prefixes[p], boost: p === "tw" ? 1 : 0,
  }));
  const keywordOptions = KEYWORDS.map((k) => ({ label: k, type: "keyword", boost: -1 }));
  const concepts = (vocabulary.concepts || []).map((c) => ({
    label: "<" + c.iri + ">", type: "enum", detail: `${c.scheme}: ${c.label}`, info: c.comment || c.iri,
    search: (c.iri + " " + c.label).toLowerCase(), scheme: c.scheme.replace(/-/g, ""),
    code: c.iri.slice(c.iri.lastIndexOf("/") + 1).toLowerCase(),
  }));

  return (context) => {
    const iri = context.matchBefore(/<[^<>\s"{}|^`\\]*/);
    if (iri && concepts.length) {
      // Concept IRIs by any part of the IRI or the label (`<susp` finds …/vocab/status/suspended), those of the
      // scheme the property before names first (`tw:status <` → the status codes).
      const typed = iri.text.slice(1).toLowerCase();
      const before = context.state.sliceDoc(Math.max(0, iri.from - 200), iri.from);
      const property = (/:([\w-]+)\s*$/.exec(before) || ["", ""])[1].toLowerCase().replace(/-/g, "");
      const rank = (c) => (c.scheme === property ? 2 : 0) + (c.code.startsWith(typed) ? 1 : 0);
      const options = concepts.filter((c) => c.search.includes(typed)).sort((a, b) => rank(b) - rank(a))
        .map((c) => ({ label: c.label, type: c.type, detail: c.detail, info: c.info }));
      // filter: false keeps this order (CodeMirror would otherwise rank by its fuzzy match of the whole IRI)
      return options.length ? { from: iri.from, options, filter: false } : null;
    }
    const variable = context.matchBefore(/[?$][\w]*/);
    if (variable) {
      const seen = new Set();
      for (const m of context.state.doc.toString().matchAll(/[?$]([A-Za-z_]\w*)/g)) seen.add(m[1]);
      const options = [...seen].map((v) => ({ label: "?" + v, type: "variable" }));
      return { from: variable.from, options, validFor: /^[?$]\w*$/ };
    }
    const word = context.matchBefore(/[A-Za-z_][\w.-]*:[\w.-]*|[A-Za-z_][\w-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const colon = word.text.indexOf(":");
    if (colon >= 0) {
      const options = byPrefix[word.text.slice(0, colon)];
      return options ? { from: word.from, options, validFor: /^[\w.-]*:[\w.-]*$/ } : null;
    }
    return { from: word.from, options: prefixOptions.concat(keywordOptions), validFor: /^[\w-]*$/ };
  };
}

/** The document offset of a 1-based line and column (counted in characters, as the endpoint counts them). */
function offsetOf(doc, line, column) {
  const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
  const chars = Array.from(l.text);
  const before = chars.slice(0, Math.max(0, column - 1)).join("");
  return Math.min(l.from + before.length, l.to);
}

const THEME = EditorView.theme({
  "&": { border: "1px solid #d9dee7", background: "#fff", fontSize: "14px", maxHeight: "60vh" },
  "&.cm-focused": { outline: "2px solid #9bbce3" },
  ".cm-scroller": { fontFamily: "ui-monospace, monospace", lineHeight: "1.45" },
  ".cm-content, .cm-gutter": { minHeight: "14em" },
});

/** Mount an editor in place of a textarea; the textarea stays in the form and is kept in step for submission.
 *
 * The editor lives in a shadow root: there CodeMirror's styles go into a constructed style sheet instead of a
 * <style> element, so the page keeps working under a Content-Security-Policy with `style-src 'self'`. */
export function createEditor(textarea, { vocabulary = {}, onRun = () => {} } = {}) {
  const run = () => { onRun(); return true; };
  const host = document.createElement("div");
  host.className = "editor-host";
  textarea.parentNode.insertBefore(host, textarea);
  const root = host.attachShadow({ mode: "open" });
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        THEME, lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
        indentOnInput(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(),
        closeBrackets(), highlightActiveLine(), highlightSelectionMatches(), lintGutter(),
        autocompletion({ override: [completionSource(vocabulary)], activateOnTyping: true }),
        sparql(),
        keymap.of([{ key: "Mod-Enter", run }, { key: "Shift-Enter", run }, ...closeBracketsKeymap, ...defaultKeymap,
          ...searchKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap, indentWithTab]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
        EditorView.contentAttributes.of({ "aria-label": "SPARQL query", spellcheck: "false" }),
      ],
    }),
  });
  textarea.hidden = true;

  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    /** Underline the error at line:column and move the cursor there. */
    showError(line, column, message) {
      const doc = view.state.doc;
      const from = offsetOf(doc, line, column);
      const rest = doc.sliceString(from, Math.min(doc.length, from + 80));
      const length = Math.max(1, (rest.match(/^[^\s{}()]+/) || [""])[0].length);
      const to = Math.min(doc.length, from + length);
      view.dispatch(setDiagnostics(view.state, [{ from, to: Math.max(to, from), severity: "error", message }]));
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    },
    clearError: () => view.dispatch(setDiagnostics(view.state, [])),
  };
}
