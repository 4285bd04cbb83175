// Interview console: the running clock, the overview strip and the keyboard shortcuts.
// The page works without it: links move between questions, the form saves with its button.
(function () {
  "use strict";
  if (!document.querySelector("[data-interview]")) return;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function clockText(s) {
    return Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }

  // The server tells the seconds spent so far; the page counts on from there.
  var clock = document.getElementById("iv-clock");
  if (clock && clock.dataset.running === "1") {
    var base = parseInt(clock.dataset.seconds, 10) || 0;
    var loaded = Date.now();
    setInterval(function () {
      var s = base + Math.floor((Date.now() - loaded) / 1000);
      clock.textContent = clockText(s);
      clock.setAttribute("datetime", "PT" + s + "S");
    }, 1000);
  }

  // Leaving the page aborts a save still on its way, so navigation waits for it.
  var pending = 0;
  var waiting = null;
  document.addEventListener("htmx:beforeRequest", function () {
    pending += 1;
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    pending = Math.max(0, pending - 1);
    if (pending === 0 && waiting && evt.detail.successful) {
      var url = waiting;
      waiting = null;
      window.location.href = url;
    }
    if (!evt.detail.successful) waiting = null;
  });
  function go(url) {
    if (!url) return;
    if (pending > 0) waiting = url;
    else window.location.href = url;
  }
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-nav]");
    if (link && pending > 0 && !evt.ctrlKey && !evt.metaKey && !evt.shiftKey) {
      evt.preventDefault();
      waiting = link.href;
    }
  });

  // Keep the overview strip in step with what the saves report; the words for screen
  // readers come from the strip, in the interviewer's language.
  var strip = document.querySelector(".iv-strip");
  function said(name) {
    return strip ? strip.getAttribute("data-said-" + name) || "" : "";
  }
  function syncStrip() {
    document.querySelectorAll("form.qform").forEach(function (form) {
      var key = form.id.replace(/^q-/, "");
      var box = document.querySelector('.iv-box[data-key="' + key + '"]');
      if (!box) return;
      var answered = form.classList.contains("answered");
      var carried = form.classList.contains("is-carried");
      box.classList.toggle("answered", answered);
      box.classList.toggle("carried", carried);
      var sr = box.querySelector(".sr-only");
      if (sr) sr.textContent = said(carried ? "carried" : answered ? "answered" : "open");
    });
  }
  document.addEventListener("htmx:load", syncStrip);
  document.addEventListener("answer-saved", syncStrip);

  function form() {
    return document.querySelector(".iv-question form.qform");
  }
  function choose(input) {
    if (!input || input.disabled) return;
    if (!input.checked) return input.click();
    input.focus();
    // The answer carried over from last time is the right one: pressing it confirms it.
    var confirm = input.form && input.form.querySelector(".confirm-carried");
    if (confirm) confirm.click();
  }
  function nextUnanswered() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".iv-box"));
    var current = boxes.findIndex(function (b) {
      return b.getAttribute("aria-current") === "step";
    });
    var order = boxes.slice(current + 1).concat(boxes.slice(0, current + 1));
    var open = order.find(function (b) {
      return !b.classList.contains("answered");
    });
    if (open) return go(open.href);
    var finish = document.getElementById("iv-finish");
    if (finish) {
      finish.open = true;
      finish.querySelector("summary").focus();
    }
  }
  function focusField(selector) {
    var f = form();
    var field = f && f.querySelector(selector);
    if (field && !field.disabled) {
      field.focus();
      if (field.select && field.value === "") field.select();
    }
  }
  function isTyping(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    if (el.tagName === "INPUT") return !/^(radio|checkbox|button|submit|reset|hidden)$/.test(el.type);
    return false;
  }
  function href(selector) {
    var link = document.querySelector(selector);
    return link ? link.href : null;
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.defaultPrevented || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    var target = evt.target;
    if (isTyping(target)) {
      // Escape leaves the field; leaving it fires "change", which saves it.
      if (evt.key === "Escape") {
        target.blur();
        evt.preventDefault();
      }
      return;
    }
    // Arrow keys on a focused radio button move between options, as browsers expect.
    var onRadio = target && target.type === "radio";
    var key = evt.key;
    var f = form();
    var help = document.getElementById("iv-help");
    if (/^[1-9]$/.test(key) && f) {
      var options = f.querySelectorAll("input[name=answer]:not([value=na])");
      choose(options[parseInt(key, 10) - 1]);
    } else if ((key === "0" || key === "n") && f) {
      choose(f.querySelector("input[name=answer][value=na]"));
    } else if (key === "j" || (key === "ArrowRight" && !onRadio)) {
      go(href(".iv-nav a[rel=next]"));
    } else if (key === "k" || (key === "ArrowLeft" && !onRadio)) {
      go(href(".iv-nav a[rel=prev]"));
    } else if (key === "u") {
      nextUnanswered();
    } else if (key === "c") {
      focusField("textarea[name=comment]");
    } else if (key === "m") {
      focusField("textarea[name=interviewer_note]");
    } else if (key === "?" && help) {
      help.open = !help.open;
      if (help.open) help.scrollIntoView({ block: "nearest" });
    } else if (key === "Escape" && help && help.open) {
      help.open = false;
    } else {
      return;
    }
    evt.preventDefault();
  });
})();
