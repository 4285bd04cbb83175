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
        picker(el, figure.data);
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

  // A trend of many brands greys most of them. The picker under it chooses which to draw in
  // colour instead of the highest and lowest; clearing it brings those back.
  var PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f3c8d", "#3b6e1f"];
  var GREY = "#b9c1cc";

  function plain(text) {
    return new DOMParser().parseFromString(String(text), "text/html").documentElement.textContent;
  }

  function picker(el, traces) {
    // Brands' lines only: the closed rounds' markers ("Rounds", no line) keep their look.
    var lines = traces.filter(function (t) {
      return t.type === "scatter" && String(t.mode || "").indexOf("lines") !== -1;
    });
    if (lines.length <= PALETTE.length || el.parentNode.querySelector(".trend-picker")) return;
    var original = lines.map(function (t) {
      return { color: (t.line || {}).color, width: (t.line || {}).width,
               marker: (t.marker || {}).color, size: (t.marker || {}).size };
    });
    var box = document.createElement("details");
    box.className = "trend-picker";
    var summary = document.createElement("summary");
    // The words come from the page (templates/reports/_chart.html), in the reader's language.
    summary.textContent = el.dataset.pickerLabel || "Highlight brands of your choice";
    box.appendChild(summary);
    var list = document.createElement("ul");
    list.className = "brand-checklist";
    var byName = lines.map(function (trace, index) { return { index: index, name: plain(trace.name) }; });
    byName.sort(function (a, b) { return a.name.localeCompare(b.name); });
    byName.forEach(function (entry) {
      var index = entry.index;
      var item = document.createElement("li");
      var label = document.createElement("label");
      var box_ = document.createElement("input");
      box_.type = "checkbox";
      box_.value = String(index);
      label.appendChild(box_);
      label.appendChild(document.createTextNode(" " + entry.name));
      item.appendChild(label);
      list.appendChild(item);
    });
    box.appendChild(list);
    el.insertAdjacentElement("afterend", box);
    list.addEventListener("change", function () {
      var chosen = Array.prototype.slice.call(list.querySelectorAll("input:checked"))
        .map(function (input) { return Number(input.value); });
      var colour = [], width = [], marker = [], size = [];
      lines.forEach(function (trace, index) {
        var at = chosen.indexOf(index);
        if (!chosen.length) {
          colour.push(original[index].color); width.push(original[index].width);
          marker.push(original[index].marker); size.push(original[index].size);
        } else if (at !== -1) {
          colour.push(PALETTE[at % PALETTE.length]); width.push(3);
          marker.push(PALETTE[at % PALETTE.length]); size.push(7);
        } else {
          colour.push(GREY); width.push(1); marker.push(GREY); size.push(4);
        }
      });
      window.Plotly.restyle(el, { "line.color": colour, "line.width": width,
        "marker.color": marker, "marker.size": size },
        lines.map(function (t) { return traces.indexOf(t); }));
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
