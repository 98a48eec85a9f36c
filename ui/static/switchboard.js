// Switchboard's UI script: small conveniences on top of pages that work
// without it. No inline script anywhere (the Content-Security-Policy
// forbids it); behaviour hangs on data-* attributes.
(function () {
  "use strict";

  // The browser's time zone, so times read in it until the user picks one.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("sb_tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "sb_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* an old browser: times stay in UTC */ }

  // A "select all" box, shown only where this script runs: data-select-all
  // names the checkboxes it ticks.
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      var name = all.getAttribute("data-select-all");
      all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });

  // Copy buttons: data-copy names the input whose value they copy; they
  // show only where this script runs.
  document.querySelectorAll("[data-copy]").forEach(function (btn) { btn.hidden = false; });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn) { return; }
    var input = document.getElementById(btn.getAttribute("data-copy"));
    if (!input) { return; }
    var done = function () { btn.classList.add("copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    } else {
      var type = input.type;
      input.type = "text";
      input.select();
      document.execCommand("copy");
      input.type = type;
      done();
    }
  });
  // Editors with a live preview: data-live-preview is the address that
  // previews the form as it is. Changes are sent after a pause; the
  // answer replaces the preview and puts each error at its field.
  document.querySelectorAll("form[data-live-preview]").forEach(function (form) {
    var timer = null, sent = 0, shown = 0;
    var preview = form.querySelector("#preview");
    var send = function () {
      var seq = ++sent;
      var body = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute("data-live-preview"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (res) {
        if (!res.ok) { throw new Error("preview answered " + res.status); }
        return res.json();
      }).then(function (answer) {
        if (seq < shown) { return; }
        shown = seq;
        if (preview) { preview.innerHTML = answer.html; }
        form.querySelectorAll("[data-err-for]").forEach(function (el) {
          var msg = (answer.errors || {})[el.getAttribute("data-err-for")] || "";
          el.textContent = msg;
          el.hidden = msg === "";
          var row = el.closest("tr, .rule");
          if (row) { row.classList.toggle("has-error", msg !== ""); }
        });
        form.dataset.previewed = String(seq);
      }).catch(function () {
        // No preview came back (signed out, the appliance out of reach):
        // the last one no longer shows what the form has, so say so in
        // its place. The form still posts: Preview and Save.
        if (seq < shown || !preview) { return; }
        shown = seq;
        var note = document.createElement("p");
        note.className = "alert";
        note.setAttribute("role", "alert");
        note.setAttribute("data-preview-state", "failed");
        note.textContent = form.getAttribute("data-preview-failed") || "";
        preview.replaceChildren(note);
      });
    };
    var later = function () {
      clearTimeout(timer);
      timer = setTimeout(send, 450);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });

  // The field picker puts a field or function into the expression the
  // user was typing in (the last one focused). Its buttons are off (and
  // the functions' Insert hidden) until this script runs.
  document.querySelectorAll("[data-insert]").forEach(function (btn) {
    btn.disabled = false;
    btn.hidden = false;
  });
  var lastExpr = null;
  document.addEventListener("focusin", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-expr]")) { lastExpr = ev.target; }
  });
  document.addEventListener("click", function (ev) {
    var pick = ev.target.closest("[data-insert]");
    if (!pick || !lastExpr) { return; }
    var text = pick.getAttribute("data-insert");
    var start = lastExpr.selectionStart, end = lastExpr.selectionEnd;
    if (typeof start !== "number") { start = end = lastExpr.value.length; }
    lastExpr.value = lastExpr.value.slice(0, start) + text + lastExpr.value.slice(end);
    lastExpr.focus();
    lastExpr.setSelectionRange(start + text.length, start + text.length);
    lastExpr.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Reset buttons empty an expression, so the default applies again.
  document.querySelectorAll("[data-reset]").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var input = document.getElementById(btn.getAttribute("data-reset"));
      if (!input) { return; }
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // A search box that shows only the rows whose field matches; shown only
  // where this script runs. It belongs to no form (its form attribute
  // names none), so Enter in it submits nothing.
  document.querySelectorAll("[data-filter-rows]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-filter-rows"));
    if (!table) { return; }
    if (box.parentElement) { box.parentElement.hidden = false; }
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var name = (tr.getAttribute("data-row") || "").toLowerCase();
        tr.hidden = q !== "" && name !== "" && name.indexOf(q) < 0;
      });
    });
  });
  // A field that belongs to a choice picks it when typed in: the cron
  // expression picks "Other", so what is typed is what is saved.
  document.addEventListener("input", function (ev) {
    if (!ev.target.matches || !ev.target.matches("[data-picks]")) { return; }
    var choice = document.getElementById(ev.target.getAttribute("data-picks"));
    if (choice && ev.target.value.trim() !== "") { choice.checked = true; }
  });
  // A condition shows the controls of its kind: a field, a comparison
  // and a value, or an expression (without the script, both show).
  document.addEventListener("change", function (ev) {
    if (!ev.target.matches || !ev.target.matches("[data-cond-mode]")) { return; }
    var cond = ev.target.closest(".cond");
    if (cond) { cond.setAttribute("data-mode", ev.target.value); }
  });
  document.documentElement.classList.add("js");
})();
