// kzeu-graph query page. Plain DOM: every value from the server goes into textContent or
// an attribute set with setAttribute, never into innerHTML.
"use strict";

(function () {
  const BASE_IRI = "https://w3id.org/kzeu/";
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const $ = (id) => document.getElementById(id);
  let catalog = [];

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  function hrefFor(iri) {
    if (iri.startsWith(BASE_IRI)) return "/" + iri.slice(BASE_IRI.length);
    if (/^https?:\/\//i.test(iri)) return iri;
    return null; // no links for other schemes (javascript:, data:, ...)
  }

  function shortIri(iri) {
    const prefixes = [["kzr:", BASE_IRI + "id/"], ["kzv:", BASE_IRI + "vocab/"], ["kzeu:", BASE_IRI + "ontology#"]];
    for (const [p, ns] of prefixes) if (iri.startsWith(ns)) return p + iri.slice(ns.length);
    return iri;
  }

  function termCell(term) {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = hrefFor(term.value);
      const a = href ? el("a", shortIri(term.value), { href: href, title: term.value }) : el("span", term.value);
      if (href && !href.startsWith("/")) a.setAttribute("rel", "noopener noreferrer");
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.appendChild(el("span", "_:" + term.value, { class: "bnode" }));
    } else {
      td.appendChild(el("span", term.value, { class: "literal" }));
      const tag = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? shortDatatype(term.datatype) : "";
      if (tag) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("span", tag, { class: "tag" })); }
    }
    return td;
  }

  function shortDatatype(iri) {
    const xsd = "http://www.w3.org/2001/XMLSchema#";
    return iri.startsWith(xsd) ? "xsd:" + iri.slice(xsd.length) : iri;
  }

  function showError(status, message) {
    const wrap = $("table-wrap");
    wrap.replaceChildren();
    $("status").replaceChildren(el("span", "Error " + status + ": " + message, { class: "error" }));
  }

  async function render(response, started) {
    const wrap = $("table-wrap");
    const elapsed = Math.round(performance.now() - started);
    const type = (response.headers.get("content-type") || "").split(";")[0].trim();
    const text = await response.text();
    if (!response.ok) {
      let message = text.trim();
      try { message = JSON.parse(text).error || message; } catch (e) { /* plain text */ }
      showError(response.status, message);
      return;
    }
    wrap.replaceChildren();
    if (type === "application/sparql-results+json" || type === "application/json") {
      const data = JSON.parse(text);
      if (typeof data.boolean === "boolean") {
        $("status").textContent = "ASK: " + data.boolean + " (" + elapsed + " ms)";
        return;
      }
      const vars = data.head.vars || [];
      const rows = data.results.bindings || [];
      const table = el("table", null, { class: "results" });
      const head = el("tr");
      for (const v of vars) head.appendChild(el("th", v, { scope: "col" }));
      table.appendChild(el("thead")).appendChild(head);
      const body = el("tbody");
      for (const row of rows) {
        const tr = el("tr");
        for (const v of vars) tr.appendChild(termCell(row[v]));
        body.appendChild(tr);
      }
      table.appendChild(body);
      wrap.appendChild(table);
      $("status").textContent = rows.length + " row(s) in " + elapsed + " ms";
    } else {
      wrap.appendChild(el("pre", text, { class: "graph" }));
      $("status").textContent = "Graph result (" + type + ") in " + elapsed + " ms";
    }
  }

  async function runQuery(query) {
    $("status").textContent = "Running…";
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT },
        body: new URLSearchParams({ query: query }).toString(),
      });
      await render(response, started);
    } catch (e) {
      showError("network", String(e));
    }
  }

  async function runSaved(name, params) {
    $("status").textContent = "Running " + name + "…";
    const started = performance.now();
    const search = new URLSearchParams(params).toString();
    try {
      const response = await fetch("/api/" + encodeURIComponent(name) + (search ? "?" + search : ""), {
        headers: { "Accept": "application/sparql-results+json" },
      });
      await render(response, started);
    } catch (e) {
      showError("network", String(e));
    }
  }

  function selected() {
    const name = $("saved-select").value;
    return catalog.find((q) => q.name === name);
  }

  function showSaved() {
    const saved = selected();
    const box = $("saved-params");
    box.replaceChildren();
    $("saved-summary").textContent = saved ? saved.summary : "";
    if (!saved) return;
    for (const p of saved.parameters) {
      const id = "param-" + p.name;
      const line = el("p");
      line.appendChild(el("label", p.name + (p.required ? "" : " (optional)"), { for: id }));
      const input = el("input", null, { type: "text", id: id, name: p.name, size: "60", placeholder: p.kind });
      if (p.default !== null && p.default !== undefined) input.value = p.default;
      line.appendChild(input);
      box.appendChild(line);
    }
  }

  async function loadCatalog() {
    const select = $("saved-select");
    try {
      const response = await fetch("/api", { headers: { "Accept": "application/json" } });
      catalog = (await response.json()).queries || [];
    } catch (e) {
      catalog = [];
    }
    select.replaceChildren();
    for (const q of catalog) {
      const tags = q.tags && q.tags.length ? " [" + q.tags.join(", ") + "]" : "";
      select.appendChild(el("option", q.name + tags, { value: q.name }));
    }
    if (catalog.some((q) => q.name === "figures")) select.value = "figures";
    showSaved();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("saved-select").addEventListener("change", showSaved);
    $("saved-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const saved = selected();
      if (!saved) return;
      const params = [];
      for (const input of $("saved-params").querySelectorAll("input")) {
        if (input.value !== "") params.push([input.name, input.value]);
      }
      runSaved(saved.name, params);
    });
    $("load-saved").addEventListener("click", () => {
      const saved = selected();
      if (saved) $("query").value = saved.query;
    });
    $("query-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const query = $("query").value;
      history.replaceState(null, "", "/sparql?" + new URLSearchParams({ query: query }).toString());
      runQuery(query);
    });
    loadCatalog();
    const initial = new URLSearchParams(window.location.search).get("query");
    if (initial) {
      $("query").value = initial;
      runQuery(initial);
    }
  });
})();
