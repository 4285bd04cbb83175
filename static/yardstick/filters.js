// The group dashboard's brand filter: a search over the brand checklist, and chips that
// remove a chosen brand. Without this script the checklist is a plain list of checkboxes
// and each chip a link to the same view without that brand.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUpSearch() {
    var search = document.getElementById("brand-search");
    var list = document.getElementById("brand-checklist");
    if (!search || !list) return;
    var count = document.getElementById("brand-search-count");
    search.closest(".brand-search").hidden = false;
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    function filter() {
      var needle = fold(search.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var match = !needle || fold(item.textContent).indexOf(needle) !== -1;
        item.hidden = !match;
        if (match) shown += 1;
      });
      // The words come from the page (data-count, in the reader's language), "{shown} of 12 brands".
      var words = search.dataset.count || "{shown} of " + items.length + " brands";
      count.textContent = needle ? words.replace("{shown}", String(shown)) : "";
    }
    search.addEventListener("input", filter);
    // Typing a search changes no filter: keep it from asking for the results again.
    search.addEventListener("change", function (evt) { evt.stopPropagation(); });
    search.addEventListener("keydown", function (evt) {
      if (evt.key === "Enter") evt.preventDefault();
    });
  }

  function uncheck(boxes) {
    if (!boxes.length) return false;
    boxes.forEach(function (box) { box.checked = false; });
    boxes[boxes.length - 1].dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  document.addEventListener("click", function (evt) {
    var chip = evt.target.closest && evt.target.closest("a[data-uncheck], a[data-uncheck-all]");
    if (!chip) return;
    var boxes = chip.dataset.uncheck
      ? [document.getElementById(chip.dataset.uncheck)].filter(Boolean)
      : Array.prototype.slice.call(
          document.querySelectorAll("input[type=checkbox][name=" + chip.dataset.uncheckAll + "]:checked"));
    if (uncheck(boxes)) evt.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", setUpSearch);
})();
