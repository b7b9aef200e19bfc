/* glossary serve: reload the page when the site was rebuilt; show the last build's findings.
   Added to pages by the server only (the built site never contains it). No inline code and no
   eval, so it runs under a Content-Security-Policy of script-src 'self'. */
(function () {
  "use strict";
  var script = document.currentScript;
  var served = script ? script.getAttribute("data-generation") : null;
  var HIDDEN = "glossary-serve-hidden";
  var box = null;
  var badge = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function where(d) {
    var w = d.file || "(source)";
    if (d.line) w += ":" + d.line + (d.column ? ":" + d.column : "");
    return w;
  }

  function item(d) {
    var li = el("li", "gs-item gs-" + d.severity + (d.recent ? " gs-recent" : ""));
    li.appendChild(el("code", "gs-where", where(d)));
    li.appendChild(el("span", "gs-code", d.severity + "[" + d.code + "]"));
    li.appendChild(el("span", "gs-message", d.message));
    if (d.hint) li.appendChild(el("span", "gs-hint", d.hint));
    return li;
  }

  function count(items, severity) {
    return items.filter(function (d) { return d.severity === severity; }).length;
  }

  function title(s, items) {
    if (s.failure) return "Build failed: the previous site is still shown";
    var e = count(items, "error"), w = count(items, "warning");
    return e + " error" + (e === 1 ? "" : "s") + ", " + w + " warning" + (w === 1 ? "" : "s") +
      (s.more ? " (" + s.more + " more in the terminal)" : "");
  }

  function signature(s, items) {
    return JSON.stringify([s.pdf && s.pdf.state === "failed" ? s.pdf.message : "",
      items.map(function (d) { return [where(d), d.code, d.message]; })]);
  }

  function hide(sig) {
    try { sessionStorage.setItem(HIDDEN, sig); } catch (e) { /* storage off: hide for now */ }
    if (box) box.hidden = true;
  }

  function hidden(sig) {
    try { return sessionStorage.getItem(HIDDEN) === sig; } catch (e) { return false; }
  }

  function render(s) {
    var items = (s.failure ? [s.failure] : []).concat(s.diagnostics || []);
    var pdfFailed = s.pdf && s.pdf.state === "failed";
    var sig = signature(s, items);
    if (box) { box.remove(); box = null; }
    if ((!items.length && !pdfFailed) || hidden(sig)) return;
    box = el("aside", s.failure ? "gs-failed" : "");
    box.id = "glossary-serve-overlay";
    box.setAttribute("aria-label", "Build findings");
    var head = el("div", "gs-head");
    head.appendChild(el("strong", "gs-title", title(s, items)));
    var close = el("button", "gs-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Hide until the findings change");
    close.addEventListener("click", function () { hide(sig); });
    head.appendChild(close);
    box.appendChild(head);
    var list = el("ul", "gs-list");
    items.forEach(function (d) { list.appendChild(item(d)); });
    if (pdfFailed) list.appendChild(item({ severity: "error", code: "PDF", file: "", line: 0,
      message: s.pdf.message, hint: "" }));
    box.appendChild(list);
    document.body.appendChild(box);
  }

  function status(s) {
    if (!badge) {
      badge = el("div", "");
      badge.id = "glossary-serve-status";
      badge.setAttribute("role", "status");
      document.body.appendChild(badge);
    }
    var pdf = s.pdf && s.pdf.state === "building" ? "building the PDF\u2026" : "";
    badge.textContent = s.building ? "rebuilding\u2026" : pdf;
    badge.hidden = !badge.textContent;
  }

  var events = new EventSource("/__glossary__/events");
  events.addEventListener("state", function (e) {
    var s = JSON.parse(e.data);
    if (served !== null && s.generation > 0 && String(s.generation) !== served) {
      events.close();
      location.reload();
      return;
    }
    render(s);
    status(s);
  });
})();
