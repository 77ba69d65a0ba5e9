// Reports pages (progressive enhancement): the trend chart with incomplete years marked, regions
// compared year by year, and adding a suggested applicant name to the watched list. app.js draws
// the ranked charts.
(function () {
  "use strict";
  var COLOUR = "#0f3a66", INCOMPLETE = "#b8c4d6", LINE = "#b4530b";
  var SERIES = ["#0f3a66", "#b4530b", "#2e7d32", "#8e24aa", "#5d6b7a"];

  // Draw the chart in the box ``selector`` from ``key`` of the page's stats-data: the box shown,
  // resized with the window, and the table of the same numbers beside it folded.
  function drawChart(selector, key, option) {
    var box = document.querySelector(selector);
    var source = document.getElementById("stats-data");
    if (!box || !source || !window.echarts) { return; }
    box.hidden = false;
    var chart = window.echarts.init(box);
    chart.setOption(option(JSON.parse(source.textContent)[key]));
    window.addEventListener("resize", function () { chart.resize(); });
    var table = box.parentNode.querySelector("details[data-stat-table]");
    if (table) { table.open = false; }
  }

  // A scope's counts per year as bars, incomplete years marked, its applicants as a line.
  function trendOption(trend) {
    var bars = trend.counts.map(function (n, i) {
      return { value: n, itemStyle: { color: trend.incomplete[i] ? INCOMPLETE : COLOUR,
                                      borderColor: trend.incomplete[i] ? COLOUR : undefined,
                                      borderType: "dashed" } };
    });
    var labels = trend.years.map(function (y, i) { return trend.incomplete[i] ? y + "*" : String(y); });
    return {
      animation: false, tooltip: { trigger: "axis" },
      legend: { data: [trend.labels.count, trend.labels.applicants], top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 24, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { color: "#1b2430" } },
      yAxis: [{ type: "value", minInterval: 1, axisLabel: { color: "#1b2430" } },
              { type: "value", minInterval: 1, axisLabel: { color: "#1b2430" } }],
      series: [{ name: trend.labels.count, type: "bar", data: bars, itemStyle: { color: COLOUR } },
               { name: trend.labels.applicants, type: "line", yAxisIndex: 1, data: trend.applicants,
                 itemStyle: { color: LINE } }],
      graphic: trend.incomplete.indexOf(true) >= 0 ? [{ type: "text", right: 16, bottom: 0,
        style: { text: "* " + trend.labels.incomplete, fill: "#1b2430", font: "12px sans-serif" } }] : []
    };
  }

  // Regions side by side: a line per region over the years.
  function compareOption(data) {
    return {
      animation: false, tooltip: { trigger: "axis" },
      legend: { data: data.series.map(function (s) { return s.name; }), top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.years, axisLabel: { color: "#1b2430" } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#1b2430" } },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "line", data: s.counts, itemStyle: { color: SERIES[i % SERIES.length] } };
      })
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawChart("[data-report-trend]", "trend", trendOption);
    drawChart("[data-compare-chart]", "compare", compareOption);
  });

  // A suggested applicant name joins the watched list (one per line), once.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement) || !target.matches("[data-add-watched]")) { return; }
    var list = document.getElementById("sub-watched");
    if (!list) { return; }
    var name = target.getAttribute("data-add-watched");
    var names = list.value.split("\n").map(function (n) { return n.trim(); }).filter(Boolean);
    if (names.indexOf(name) < 0) { names.push(name); }
    list.value = names.join("\n");
    target.setAttribute("aria-pressed", "true");
    list.focus();
  });
})();
