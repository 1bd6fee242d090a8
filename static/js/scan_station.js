/* Scan stations (receiving against a purchase order, stock counts): a keyboard-wedge scanner types a code
   and Enter, 5–20 ms a key, one scan right after another. No keystroke may be lost or land elsewhere, so:
   - the scan field (#scan-input) is outside the swapped region (#scan-state) and is never replaced;
   - each Enter takes the field's code (and the quantity field, then cleared) and queues it: scans are sent
     one at a time, in order;
   - a key typed while focus is on the page or a button goes into the scan field.
   Without JS the form is a plain post. A beep and a colour tell each result. */
(function () {
  "use strict";
  var queue = Promise.resolve();
  var audio = null;

  function form() { return document.querySelector("[data-scan-station]"); }
  function input() { return document.getElementById("scan-input"); }

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
      /* no audio device: the colour still tells */
    }
  }

  function setBox(ok) {
    var box = document.getElementById("station-box");
    if (!box) { return; }
    box.classList.remove("station-ok", "station-error");
    box.classList.add(ok ? "station-ok" : "station-error");
  }

  function showNotSent(code) {
    var state = document.getElementById("scan-state");
    var alert = document.createElement("div");
    alert.className = "alert alert-danger fs-5 fw-bold";
    alert.setAttribute("role", "alert");
    alert.dataset.testid = "scan-message";
    alert.textContent = (form().dataset.notSent || "%(code)s").replace("%(code)s", code);
    var old = state && state.querySelector("[data-testid=scan-message]");
    if (old) { old.replaceWith(alert); } else if (state) { state.prepend(alert); }
    setBox(false);
    beep(false);
  }

  function send(code, quantity) {
    var f = form();
    var values = { code: code, csrfmiddlewaretoken: f.querySelector("[name=csrfmiddlewaretoken]").value };
    if (quantity) { values.quantity = quantity; }
    // Whether this scan got an answer is read from the state it brings back: forget the last one's.
    var state = document.getElementById("scan-state");
    if (state) { delete state.dataset.result; }
    return htmx.ajax("POST", f.getAttribute("action"), { target: "#scan-state", swap: "outerHTML", values: values });
  }

  function takeScan() {
    var field = input();
    var code = field.value.trim();
    var qty = document.getElementById("scan-quantity");
    var quantity = qty ? qty.value.trim() : "";
    field.value = "";
    if (qty) { qty.value = ""; }
    if (!code) { return; }
    queue = queue.then(function () {
      return send(code, quantity).then(function () {
        var state = document.getElementById("scan-state");
        if (state && state.dataset.result) { return; }
        showNotSent(code);
      }, function () { showNotSent(code); });
    });
  }

  document.addEventListener("keydown", function (event) {
    var field = input();
    var active = document.activeElement;
    if (!field || active === field || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (active && active.matches && active.matches("input, select, textarea, [contenteditable]")) {
      return; // the quantity field, a search box: the user chose it
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
    if (!event.target.matches || !event.target.matches("[data-scan-station]") || !window.htmx) { return; }
    event.preventDefault();
    takeScan();
    input().focus();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id !== "scan-state") { return; }
    var ok = event.target.dataset.result === "ok";
    setBox(ok);
    beep(ok);
    var field = input();
    var qty = document.getElementById("scan-quantity");
    if (field && document.activeElement !== field && document.activeElement !== qty) { field.focus(); }
  });
})();
