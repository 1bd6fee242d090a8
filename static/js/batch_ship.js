/* Batch ship (扫描发货): a keyboard-wedge scanner types a label's number and Enter, 5–20 ms a key, one label
   right after another. No keystroke may be lost while the page updates, so, as at the pack station:
   - the scan field (#batch-scan-input) is never swapped; only rows are added to the log above it;
   - each Enter takes the field's code and queues it: scans are sent one at a time, in order;
   - a key typed while focus is elsewhere is put into the scan field (and focus goes back there).
   Without JS the form is a plain post. A beep per verdict: high for shipped, low for refused. */
(function () {
  "use strict";
  var audio = null;
  var queue = Promise.resolve();
  var failed = false;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = ok ? "sine" : "square";
      osc.frequency.value = ok ? 1320 : 220;
      gain.gain.value = ok ? 0.15 : 0.35;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.08 : 0.45));
    } catch (e) {
      /* no audio device: the row's colour still tells */
    }
  }

  function input() { return document.getElementById("batch-scan-input"); }
  function form() { return document.querySelector("[data-testid=batch-scan-form]"); }

  function count() {
    var log = document.getElementById("batch-log");
    document.getElementById("batch-count").textContent = log.querySelectorAll("tr[data-ok='1']").length;
    document.getElementById("batch-refused").textContent = log.querySelectorAll("tr[data-ok='0']").length;
  }

  function notSent(code) {
    var row = document.createElement("tr");
    row.className = "table-danger";
    row.dataset.ok = "0";
    row.dataset.testid = "batch-row";
    var cell = document.createElement("td");
    cell.colSpan = 4;
    cell.textContent = (form().dataset.notSent || "%(code)s").replace("%(code)s", code);
    row.appendChild(cell);
    document.getElementById("batch-log").prepend(row);
    beep(false);
  }

  function send(code) {
    var f = form();
    return htmx.ajax("POST", f.getAttribute("action"), {
      target: "#batch-log",
      swap: "afterbegin",
      values: { code: code, csrfmiddlewaretoken: f.querySelector("[name=csrfmiddlewaretoken]").value }
    });
  }

  function enqueue(code) {
    queue = queue
      .then(function () { return send(code); })
      .catch(function () { failed = true; })
      .then(function () {
        if (failed) { notSent(code); }
        failed = false;
        count();
      });
  }

  function takeScan() {
    var field = input();
    var code = field.value.trim();
    field.value = "";
    if (code) { enqueue(code); }
  }

  document.addEventListener("keydown", function (event) {
    var field = input();
    var active = document.activeElement;
    if (!field || active === field || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (active && active.matches && active.matches("input, select, textarea, [contenteditable]")) {
      return; // a field the user chose (the language switch)
    }
    if (event.key.length === 1) {
      event.preventDefault();
      field.value += event.key;
      field.focus();
    } else if (event.key === "Enter" && field.value) {
      event.preventDefault();
      field.focus();
      takeScan();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.matches || !f.matches("[data-testid=batch-scan-form]") || !window.htmx) { return; }
    event.preventDefault();
    takeScan();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { failed = true; }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var row = event.target.id === "batch-log" && event.target.querySelector("tr");
    if (row) { beep(row.dataset.ok === "1"); }
    if (document.activeElement !== input()) { input().focus(); }
  });
})();
