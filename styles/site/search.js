/* Glossary search: titles, aliases and taglines, entirely in the browser.
   The index is a script (search-index.js sets window.GLOSSARY_SEARCH) because fetching a
   JSON file is blocked on file://. No framework, no build step, no network.
   Keys: "/" focuses the field, arrow keys move through the hits, Enter opens, Escape closes. */
(function () {
  "use strict";

  var MAX_HITS = 12;
  var box = document.querySelector(".search");
  var data = window.GLOSSARY_SEARCH;
  if (!box || !Array.isArray(data)) { return; }

  var input = box.querySelector("input");
  var list = box.querySelector("[role=listbox]");
  var status = box.querySelector("[role=status]");
  var root = box.getAttribute("data-root") || "";
  var words = {
    none: box.getAttribute("data-none") || "No results",
    results: box.getAttribute("data-results") || "results",
    also: box.getAttribute("data-also") || "Also"
  };
  var hits = [];
  var active = -1;

  /* Lower case, no accents, ß as ss: "Öl" and "ol" meet. */
  function fold(text) {
    return text.toLowerCase().replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  /* German spelling without umlauts ("Oeffentlich") should find "Öffentlich" too. */
  function keys(text) {
    var plain = fold(text);
    var spelled = fold(text.replace(/[äÄ]/g, "ae").replace(/[öÖ]/g, "oe").replace(/[üÜ]/g, "ue"));
    return spelled === plain ? [plain] : [plain, spelled];
  }

  var entries = data.map(function (item, order) {
    return {
      item: item,
      order: order,
      title: keys(item.t),
      aliases: item.a.map(function (a) { return { text: a, keys: keys(a) }; }),
      tagline: keys(item.g || "")
    };
  });

  var BOUNDARY = /[\s\-–(/.,:;)]/;

  /* How well one query word matches one text: whole text > its start > a whole word >
     a word's start > anywhere inside. */
  function wordScore(keyList, word) {
    var best = 0;
    keyList.forEach(function (key) {
      var at = key.indexOf(word);
      var score = 0;
      var startsWord = at === 0 || (at > 0 && BOUNDARY.test(key.charAt(at - 1)));
      var endsWord = at >= 0 && (at + word.length === key.length || BOUNDARY.test(key.charAt(at + word.length)));
      if (key === word) { score = 100; }
      else if (at === 0) { score = 60; }
      else if (startsWord && endsWord) { score = 50; }
      else if (startsWord) { score = 35; }
      else if (at > 0) { score = 12; }
      if (score > best) { best = score; }
    });
    return best;
  }

  function score(entry, query, wordsOf) {
    var total = 0;
    var alias = null;
    var whole = wordScore(entry.title, query) * 4;
    entry.aliases.forEach(function (a) {
      var s = wordScore(a.keys, query) * 3;
      if (s > whole) { whole = s; alias = a.text; }
    });
    for (var i = 0; i < wordsOf.length; i++) {
      var w = wordsOf[i];
      var best = Math.max(wordScore(entry.title, w) * 3, wordScore(entry.tagline, w));
      entry.aliases.forEach(function (a) {
        var s = wordScore(a.keys, w) * 2;
        if (s > best) { best = s; if (!alias && s > wordScore(entry.title, w) * 3) { alias = a.text; } }
      });
      if (best === 0) { return null; }
      total += best;
    }
    return { entry: entry, score: total + whole, alias: alias };
  }

  function search(text) {
    var query = fold(text.trim()).replace(/\s+/g, " ");
    if (!query) { return []; }
    var wordsOf = query.split(" ");
    var found = [];
    entries.forEach(function (entry) {
      var hit = score(entry, query, wordsOf);
      if (hit) { found.push(hit); }
    });
    found.sort(function (a, b) { return b.score - a.score || a.entry.order - b.entry.order; });
    return found.slice(0, MAX_HITS);
  }

  function option(hit, i) {
    var li = document.createElement("li");
    li.id = "search-hit-" + i;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    var a = document.createElement("a");
    a.href = root + hit.entry.item.u;
    a.tabIndex = -1;
    var title = document.createElement("span");
    title.className = "hit-title";
    title.textContent = hit.entry.item.t;
    a.appendChild(title);
    if (hit.alias) {
      var alias = document.createElement("span");
      alias.className = "hit-alias";
      alias.textContent = "(" + words.also + ": " + hit.alias + ")";
      a.appendChild(alias);
    }
    if (hit.entry.item.g) {
      var tag = document.createElement("span");
      tag.className = "hit-tagline";
      tag.textContent = hit.entry.item.g;
      a.appendChild(tag);
    }
    li.appendChild(a);
    li.addEventListener("mousemove", function () { select(i); });
    return li;
  }

  function show() {
    list.textContent = "";
    hits.forEach(function (hit, i) { list.appendChild(option(hit, i)); });
    if (!hits.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = words.none;
      list.appendChild(none);
    }
    active = -1;
    input.removeAttribute("aria-activedescendant");
    setOpen(true);
    status.textContent = hits.length ? hits.length + " " + words.results : words.none;
  }

  function setOpen(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { input.removeAttribute("aria-activedescendant"); active = -1; }
  }

  function select(i) {
    var items = list.querySelectorAll("[role=option]");
    if (!items.length) { return; }
    active = (i + items.length) % items.length;
    items.forEach(function (li, n) { li.setAttribute("aria-selected", n === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function open(i) {
    if (hits[i]) { window.location.href = root + hits[i].entry.item.u; }
  }

  function update() {
    if (!input.value.trim()) { setOpen(false); status.textContent = ""; return; }
    hits = search(input.value);
    show();
  }

  input.addEventListener("input", update);
  input.addEventListener("focus", function () { if (input.value.trim()) { update(); } });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) { update(); }
      select(active < 0 && event.key === "ArrowUp" ? -1 : active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      open(active < 0 ? 0 : active);
    } else if (event.key === "Escape") {
      if (!list.hidden) { setOpen(false); } else { input.value = ""; }
    }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) { setOpen(false); }
  });
  box.hidden = false;
}());
