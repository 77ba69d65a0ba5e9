// IP Commons portal: progressive enhancement only; every page works without this file.
(function () {
  "use strict";
  // htmx requests carry the page's CSRF token in a header.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  });

  // A table wider than its box scrolls sideways; a keyboard reaches the scroll only when the box
  // can take the focus, so a box that overflows is put in the tab order (and taken out when the
  // window grows wide enough for its table).
  function focusableScrolls() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) { box.setAttribute("tabindex", "0"); }
      else if (box.getAttribute("tabindex") === "0") { box.removeAttribute("tabindex"); }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrolls);
  document.addEventListener("htmx:afterSettle", focusableScrolls);
  window.addEventListener("resize", focusableScrolls);

  // A form sent back refused marks the fields its refusal is about (aria-invalid, described by the
  // refusal's words): the first takes the focus, so a screen reader says it and its reason and the
  // person types there at once (the focus was at the page's top). Not when something has the focus
  // already, or the address names another place on the page: a form posted to its own place
  // (action="…#offer", "…#reply", "…#form-error") comes back there, and the field is in it.
  function placeOf(hash) {
    try { return document.getElementById(decodeURIComponent(hash.slice(1))); } catch (e) { return null; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var active = document.activeElement;
    if (active && active !== document.body) { return; }
    var field = document.querySelector('main :is(input, select, textarea)[aria-invalid="true"]');
    if (!field) { return; }
    if (!window.location.hash) { field.focus(); return; }
    var place = placeOf(window.location.hash);
    if (!(place && (place.contains(field) || (field.form && field.form.contains(place))))) { return; }
    // the browser goes to the address's place once the page has loaded, taking the focus from a field
    window.addEventListener("load", function () {
      var now = document.activeElement;
      if (!now || now === document.body) { field.focus(); }
    });
  });

  // A form refused with 400 answers with the item and the reason: htmx swaps it in like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });

  // An in-place change (a tag added or taken off, a note, a document removed) replaces the control
  // that had the focus, which fell to the page's top: htmx keeps it only for a field with an id. It
  // goes back into the changed item (its field of the same name, else the item), or, the item gone,
  // to the next one (else the list), so a keyboard's next Tab goes on from where it was.
  var focusBefore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, active = document.activeElement;
    focusBefore = null;
    if (target && target.id && active && target.contains(active)) {
      var next = target.nextElementSibling || target.previousElementSibling;
      focusBefore = { id: target.id, name: active.getAttribute("name"), next: next && next.id,
                      list: target.parentElement };
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = focusBefore;
    focusBefore = null;
    if (!was || (document.activeElement && document.activeElement !== document.body)) { return; }
    var item = document.getElementById(was.id);
    var field = item && was.name ? item.querySelector('[name="' + CSS.escape(was.name) + '"]:not([type="hidden"])') : null;
    var to = field || item || (was.next && document.getElementById(was.next)) || was.list;
    if (!to || !to.isConnected) { return; }
    if (!field && !to.hasAttribute("tabindex")) { to.setAttribute("tabindex", "-1"); }
    to.focus();
  });

  // Collection statistics as ECharts bar charts (label, count pairs, most frequent first except years);
  // the tables keep the same numbers and are closed once the charts are drawn. A chart is drawn in
  // the room app.css kept for it (the box's height), beside its table already shown folded.
  var CHART_COLOUR = "#0f3a66";
  // data-chart-unit (such as "%") follows each value on the axis and in the tooltip.
  function chartOption(pairs, horizontal, unit) {
    var labels = pairs.map(function (p) { return p[0]; });
    var values = pairs.map(function (p) { return p[1]; });
    if (horizontal) { labels = labels.slice(0, 10).reverse(); values = values.slice(0, 10).reverse(); }
    var category = { type: "category", data: labels, axisLabel: { width: 130, overflow: "truncate", color: "#1b2430" } };
    var value = { type: "value", minInterval: 1, axisLabel: { color: "#1b2430", formatter: "{value}" + unit } };
    return {
      animation: false, grid: { left: 8, right: 16, top: 10, bottom: 8, containLabel: true },
      tooltip: { valueFormatter: function (v) { return v + unit; } },
      xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: values, itemStyle: { color: CHART_COLOUR } }]
    };
  }
  function drawCharts() {
    var source = document.getElementById("stats-data");
    if (!source || !window.echarts) { return; }
    var stats = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var key = box.getAttribute("data-chart");
      box.hidden = false;
      var chart = window.echarts.init(box);
      // a time axis (data-chart-axis="time") keeps its order in vertical bars; counts are ranked
      chart.setOption(chartOption(stats[key] || [], box.getAttribute("data-chart-axis") !== "time",
                                  box.getAttribute("data-chart-unit") || ""));
      window.addEventListener("resize", function () { chart.resize(); });
      var table = box.parentNode.querySelector("details[data-stat-table]");
      if (table) { table.open = false; }
    });
  }
  document.addEventListener("DOMContentLoaded", drawCharts);

  // The guided query builder writes query text from rows of field, words and operator.
  var DATE_FIELDS = ["PD", "AD", "PRD"];
  var CODE_FIELDS = ["IPC", "CPC", "PN", "AN", "CC", "KIND"];
  function quote(words) {
    words = words.trim();
    if (!words) { return ""; }
    if (/\s/.test(words) && !/^".*"$/.test(words) && !/\b(OR|AND|NOT)\b/.test(words)) { return '"' + words + '"'; }
    return words;
  }
  // Rows combine in order, each with the query so far: "a OR b AND c" is written "(a OR b) AND c",
  // so the builder means what its rows say whatever the operator precedence. The first row has
  // nothing before it to combine with: it offers NOT only (NOT TI=(led) excludes LED), no AND or OR
  // that would be dropped.
  function buildQuery(form) {
    var query = "";
    var clauses = 0;
    form.querySelectorAll(".builder-row").forEach(function (row) {
      var field = row.querySelector("[name=b_field]").value;
      var words = quote(row.querySelector("[name=b_words]").value);
      var op = row.querySelector("[name=b_op]").value;
      if (!words) { return; }
      var clause;
      if (!field) { clause = words; }
      else if (DATE_FIELDS.indexOf(field) >= 0) { clause = field + (/^[<>=]/.test(words) ? words : "=" + words); }
      else if (CODE_FIELDS.indexOf(field) >= 0) { clause = field + "=" + words; }
      else { clause = field + "=(" + words + ")"; }
      if (clauses === 0) { query = (op === "NOT" ? "NOT " : "") + clause; }
      else { query = (clauses > 1 ? "(" + query + ")" : query) + " " + op + " " + clause; }
      clauses += 1;
    });
    return query;
  }
  // A button with data-confirm (a deletion, a deactivation) asks before its form is sent; without
  // this file the form is sent as it is.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button ? button.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // A form posted twice by a double click (or Enter pressed twice) took its step once and was then
  // refused for the second ("someone else acted on it"): a second send of the same form within a
  // few seconds of the first is not sent. (htmx's forms are its own; a download's form may be sent
  // again once the few seconds are past.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.method !== "post"
        || form.matches("[hx-post], [hx-get]")) { return; }
    var now = Date.now();
    if (now - Number(form.dataset.sentAt || 0) < 3000) { event.preventDefault(); return; }
    form.dataset.sentAt = String(now);
  });

  // The builder only writes query text: Enter in one of its rows does not send it anywhere.
  document.addEventListener("submit", function (event) {
    if (event.target instanceof HTMLElement && event.target.matches("form[data-builder]")) { event.preventDefault(); }
  });
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
      copy.querySelectorAll("[id]").forEach(function (el) { el.id = "b_op" + rows.length; });
      copy.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = "b_op" + rows.length; });
      // a row after the first combines with the rows before it: AND, OR or NOT
      var op = copy.querySelector("[name=b_op]");
      if (op && op.querySelector('option[value=""]')) {
        op.replaceChildren(new Option("AND"), new Option("OR"), new Option("NOT"));
      }
      rows[rows.length - 1].after(copy);
      event.preventDefault();
    }
  });
})();
