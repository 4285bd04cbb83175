// Survey screens: show the save state of each question and keep N/A honest.
// Saving itself is plain htmx on each question's form (see surveys/fill.html).
(function () {
  "use strict";

  // What the script says to people comes from the page, in the person's language
  // (surveys/views/answers.py script_texts, rendered by surveys/fill.html#script-texts).
  var TEXTS = (function () {
    var el = document.getElementById("survey-texts");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (e) {
      return {};
    }
  })();
  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (all, name) {
      return values && name in values ? values[name] : all;
    });
  }
  function t(name, values) {
    return fill(name in TEXTS ? TEXTS[name] : name, values);
  }
  // A message with a number: the page holds its forms for 1, 2, 5 and 20, which between
  // them give the right plural for every count a page can have in our languages.
  function tn(name, count, values) {
    var forms = TEXTS[name] || {};
    var sample = count === 1 ? "1" : count < 5 ? "2" : count < 20 ? "5" : "20";
    var merged = { count: count };
    for (var k in values || {}) merged[k] = values[k];
    return fill(forms[sample] || forms["20"] || name, merged);
  }

  // The statements' language: choosing one shows the page in it (the button does without JS).
  document.addEventListener("change", function (evt) {
    var select = evt.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.requestSubmit();
    }
  });

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
  // Each item: the form, a `code` the script acts on and `why`, the same in words.
  function pendingChanges() {
    var found = [];
    document.querySelectorAll("form.qform").forEach(function (form) {
      var code = null;
      var why = null;
      if (form.classList.contains("is-saving")) code = "saving";
      else if (form.classList.contains("is-refused")) {
        code = "refused";
        var reason = form.querySelector(".save-state .error .why");
        var text = reason ? reason.textContent.replace(/\s+/g, " ").trim() : "";
        why = text ? t("refused_because", { reason: text }) : t("refused");
      } else if (form.classList.contains("is-failed")) code = "failed";
      else if (form.classList.contains("conflict")) code = "conflict";
      else if (form.classList.contains("needs-note")) code = "needs_note";
      else if (form.classList.contains("needs-reason")) code = "needs_reason";
      else if (unsentTyping(form)) code = "unsent";
      if (code) found.push({ form: form, code: code, why: why || t(code) });
    });
    return found;
  }
  function onlySaving(pending) {
    return pending.every(function (p) {
      return p.code === "saving";
    });
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
    strong.textContent = t("verb", { verb: form.getAttribute("data-verb") || t("not_done") });
    p.appendChild(strong);
    p.appendChild(document.createTextNode(tn("pending", pending.length)));
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
      else if (!onlySaving(pending)) showRefusal(form, pending);
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
      if (onlySaving(pending)) submitWhenSaved(form);
      else showRefusal(form, pending);
      return;
    }
    var old = form.querySelector(".freeze-refused");
    if (old) old.remove();
    var message = form.getAttribute("data-freeze");
    var bar = document.getElementById("overall-bar");
    // Unanswered statements: the server refuses and lists them, nothing to confirm yet.
    if (bar && form.hasAttribute("data-list-carried") && Number(bar.value) < Number(bar.max)) return;
    if (bar) message += "\n\n" + t("answered", { done: bar.value, total: bar.max });
    var changed = document.querySelector("#disagreements .count");
    if (changed) message += "\n\n" + t("changed_in_review", { count: changed.textContent.trim() });
    var carried = form.hasAttribute("data-carried") || document.querySelector("form.qform.is-carried") ? carriedOver(form) : [];
    if (carried.length && form.getAttribute("data-list-carried") !== null) {
      message += "\n\n" + tn("carried", carried.length) + "\n" +
        carried.slice(0, 8).map(function (text) { return "• " + text; }).join("\n") +
        (carried.length > 8 ? "\n" + tn("more", carried.length - 8) : "") +
        "\n" + t("frozen_as_they_are");
    }
    if (!window.confirm(message)) {
      evt.preventDefault();
      return;
    }
    if (form.hasAttribute("data-send-shown")) sendShown(form);
    freezing = true;
  });
})();
