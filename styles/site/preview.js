/* Definition previews: a link to a term shows the term's title, tagline and first sentence
   in a popover, on hover (after a moment) and on keyboard focus, as WCAG 2.2 SC 1.4.13 asks:
   Escape closes it, the pointer can move into it, it stays until the pointer or focus leaves,
   and it is placed beside the link, never over it. On a touch screen the first tap shows the
   preview with a "go to entry" link; a second tap on the link follows it.
   The texts are prebuilt (preview-data.js sets window.GLOSSARY_PREVIEW, keyed by page, loaded
   when first needed: fetching is refused on file://) and inserted as text, never as HTML.
   Without JavaScript the links simply work. */
(function () {
  "use strict";

  var OPEN_DELAY = 350;  // ms of hovering before the preview opens (a pointer passing by is no request)
  var CLOSE_DELAY = 300;  // ms to move the pointer from the link into the preview
  var GAP = 6;  // px between link and preview
  var MARGIN = 8;  // px the preview keeps from the window's edges
  var me = document.currentScript;
  if (!me || !window.Promise) { return; }
  var labels = { go: me.getAttribute("data-go") || "Go to entry", preview: me.getAttribute("data-label") || "Preview" };
  var site = new URL("../", me.src).href;  // the script lives in <site>/assets/
  var data = null;
  var loading = null;
  var box = null;
  var current = null;  // the link whose preview is shown
  var mode = "";  // "hover", "focus" or "touch"
  var dismissed = null;  // the link whose preview Escape closed (until pointer and focus leave it)
  var openTimer = 0;
  var closeTimer = 0;
  var lastPointer = "";

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var el = document.createElement("script");
        el.src = site + "assets/preview-data.js";
        el.onload = function () { data = window.GLOSSARY_PREVIEW || {}; resolve(data); };
        el.onerror = function () { reject(new Error("cannot load preview-data.js")); };
        document.head.appendChild(el);
      });
    }
    return loading;
  }

  /* The site path of the term page a link leads to, or "" (another page, this page, outside). */
  function target(link) {
    if (!link || !link.closest("main") || link.closest(".term-list, .term-preview, .pager")) { return ""; }
    if (link.classList.contains("footnote-ref") || link.hasAttribute("download")) { return ""; }
    var url = new URL(link.href, document.baseURI);
    var here = new URL(document.URL);
    url.hash = "";
    here.hash = "";
    if (url.href === here.href || url.href.indexOf(site) !== 0) { return ""; }
    var path = decodeURIComponent(url.href.slice(site.length));
    return path.indexOf("terms/") === 0 ? path : "";
  }

  function linkOf(node) {
    var link = node && node.closest ? node.closest("a[href]") : null;
    return link && target(link) ? link : null;
  }

  function make() {
    box = document.createElement("div");
    box.id = "term-preview";
    box.className = "term-preview";
    box.hidden = true;
    box.addEventListener("pointerenter", function () { clearTimeout(closeTimer); });
    box.addEventListener("pointerleave", function (e) {
      if (mode === "hover" && !(current && current.contains(e.relatedTarget))) { later(close); }
    });
    // Inside <main>: a landmark holds it (it is part of the text it explains).
    (document.querySelector("main") || document.body).appendChild(box);
  }

  function paragraph(cls, text) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    box.appendChild(p);
    return p;
  }

  function fill(link, entry, touch) {
    box.textContent = "";
    paragraph("preview-title", entry[0]);
    if (entry[1]) { paragraph("preview-tagline", entry[1]); }
    if (entry[2]) { paragraph("preview-text", entry[2]); }
    if (touch) {
      var go = document.createElement("a");
      go.href = link.href;
      go.textContent = labels.go + " →";
      paragraph("preview-go", "").appendChild(go);
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", labels.preview + ": " + entry[0]);
    } else {
      box.setAttribute("role", "tooltip");
      box.removeAttribute("aria-label");
    }
  }

  /* Below the link if it fits, else above; else on the roomier side, scrolling inside. */
  function place(link) {
    var r = link.getBoundingClientRect();
    var vw = document.documentElement.clientWidth;
    var vh = document.documentElement.clientHeight;
    box.style.maxHeight = "";
    box.style.maxWidth = (vw - 2 * MARGIN) + "px";
    var h = box.offsetHeight;
    var below = vh - r.bottom - GAP - MARGIN;
    var above = r.top - GAP - MARGIN;
    var down = h <= below || (h > above && below >= above);
    if (h > (down ? below : above)) {
      box.style.maxHeight = Math.max(down ? below : above, 0) + "px";
      h = box.offsetHeight;
    }
    var top = down ? r.bottom + GAP : r.top - GAP - h;
    var left = Math.min(Math.max(r.left, MARGIN), vw - MARGIN - box.offsetWidth);
    box.style.top = (top + window.scrollY) + "px";
    box.style.left = (Math.max(left, MARGIN) + window.scrollX) + "px";
    box.setAttribute("data-side", down ? "below" : "above");
  }

  /* Resolves to whether the preview is shown (a page under a former id has none). */
  function show(link, how) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (link === dismissed) { return Promise.resolve(false); }
    return load().then(function () {
      var entry = data[target(link)];
      if (!entry) { return false; }
      if (!box) { make(); }
      if (current && current !== link) { current.removeAttribute("aria-describedby"); }
      current = link;
      mode = how;
      fill(link, entry, how === "touch");
      box.hidden = false;
      place(link);
      if (how !== "touch") { link.setAttribute("aria-describedby", box.id); }
      return true;
    }, function () { return false; });
  }

  function close() {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (box) { box.hidden = true; }
    if (current) { current.removeAttribute("aria-describedby"); }
    current = null;
    mode = "";
  }

  function later(fn) {
    clearTimeout(closeTimer);
    closeTimer = setTimeout(fn, CLOSE_DELAY);
  }

  document.addEventListener("pointerover", function (e) {
    lastPointer = e.pointerType;
    if (e.pointerType === "touch") { return; }
    var link = linkOf(e.target);
    if (!link) { return; }
    if (link === current) { clearTimeout(closeTimer); return; }
    clearTimeout(openTimer);
    openTimer = setTimeout(function () { show(link, "hover"); }, OPEN_DELAY);
  });
  document.addEventListener("pointerout", function (e) {
    if (e.pointerType === "touch") { return; }
    var link = linkOf(e.target);
    if (!link || link.contains(e.relatedTarget)) { return; }
    clearTimeout(openTimer);
    if (link === dismissed) { dismissed = null; }
    if (link === current && mode === "hover" && !(box && box.contains(e.relatedTarget))) { later(close); }
  });
  document.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType; });
  document.addEventListener("focusin", function (e) {
    var link = linkOf(e.target);
    // Focus from the keyboard only: a click focuses the link too, and is no request to preview.
    if (link && lastPointer !== "touch" && link.matches(":focus-visible")) { show(link, "focus"); }
  });
  document.addEventListener("focusout", function (e) {
    var link = linkOf(e.target);
    if (!link) { return; }
    if (link === dismissed) { dismissed = null; }
    if (link === current && mode === "focus") { close(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && current) {
      dismissed = current;
      close();
    }
  });
  document.addEventListener("click", function (e) {
    var link = linkOf(e.target);
    if (link && lastPointer === "touch") {
      if (link === current && mode === "touch") { return; }  // the second tap: follow the link
      e.preventDefault();
      show(link, "touch").then(function (shown) { if (!shown) { window.location.href = link.href; } });
      return;
    }
    if (current && mode === "touch" && !(box && box.contains(e.target))) { close(); }
  });
  window.addEventListener("resize", function () { if (current && mode !== "touch") { close(); } });
}());
