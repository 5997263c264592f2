// 导入: while a job runs, poll its status resource and show rows read and applied; reload the page when it
// ends (the server renders the counts or the bad rows). Without JavaScript the 刷新 link does the same.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-state") !== "running") { return; }
  var url = box.getAttribute("data-status");
  function show(s) {
    document.getElementById("job-read").textContent = String(s.read);
    document.getElementById("job-applied").textContent = s.total ? "读模型 " + s.applied + " / " + s.total : "—";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 3000); return; }
        show(s);
        if (s.state !== "running") { window.location.reload(); return; }
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
