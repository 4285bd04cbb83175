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
      el.dataset.drawn = "pending";
      window.Plotly.newPlot(el, figure.data, figure.layout, figure.config).then(function () {
        el.dataset.drawn = "yes";
        var fallback = el.parentNode.querySelector(".chart-fallback");
        if (fallback) fallback.hidden = true;
      });
    });
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
