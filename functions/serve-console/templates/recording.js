// Polls the state of a recording awaiting the candidate's consent, and
// shows the answer as soon as it is recorded. Without script, the page's
// refresh link does the same.
"use strict";
(function () {
  var box = document.querySelector("[data-poll]");
  var gate = box && box.querySelector(".gate");
  if (!gate || !window.fetch) { return; }
  var url = box.getAttribute("data-poll");
  var tick = function () {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (s) {
        if (!s || s.status === "awaiting") { setTimeout(tick, 1000); return; }
        gate.className = "gate gate-" + s.status;
        gate.querySelector(".gate-title").textContent = s.title;
        gate.querySelector(".gate-reason").textContent = s.reason;
        var hide = document.querySelectorAll("[data-while-awaiting]");
        for (var i = 0; i < hide.length; i++) { hide[i].hidden = true; }
      })
      .catch(function () { setTimeout(tick, 3000); });
  };
  setTimeout(tick, 1000);
})();
