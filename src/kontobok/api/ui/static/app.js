// kontobok dashboard: draws the overview's charts and shows an upload's progress.
// No inline script anywhere: the page's data comes from a JSON <script type="application/json"> element.
(function () {
  "use strict";

  function formatter(decimals, comma) {
    const scale = Math.pow(10, decimals);
    const format = new Intl.NumberFormat(comma ? "nb-NO" : "en-GB", { maximumFractionDigits: 0 });
    return function (minor) { return format.format(minor / scale); };
  }

  function isoDay(seconds, length) {
    return seconds == null ? "" : new Date(seconds * 1000).toISOString().slice(0, length);
  }

  function width(element) {
    return Math.max(280, element.clientWidth - 16);
  }

  const COLOURS = ["#1f5fbf", "#0f8a5f", "#b4531e", "#7b3fb8", "#b42318", "#5b6575"];

  function drawCharts() {
    const source = document.getElementById("overview-data");
    if (!source || typeof uPlot === "undefined") { return; }
    const data = JSON.parse(source.textContent);
    const comma = document.documentElement.lang === "nb";
    const money = formatter(data.decimals, comma);
    const axisValues = function (u, values) { return values.map(money); };

    const balance = document.getElementById("balance-chart");
    if (balance && data.series.length) {
      const times = data.days.map(function (day) { return Date.parse(day + "T12:00:00Z") / 1000; });
      const series = [{ label: "Date", value: function (u, v) { return isoDay(v, 10); } }].concat(data.series.map(function (item, index) {
        return { label: item.label, stroke: COLOURS[index % COLOURS.length], width: 2, value: function (u, v) { return v == null ? "" : money(v); } };
      }));
      const plot = new uPlot({
        width: width(balance), height: 260, series: series,
        axes: [{}, { values: axisValues, size: 80 }],
        scales: { x: { time: true } },
      }, [times].concat(data.series.map(function (item) { return item.minor; })), balance);
      window.addEventListener("resize", function () { plot.setSize({ width: width(balance), height: 260 }); });
    }

    const months = document.getElementById("month-chart");
    if (months && data.months.length) {
      const times = data.months.map(function (day) { return Date.parse(day + "T12:00:00Z") / 1000; });
      const barsAt = function (align) {
        return uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.4, 40], align: align }) : undefined;
      };
      const halfMonth = 16 * 86400;
      const plot = new uPlot({
        width: width(months), height: 240,
        series: [
          { label: "Month", value: function (u, v) { return isoDay(v, 7); } },
          { label: "Operating income", stroke: "#0f8a5f", fill: "rgba(15,138,95,0.55)", paths: barsAt(-1), points: { show: false }, value: function (u, v) { return v == null ? "" : money(v); } },
          { label: "Operating expenses", stroke: "#b4531e", fill: "rgba(180,83,30,0.55)", paths: barsAt(1), points: { show: false }, value: function (u, v) { return v == null ? "" : money(v); } },
        ],
        axes: [{}, { values: axisValues, size: 80 }],
        scales: {
          x: { time: true, range: function () { return [times[0] - halfMonth, times[times.length - 1] + halfMonth]; } },
          y: { range: function (u, min, max) { return [Math.min(0, min), Math.max(1, max) * 1.1]; } },
        },
      }, [times, data.income, data.expenses], months);
      window.addEventListener("resize", function () { plot.setSize({ width: width(months), height: 240 }); });
    }
  }

  function watchUploads() {
    document.body.addEventListener("htmx:xhr:progress", function (event) {
      const bar = document.getElementById("upload-progress");
      const status = document.getElementById("upload-status");
      if (!bar || !event.detail.lengthComputable) { return; }
      bar.hidden = false;
      const percent = Math.round((event.detail.loaded / event.detail.total) * 100);
      bar.value = percent;
      if (status) { status.textContent = percent < 100 ? "Uploading… " + percent + " %" : "Importing…"; }
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      const status = document.getElementById("upload-status");
      const bar = document.getElementById("upload-progress");
      if (event.target && event.target.id === "upload-form") {
        if (status) { status.textContent = ""; }
        if (bar) { bar.hidden = true; bar.value = 0; }
      }
    });
    // show an import's refusal (4xx) in place, as a successful import is shown
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr.status >= 400 && event.detail.xhr.status < 500 && event.target && event.target.id === "import-result") {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    watchUploads();
  });
})();
