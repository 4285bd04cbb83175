// Draws every chart container (templates/reports/_chart.html) with plotly.js: the figure is
// read from its JSON script element, so no inline script is needed. Runs on page load and on
// every htmx swap; the SVG fallback stays visible until (and unless) plotly has drawn.
(function () {
  "use strict";

  function draw(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    var containers = root.matches && root.matches("[data-figure-id]") ? [root] : [];
    containers = containers.concat(Array.prototype.slice.call(root.querySelectorAll("[data-figure-id]")));
    containers.forEach(function (el) {
      if (el.dataset.drawn) return;
      var source = document.getElementById(el.dataset.figureId);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      narrow(el, figure.layout || {});
      el.dataset.drawn = "pending";
      window.Plotly.newPlot(el, figure.data, figure.layout, figure.config).then(function () {
        el.dataset.drawn = "yes";
        var fallback = el.parentNode.querySelector(".chart-fallback");
        if (fallback) fallback.hidden = true;
      });
    });
  }

  // On a phone a legend beside the plot leaves it no room: it goes under the plot, and the
  // chart grows by the rows the legend takes.
  function narrow(el, layout) {
    if (el.clientWidth >= 600 || !layout.legend || layout.legend.orientation !== "v") return;
    var entries = (JSON.parse(document.getElementById(el.dataset.figureId).textContent).data || []).length;
    // Long names take a row each on a phone.
    var rows = entries;
    layout.legend = { orientation: "h", yref: "container", y: 0, yanchor: "bottom", x: 0,
      font: { size: 11 } };
    layout.margin = Object.assign({}, layout.margin || {}, { r: 10, b: 70 + rows * 19 });
    layout.height = (layout.height || 400) + rows * 19;
  }

  function purge(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-figure-id][data-drawn]").forEach(function (el) {
      window.Plotly.purge(el);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // htmx:load fires for the body at start and for every piece of swapped-in content.
  document.addEventListener("htmx:load", function (evt) { draw(evt.detail && evt.detail.elt); });
  // Free plotly's listeners before htmx replaces the charts' content.
  document.addEventListener("htmx:beforeSwap", function (evt) { purge(evt.detail && evt.detail.target); });
})();
