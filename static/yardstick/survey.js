// Survey screens: show the save state of each question and keep N/A honest.
// Saving itself is plain htmx on each question's form (see surveys/fill.html).
(function () {
  "use strict";

  function formOf(evt) {
    var elt = evt.detail && evt.detail.elt;
    return elt && elt.closest ? elt.closest("form.qform") : null;
  }

  // N/A needs a reason: hold the save until one is typed.
  document.addEventListener("htmx:confirm", function (evt) {
    var form = formOf(evt);
    if (!form) return;
    var na = form.querySelector("input[name=answer][value=na]");
    var reason = form.querySelector("input[name=na_reason]");
    if (na && na.checked && reason && !reason.value.trim()) {
      evt.preventDefault();
      form.classList.add("needs-reason");
      reason.focus();
    }
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = formOf(evt);
    if (form) {
      form.classList.remove("is-failed", "needs-reason");
      form.classList.add("is-saving");
    }
  });

  function failed(evt) {
    var form = formOf(evt);
    if (form) {
      form.classList.remove("is-saving");
      form.classList.add("is-failed");
    }
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:timeout", failed);

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = formOf(evt);
    if (form && evt.detail.successful) form.classList.remove("is-saving");
  });

  // A successful save leaves the form in place (the server swaps in only the new
  // revision, the "Saved" state and the progress), so what was typed meanwhile stays.
  document.addEventListener("answer-saved", function (evt) {
    var detail = evt.detail || {};
    var form = document.getElementById("q-" + detail.key);
    if (!form) return;
    form.classList.toggle("answered", !!detail.answered);
    var carried = form.querySelector(".tag.carried");
    if (carried) carried.remove();
    // What the server now holds becomes the form's baseline.
    form.querySelectorAll("input, textarea").forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") field.defaultChecked = field.checked;
      else if (field.type !== "hidden") field.defaultValue = field.value;
    });
  });
})();
