// IP Commons portal: what must be in place before the first paint: the header's menu button on a
// phone or a small tablet, the charts' room and the panels a phone starts closed.
// Loaded in the head, not deferred: the class it sets at once folds the header (app.css) before the
// first paint; a deferred script folded it after, and every page jumped (a layout shift of 0.09 at
// 390 px). The class and the button's behaviour come from this one file, so a page that lacks it
// shows every link, as it does without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("has-menu");
  // The same goes for a page's charts: "charts-pending" keeps each chart's box (app.css) and folds
  // the table of the same numbers before the first paint, so the chart drawn later (app.js,
  // reports.js) lands in a space already there; drawn after, it pushed the page down by its height
  // and the folded table pulled it up (a layout shift of up to 0.25). Should a chart stay undrawn
  // (its script did not load), the page falls back to its tables once it has loaded.
  document.documentElement.classList.add("charts-pending");
  window.addEventListener("load", function () {
    if (document.querySelector(".chart[hidden]")) { document.documentElement.classList.remove("charts-pending"); }
  });
  // On a phone or a small tablet the header folds its links behind the menu button (app.css): the
  // button opens and closes them; Escape closes them and gives the button back the focus; and they
  // close when the focus or a tap goes elsewhere on the page (an open menu pushed the page down).
  function foldableHeader() {
    var header = document.querySelector("header.site");
    var button = header && header.querySelector(".menu-toggle");
    if (!button) { return; }
    function isOpen() { return header.classList.contains("open"); }
    function setOpen(open) {
      header.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () { setOpen(!isOpen()); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) { setOpen(false); button.focus(); }
    });
    header.addEventListener("focusout", function (event) {
      if (isOpen() && event.relatedTarget && !header.contains(event.relatedTarget)) { setOpen(false); }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !header.contains(event.target)) { setOpen(false); }
    });
    // a window grown past the fold (a tablet turned) shows every link: the button is gone, so is "open"
    window.matchMedia("(max-width: 56rem)").addEventListener("change", function (event) {
      if (!event.matches) { setOpen(false); }
    });
  }
  document.addEventListener("DOMContentLoaded", foldableHeader);

  // A panel marked data-phone-closed (the search page's query builder, open by default) starts
  // closed on a phone, where it took most of the first screen. Until the page is parsed app.css
  // shows only its summary ("phone-closing"); then it is closed for real and the class goes: the
  // panel looks the same throughout and nothing moves. The width is app.css's phone width.
  document.documentElement.classList.add("phone-closing");
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(max-width: 40rem)").matches) {
      document.querySelectorAll("details[data-phone-closed]").forEach(function (panel) { panel.open = false; });
    }
    document.documentElement.classList.remove("phone-closing");
  });
})();
