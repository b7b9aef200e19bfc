/* Glossary search: every word of every entry, entirely in the browser, no network.
   The index is a script (search-index.js sets window.GLOSSARY_SEARCH; see
   pipeline/formats/html/search.py) because fetching a JSON file is refused on file://. It is
   loaded, with the Snowball stemmer of the book's language, when the field is first used; the
   texts for the snippets (search-text.js, deflated in blocks) load beside it, and the hits show
   without waiting for them.
   Words are keys: lower case, Snowball stem (the German one also reads ae/oe/ue as umlauts
   and ß as ss), accents folded, the same on both sides. A query word matches a key exactly, as
   the start of a longer one, as the last part of a compound ("Verfahren" in
   "Einmalschlüsselverfahren"), or through its own parts ("Verschlüsselungsverfahren" is
   Verschlüsselung + Verfahren). Ranking: title > alias > tagline > text, then how often.
   Every text from the index is inserted as text (textContent), never as HTML.
   Keys: "/" focuses the field, arrow keys move through the hits, Enter opens, Escape closes. */
(function () {
  "use strict";

  var MAX_HITS = 12;
  var SNIPPET = 170;  // characters of a snippet, about two lines of the results list
  var PREFIX_WORDS = 60;  // longer words a query word may be the start of
  var FIELD = [10, 30, 60, 100];  // text, tagline, alias, title (as the index codes them)
  var box = document.querySelector(".search");
  if (!box) { return; }

  var input = box.querySelector("input");
  var list = box.querySelector("[role=listbox]");
  var status = box.querySelector("[role=status]");
  var root = box.getAttribute("data-root") || "";
  var algorithm = box.getAttribute("data-stemmer") || "";
  var labels = {
    none: box.getAttribute("data-none") || "No results",
    results: box.getAttribute("data-results") || "results",
    also: box.getAttribute("data-also") || "Also"
  };
  var WORD = /[\p{L}\p{N}]+/gu;
  var index = null;  // the loaded index, see load()
  var loading = null;
  var hits = [];
  var active = -1;

  /* --- loading ------------------------------------------------------------------------- */

  /* Scripts added together download side by side and run in the order added (async off). */
  function script(name) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.async = false;
      el.src = root + "assets/" + name;
      el.onload = resolve;
      el.onerror = function () { reject(new Error("cannot load " + name)); };
      document.head.appendChild(el);
    });
  }

  /* One block of snippet texts: raw deflate in base64, TEXT_BLOCK terms split by \x01. */
  function inflate(base64) {
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).text().then(function (text) { return text.split("\x01"); });
  }

  function load() {
    if (loading) { return loading; }
    var scripts = algorithm ? ["snowball/base-stemmer.js", "snowball/" + algorithm + "-stemmer.js"] : [];
    var ready = Promise.all(scripts.concat(["search-index.js"]).map(script));
    var texts = script("search-text.js");
    loading = ready.then(function () {
      var data = window.GLOSSARY_SEARCH;
      if (!data || data.v !== 2) { throw new Error("search-index.js is not a version 2 index"); }
      index = prepare(data);
      index.texts = texts.then(function () {
        var t = window.GLOSSARY_SEARCH_TEXT;
        if (!t || t.v !== 2) { throw new Error("search-text.js is not version 2"); }
        return t;
      });
      return index;
    });
    return loading;
  }

  /* The plain text of term number `doc`, for its snippet. */
  function textOf(doc) {
    return index.texts.then(function (t) {
      var n = Math.floor(doc / t.block);
      if (!index.blocks[n]) { index.blocks[n] = inflate(t.text[n]); }
      return index.blocks[n].then(function (block) { return block[doc - n * t.block] || ""; });
    });
  }

  function prepare(data) {
    var Stemmer = data.stemmer && window[data.stemmer.charAt(0).toUpperCase() + data.stemmer.slice(1) + "Stemmer"];
    var set = Object.create(null);
    data.words.forEach(function (w, i) { set[w] = i; });
    return {
      docs: data.docs, words: data.words, post: data.post, at: set, blocks: [],
      stemmer: Stemmer ? new Stemmer() : null, compounds: !!data.compounds,
      keys: Object.create(null), decoded: Object.create(null)
    };
  }

  /* --- words to keys (as search.py's Analyser) ----------------------------------------- */

  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "");
  }

  function key(word) {
    var found = index.keys[word];
    if (found === undefined) {
      var lower = word.toLowerCase();
      found = index.keys[word] = fold(index.stemmer ? index.stemmer.stemWord(lower) : lower);
    }
    return found;
  }

  function words(text) {
    return text.normalize("NFC").match(WORD) || [];
  }

  /* The postings of word number i: [term number, code] pairs; see search.py's _encode. */
  var TERMINAL = "abcdefghijklmnopqrstuvwxyz012345";
  var MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ6789-_";

  function postings(i) {
    var found = index.decoded[i];
    if (found) { return found; }
    var text = index.post[i];
    var out = [];
    var doc = 0;
    var n = 0;
    for (var p = 0; p < text.length; p++) {
      var c = text.charAt(p);
      var t = TERMINAL.indexOf(c);
      if (t < 0) { n = n * 32 + MORE.indexOf(c); continue; }
      n = n * 32 + t;
      doc += Math.floor(n / 16);
      out.push(doc, n % 16);
      n = 0;
    }
    index.decoded[i] = out;
    return out;
  }

  function firstAtLeast(word) {
    var lo = 0;
    var hi = index.words.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (index.words[mid] < word) { lo = mid + 1; } else { hi = mid; }
    }
    return lo;
  }

  /* --- one query word to the index's words, each with a weight ------------------------- */

  function known(surface) {
    var k = key(surface);
    return k.length >= 3 && index.at[k] !== undefined ? k : null;
  }

  var LINKS = ["", "s", "es", "n", "en", "e"];  // German linking elements (Fugen) after a part

  /* A compound cut into known words, longest first part first: null if it cannot be. */
  function split(word, depth) {
    if (depth > 3) { return null; }
    for (var cut = word.length - 3; cut >= 3; cut--) {
      var head = known(word.slice(0, cut));
      if (!head) { continue; }
      var rest = word.slice(cut);
      for (var l = 0; l < LINKS.length; l++) {
        if (LINKS[l] && rest.indexOf(LINKS[l]) !== 0) { continue; }
        var tail = rest.slice(LINKS[l].length);
        if (tail.length < 3) { continue; }
        var whole = known(tail);
        if (whole) { return [head, whole]; }
        var parts = split(tail, depth + 1);
        if (parts) { return [head].concat(parts); }
      }
    }
    return null;
  }

  function expand(word) {
    var k = key(word);
    var matches = Object.create(null);  // word number -> weight
    function add(i, weight) { if (!(matches[i] >= weight)) { matches[i] = weight; } }
    if (index.at[k] !== undefined) { add(index.at[k], 1); }
    var raw = fold(word.toLowerCase());
    var starts = [k];
    if (raw !== k) { starts.push(raw); }  // "verschl" is no stem, but the start of one
    starts.forEach(function (start) {
      if (start.length < 2) { return; }
      for (var i = firstAtLeast(start), n = 0; i < index.words.length && n < PREFIX_WORDS; i++, n++) {
        if (index.words[i].indexOf(start) !== 0) { break; }
        add(i, 0.7);
      }
    });
    if (index.compounds && k.length >= 4) {
      for (var j = 0; j < index.words.length; j++) {
        var w = index.words[j];
        if (w.length > k.length + 2 && w.slice(-k.length) === k) { add(j, 0.5); }
      }
    }
    var parts = index.compounds && word.length >= 8 ? split(word.toLowerCase(), 0) : null;
    if (parts) {
      // Where the book has the whole word (or words it starts), they come first.
      var weight = Object.keys(matches).length ? 0.2 : 0.45;
      parts.forEach(function (part) { add(index.at[part], weight); });
    }
    return matches;
  }

  /* --- ranking -------------------------------------------------------------------------- */

  function score(code, weight) {
    return (FIELD[code >> 2] + (code & 3) * 2) * weight;
  }

  function search(text) {
    var query = words(text);
    if (!query.length) { return []; }
    var totals = null;
    var best = [];  // per query word: term number -> the field code of its best match
    var keys = Object.create(null);  // every index word matched: what the snippets highlight
    query.forEach(function (word, q) {
      var matches = expand(word);
      Object.keys(matches).forEach(function (i) { keys[index.words[i]] = true; });
      var scores = new Map();
      best[q] = new Map();
      Object.keys(matches).forEach(function (i) {
        var pairs = postings(+i);
        for (var p = 0; p < pairs.length; p += 2) {
          var s = score(pairs[p + 1], matches[i]);
          if (!(scores.get(pairs[p]) >= s)) { scores.set(pairs[p], s); best[q].set(pairs[p], pairs[p + 1]); }
        }
      });
      if (totals === null) { totals = scores; return; }
      var both = new Map();
      totals.forEach(function (s, doc) { if (scores.has(doc)) { both.set(doc, s + scores.get(doc)); } });
      totals = both;
    });
    var whole = fold(text.trim().toLowerCase());
    var found = [];
    totals.forEach(function (s, doc) {
      var title = fold(index.docs[doc][0].toLowerCase());
      var bonus = title === whole ? 200 : title.indexOf(whole) === 0 ? 40 : 0;
      var byAlias = query.some(function (_, q) { return best[q].get(doc) >> 2 === 2; });
      found.push({ doc: doc, score: s + bonus, alias: byAlias });
    });
    found.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return found.map(function (hit) {
      var d = index.docs[hit.doc];
      return { title: d[0], page: d[3], tagline: d[2], score: hit.score,
               alias: hit.alias ? aliasOf(d[1], keys) : null, doc: hit.doc, keys: keys };
    });
  }

  function aliasOf(aliases, keys) {
    for (var i = 0; i < aliases.length; i++) {
      if (words(aliases[i]).some(function (w) { return keys[key(w)]; })) { return aliases[i]; }
    }
    return null;
  }

  /* --- snippets ------------------------------------------------------------------------ */

  /* [start, end] of every word of `text` that a query word matched. */
  function spans(text, keys) {
    var out = [];
    var re = new RegExp(WORD.source, "gu");
    var m;
    while ((m = re.exec(text)) !== null) {
      if (keys[key(m[0])]) { out.push([m.index, m.index + m[0].length]); }
    }
    return out;
  }

  /* Text with its matches in <mark>, as text nodes and elements. */
  function marked(parent, text, offset, found) {
    var at = 0;
    found.forEach(function (span) {
      var start = span[0] - offset;
      var end = span[1] - offset;
      if (start < at || end > text.length) { return; }
      parent.appendChild(document.createTextNode(text.slice(at, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      parent.appendChild(mark);
      at = end;
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function snippet(hit, text) {
    var found = spans(text, hit.keys);
    if (!found.length) { return null; }
    var first = found[0][0];
    var start = Math.max(0, first - 50);
    var back = start;  // to the start of a word (blocks end in a line break, words in a space)
    while (back > 0 && back > first - 80 && !/\s/.test(text.charAt(back - 1))) { back--; }
    start = back === 0 || /\s/.test(text.charAt(back - 1)) ? back : start;
    var end = Math.min(text.length, start + SNIPPET);
    while (end < text.length && end > found[0][1] && !/\s/.test(text.charAt(end))) { end--; }
    var piece = text.slice(start, end).replace(/\n/g, " ");
    var el = document.createElement("span");
    el.className = "hit-snippet";
    marked(el, (start > 0 ? "… " : "") + piece + (end < text.length ? " …" : ""),
           start - (start > 0 ? 2 : 0), found.filter(function (s) { return s[0] >= start && s[1] <= end; }));
    return el;
  }

  /* --- the results list ---------------------------------------------------------------- */

  /* The link itself is the option (no control inside a control), so it can still be opened
     in a new tab. */
  function option(hit, i) {
    var li = document.createElement("li");
    li.setAttribute("role", "presentation");
    var a = document.createElement("a");
    a.id = "search-hit-" + i;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.href = root + hit.page;
    a.tabIndex = -1;
    var title = document.createElement("span");
    title.className = "hit-title";
    marked(title, hit.title, 0, spans(hit.title, hit.keys));
    a.appendChild(title);
    if (hit.alias) {
      var alias = document.createElement("span");
      alias.className = "hit-alias";
      alias.textContent = "(" + labels.also + ": " + hit.alias + ")";
      a.appendChild(alias);
    }
    if (hit.tagline) {
      var tag = document.createElement("span");
      tag.className = "hit-tagline";
      tag.textContent = hit.tagline;
      a.appendChild(tag);
    }
    li.appendChild(a);
    a.addEventListener("mousemove", function () { select(i); });
    return li;
  }

  var shown = null;  // the query the list shows
  function show(all, text) {
    shown = text;
    hits = all.slice(0, MAX_HITS);
    list.textContent = "";
    var links = hits.map(function (hit, i) {
      var li = option(hit, i);
      list.appendChild(li);
      return li.firstChild;
    });
    snippets(hits, links, text);
    if (!hits.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = labels.none;
      list.appendChild(none);
    }
    active = -1;
    input.removeAttribute("aria-activedescendant");
    setOpen(true);
    status.textContent = all.length ? all.length + " " + labels.results : labels.none;
  }

  /* The snippets, once the hits' texts are there (the list does not wait for them). */
  function snippets(shownHits, links, text) {
    list.setAttribute("data-snippets", "pending");
    Promise.all(shownHits.map(function (hit, i) {
      return textOf(hit.doc).then(function (body) {
        var more = shown === text && snippet(hit, body);
        if (more) { links[i].appendChild(more); }
      });
    })).then(function () {
      if (shown === text) { list.setAttribute("data-snippets", "done"); }
    }, function () { list.setAttribute("data-snippets", "none"); });
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
    items.forEach(function (item, n) { item.setAttribute("aria-selected", n === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function open(i) {
    if (hits[i]) { window.location.href = root + hits[i].page; }
  }

  var asked = "";
  function update() {
    var text = input.value.trim();
    asked = text;
    if (!text) { setOpen(false); shown = null; status.textContent = ""; return; }
    load().then(function () {
      if (text === asked) { show(search(text), text); }  // a later keystroke has its own turn
    });
  }

  input.addEventListener("input", update);
  input.addEventListener("focus", function () { load(); if (input.value.trim()) { update(); } });
  box.addEventListener("pointerenter", function () { load(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) { update(); }
      select(active < 0 && event.key === "ArrowUp" ? -1 : active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) { return; }
      load().then(function () {
        if (text !== shown) { show(search(text), text); }  // Enter before the list came up
        open(active < 0 ? 0 : active);
      });
    } else if (event.key === "Escape") {
      asked = null;  // a search still waiting for the index must not open the list after Escape
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
  /* For tests and benchmarks: the same search the field runs, without the list. */
  window.GlossarySearch = {
    ready: load,
    search: function (text) { return search(text).map(function (h) { return { title: h.title, page: h.page, score: h.score, alias: h.alias }; }); },
    key: function (word) { return key(word); },
    snippet: function (text, n) {
      var h = search(text)[n || 0];
      return h ? textOf(h.doc).then(function (body) { var s = snippet(h, body); return s ? s.innerHTML : null; }) : null;
    }
  };
  box.hidden = false;
}());
