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
      form.classList.remove("is-failed", "needs-reason", "needs-note");
      form.classList.add("is-saving");
    }
  });

  // The forms are novalidate, so this should never happen; if a check in the browser
  // ever stops a save, say so instead of dropping it.
  document.addEventListener("htmx:validation:halted", function (evt) {
    var form = evt.target && evt.target.closest ? evt.target.closest("form.qform") : null;
    if (form) {
      form.classList.remove("is-saving");
      form.classList.add("is-failed");
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
    form.classList.remove("is-carried", "is-refused");
    form.querySelectorAll(".tag.carried, .confirm-carried").forEach(function (el) {
      el.remove();
    });
    // A refusal shown earlier is over once a save goes through.
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    form.querySelectorAll(".field-error").forEach(function (span) {
      span.remove();
    });
    // What the server now holds becomes the form's baseline.
    form.querySelectorAll("input, textarea").forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") field.defaultChecked = field.checked;
      else if (field.type !== "hidden") field.defaultValue = field.value;
    });
  });

  // What on this page is not (yet) stored: a save on its way, a value the server
  // refused, a change held back for its note or reason, or typing not yet sent.
  function statementOf(form) {
    var legend = form.querySelector("legend");
    var text = legend ? legend.textContent.replace(/\s+/g, " ").trim() : form.id;
    return text.length > 80 ? text.slice(0, 79) + "…" : text;
  }
  function unsentTyping(form) {
    return Array.prototype.some.call(form.querySelectorAll("input, textarea"), function (f) {
      if (f.type === "hidden" || f.name === "note") return false;
      if (f.type === "radio" || f.type === "checkbox") return f.checked !== f.defaultChecked;
      return f.value !== f.defaultValue;
    });
  }
  function pendingChanges() {
    var found = [];
    document.querySelectorAll("form.qform").forEach(function (form) {
      var why = null;
      if (form.classList.contains("is-saving")) why = "still saving";
      else if (form.classList.contains("is-refused")) {
        var err = form.querySelector(".save-state .error");
        why = "not saved" + (err ? ": " + err.textContent.replace(/^\s*Not saved\s*–\s*/, "").replace(/Go to the field\s*$/, "").trim() : "");
      } else if (form.classList.contains("is-failed")) why = "not saved: the server could not be reached";
      else if (form.classList.contains("conflict")) why = "changed by someone else meanwhile: keep theirs or use yours";
      else if (form.classList.contains("needs-note")) why = "the change waits for its review note";
      else if (form.classList.contains("needs-reason")) why = "N/A waits for its reason";
      else if (unsentTyping(form)) why = "a change not sent yet";
      if (why) found.push({ form: form, why: why });
    });
    return found;
  }
  window.yardstickPending = pendingChanges;

  window.addEventListener("beforeunload", function (evt) {
    if (freezing) return;
    if (pendingChanges().length) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });

  // Submit, Finalise and Validate freeze the answers: refuse while anything is pending,
  // saying what, and otherwise ask with a summary of what will be frozen.
  var freezing = false;
  function carriedOver(form) {
    var selector = form.getAttribute("data-carried") || "form.qform.is-carried";
    return Array.prototype.map.call(document.querySelectorAll(selector), function (el) {
      return el.matches("form") ? statementOf(el) : (el.getAttribute("title") || "").trim();
    });
  }
  function showRefusal(form, pending) {
    var box = form.querySelector(".freeze-refused");
    if (!box) {
      box = document.createElement("div");
      box.className = "freeze-refused";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = "";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = (form.getAttribute("data-verb") || "Not done") + ": ";
    p.appendChild(strong);
    p.appendChild(document.createTextNode(
      pending.length + " statement" + (pending.length === 1 ? " has a change" : "s have changes") +
      " not saved. Fix or undo " + (pending.length === 1 ? "it" : "them") + " first."));
    box.appendChild(p);
    var list = document.createElement("ul");
    pending.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + item.form.id;
      a.textContent = statementOf(item.form);
      li.appendChild(a);
      li.appendChild(document.createTextNode(" – " + item.why));
      list.appendChild(li);
    });
    box.appendChild(list);
    box.setAttribute("tabindex", "-1");
    box.focus();
  }
  // Validate tells the server what the page shows, which refuses to freeze anything else.
  function sendShown(form) {
    form.querySelectorAll("input[name=shown]").forEach(function (el) {
      el.remove();
    });
    document.querySelectorAll("form.qform").forEach(function (q) {
      var checked = q.querySelector("input[name=answer]:checked");
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "shown";
      input.value = q.id.replace(/^q-/, "") + "=" + (checked ? checked.value : "");
      form.appendChild(input);
    });
  }
  // A save still on its way (the click that submits also ends the typing, which saves it):
  // wait for it, then go on with the submit, or say why not. "Still saving" can also be a
  // form just swapped in: htmx keeps the old form's classes on it until it settles, so wait
  // for the settle as well as for the request.
  var WAIT_EVENTS = ["htmx:afterRequest", "htmx:afterSettle"];
  function submitWhenSaved(form) {
    var waiting = false;
    function listen(on) {
      WAIT_EVENTS.forEach(function (name) {
        if (on) document.addEventListener(name, later);
        else document.removeEventListener(name, later);
      });
    }
    function settled() {
      waiting = false;
      listen(false);
      var pending = pendingChanges();
      if (!pending.length) form.requestSubmit();
      else if (!pending.every(function (p) { return p.why === "still saving"; })) showRefusal(form, pending);
      else listen(true);
    }
    function later() {
      if (waiting) return;
      waiting = true;
      setTimeout(settled, 0);
    }
    listen(true);
  }
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.matches || !form.matches("form[data-freeze]")) return;
    var pending = pendingChanges();
    if (pending.length) {
      evt.preventDefault();
      if (pending.every(function (p) { return p.why === "still saving"; })) submitWhenSaved(form);
      else showRefusal(form, pending);
      return;
    }
    var old = form.querySelector(".freeze-refused");
    if (old) old.remove();
    var message = form.getAttribute("data-freeze");
    var bar = document.getElementById("overall-bar");
    // Unanswered statements: the server refuses and lists them, nothing to confirm yet.
    if (bar && form.hasAttribute("data-list-carried") && Number(bar.value) < Number(bar.max)) return;
    if (bar) message += "\n\nAnswered: " + bar.value + " of " + bar.max + ".";
    var changed = document.querySelector("#disagreements .count");
    if (changed) message += "\n\nAnswers changed in review: " + changed.textContent.trim() + ".";
    var carried = form.hasAttribute("data-carried") || document.querySelector("form.qform.is-carried") ? carriedOver(form) : [];
    if (carried.length && form.getAttribute("data-list-carried") !== null) {
      message += "\n\n" + carried.length + " answer" + (carried.length === 1 ? " was" : "s were") +
        " carried over from the previous assessment and not confirmed in this round:\n" +
        carried.slice(0, 8).map(function (t) { return "• " + t; }).join("\n") +
        (carried.length > 8 ? "\n… and " + (carried.length - 8) + " more" : "") +
        "\nThey will be frozen as they are.";
    }
    if (!window.confirm(message)) {
      evt.preventDefault();
      return;
    }
    if (form.hasAttribute("data-send-shown")) sendShown(form);
    freezing = true;
  });
})();
