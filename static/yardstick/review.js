// Review screen: a changed answer waits for its review note, and the disagreements list
// follows every save (review.html listens for answer-saved). Without it the page still works: the form's button saves, the
// server refuses a change without a note, and the list shows on reload.
(function () {
  "use strict";

  function formOf(evt) {
    var elt = evt.detail && evt.detail.elt;
    return elt && elt.closest ? elt.closest("form.qform") : null;
  }

  function answerChanged(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[name=answer]"), function (r) {
      return r.checked !== r.defaultChecked;
    });
  }

  document.addEventListener("htmx:confirm", function (evt) {
    var form = formOf(evt);
    var note = form && form.querySelector("input[name=note]");
    if (!note) return;
    var trigger = evt.detail.triggeringEvent && evt.detail.triggeringEvent.target;
    var changed = answerChanged(form);
    if (changed && !note.value.trim()) {
      // Hold the save until the reviewer says why; it goes out when the note is typed.
      evt.preventDefault();
      form.classList.add("needs-note");
      note.focus();
    } else if (trigger === note && !changed) {
      // A note on its own changes nothing; keep it for the answer change that follows.
      evt.preventDefault();
    }
  });

})();
