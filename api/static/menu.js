// IP Commons portal: the header's menu button on a phone or a small tablet.
// Loaded in the head, not deferred: the class it sets at once folds the header (app.css) before the
// first paint; a deferred script folded it after, and every page jumped (a layout shift of 0.09 at
// 390 px). The class and the button's behaviour come from this one file, so a page that lacks it
// shows every link, as it does without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("has-menu");
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
})();
