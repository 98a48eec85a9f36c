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

  // Copy buttons: data-copy names the input whose value they copy.
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
})();
