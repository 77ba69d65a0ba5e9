// IP Commons portal: progressive enhancement only; every page works without this file.
(function () {
  "use strict";
  // htmx requests carry the page's CSRF token in a header.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  });

  // The guided query builder writes query text from rows of field, words and operator.
  var DATE_FIELDS = ["PD", "AD", "PRD"];
  var CODE_FIELDS = ["IPC", "CPC", "PN", "AN", "CC", "KIND"];
  function quote(words) {
    words = words.trim();
    if (!words) { return ""; }
    if (/\s/.test(words) && !/^".*"$/.test(words) && !/\b(OR|AND|NOT)\b/.test(words)) { return '"' + words + '"'; }
    return words;
  }
  function buildQuery(form) {
    var parts = [];
    form.querySelectorAll(".builder-row").forEach(function (row, index) {
      var field = row.querySelector("[name=b_field]").value;
      var words = quote(row.querySelector("[name=b_words]").value);
      var op = row.querySelector("[name=b_op]").value;
      if (!words) { return; }
      var clause;
      if (!field) { clause = words; }
      else if (DATE_FIELDS.indexOf(field) >= 0) { clause = field + (/^[<>=]/.test(words) ? words : "=" + words); }
      else if (CODE_FIELDS.indexOf(field) >= 0) { clause = field + "=" + words; }
      else { clause = field + "=(" + words + ")"; }
      parts.push((parts.length ? op + " " : "") + clause);
    });
    return parts.join(" ");
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) { return; }
    if (target.matches("[data-builder-apply]")) {
      var form = target.closest("form");
      var box = document.getElementById("q");
      if (form && box) { box.value = buildQuery(form); box.focus(); }
      event.preventDefault();
    }
    if (target.matches("[data-builder-add]")) {
      var rows = target.closest("form").querySelectorAll(".builder-row");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      rows[rows.length - 1].after(copy);
      event.preventDefault();
    }
  });
})();
