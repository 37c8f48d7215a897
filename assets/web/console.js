// The staff console's only script (MIT, part of this repository). The pages work without it; with it the waiting
// list follows the queue live (server-sent events) and a submitted form's buttons are disabled so a double click
// sends one request.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  var panel = document.querySelector("[data-live]");
  if (!panel || !window.EventSource) return;
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    fetch(panel.dataset.live, { credentials: "same-origin" })
      .then(function (r) { if (r.status === 401) { window.location.reload(); } return r.ok ? r.text() : null; })
      .then(function (html) {
        pending = false;
        // Never replace the list while someone is choosing services in it.
        if (html !== null && !panel.contains(document.activeElement)) { panel.innerHTML = html; panel.dataset.updated = String(Date.now()); }
      })
      .catch(function () { pending = false; });
  }
  var offline = document.getElementById("offline");
  var source = new EventSource("/staff/events");
  source.addEventListener("changed", refresh);
  source.addEventListener("open", function () {
    if (offline && !offline.hidden) { offline.hidden = true; refresh(); }
  });
  source.addEventListener("error", function () { if (offline) offline.hidden = false; });
})();
