// The base layout's menu: on a narrow screen the navigation and the account links fold
// behind a "Menu" button. Without this script they stay visible, wrapped under the name.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 800px)");

  function setUp() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("topbar-menu");
    if (!button || !menu) return;
    function fold() {
      button.hidden = !narrow.matches;
      button.setAttribute("aria-expanded", "false");
      menu.classList.toggle("folded", narrow.matches);
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("folded", !open);
    });
    narrow.addEventListener("change", fold);
    fold();
  }

  // A box that scrolls sideways (a wide table on a phone) must be reachable by keyboard, to
  // scroll it with the arrow keys: it takes a place in the tab order while it scrolls.
  function scrollables(root) {
    var boxes = document.querySelectorAll("main .table, main .table-scroll, main [data-scrollable]");
    Array.prototype.forEach.call(boxes, function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible";
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scrollable", "");
      } else if (!scrolls && box.hasAttribute("data-scrollable")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scrollable");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(); scrollables(document); });
  document.addEventListener("htmx:load", function () { scrollables(document); });
  window.addEventListener("resize", function () { scrollables(document); });
})();
