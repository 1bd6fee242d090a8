/* Pack station: a keyboard-wedge scanner types a code and Enter, 5–20 ms a key, one scan right after another.
   No keystroke may be lost or land in the wrong field while the page updates, so:
   - the scan field (#scan-input) sits outside every swapped region and is never replaced;
   - each Enter takes the field's code and queues it: scans are sent one at a time, in order, each to the
     URL the last answer named (#pack-state data-scan-url: a parcel scan before it may have switched parcel);
   - a key typed while focus is elsewhere (the page, a button, the weight field) is put into the scan field,
     unless it is a weight being typed: digits only, with nothing of a scan pending;
   - the weight field gets focus only when the parcel is complete and no scan is typed or queued.
   Without JS the form is a plain post. Beep and colour on each result. */
(function () {
  "use strict";
  var WEIGHT_MAX_DIGITS = 7; // 1 000 000 g; a longer run of digits is a barcode
  var audio = null;
  var queue = Promise.resolve();
  var pending = 0; // scans queued or in flight
  var sending = null; // the code of the scan in flight
  var failed = false; // its request failed (no answer, or an error status): it was not recorded

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

  function scanInput() { return document.getElementById("scan-input"); }
  function scanForm() { return document.querySelector("[data-testid=scan-form]"); }

  function setBox(kind) {
    var box = document.getElementById("pack-box");
    if (!box) { return; }
    box.classList.remove("pack-error", "pack-complete", "pack-ready");
    box.classList.add("pack-" + kind);
  }

  function react() {
    var state = document.getElementById("pack-state");
    var input = scanInput();
    if (!state || !input) { return; }
    var result = state.dataset.result;
    var complete = state.dataset.complete === "1";
    setBox(result && result !== "ok" ? "error" : complete ? "complete" : "ready");
    if (state.dataset.placeholder) { input.placeholder = state.dataset.placeholder; }
    if (state.dataset.scanUrl) { scanForm().setAttribute("action", state.dataset.scanUrl); }
    var weight = document.getElementById("weight-input");
    // The weight field only when the parcel is done and no scan is being typed or waits to be sent.
    if (complete && result === "ok" && weight && pending === 0 && !input.value) {
      if (document.activeElement !== weight) { weight.focus(); }
    } else if (document.activeElement !== input && document.activeElement !== weight) {
      input.focus();
    }
  }

  function showNotSent(code) {
    var state = document.getElementById("pack-state");
    var template = scanForm().dataset.notSent || "%(code)s";
    if (!state) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger fs-4 fw-bold mb-3";
    alert.setAttribute("role", "alert");
    alert.dataset.testid = "scan-message";
    alert.textContent = template.replace("%(code)s", code);
    state.replaceChildren(alert);
    state.dataset.result = "not_sent";
    setBox("error");
    beep(false);
  }

  function send(code) {
    var state = document.getElementById("pack-state");
    var form = scanForm();
    var url = (state && state.dataset.scanUrl) || form.getAttribute("action");
    sending = code;
    // An item scan swaps #pack-state (and its parts out of band); a parcel answer retargets the panel.
    return htmx.ajax("POST", url, {
      target: "#pack-state",
      swap: "outerHTML",
      values: { code: code, csrfmiddlewaretoken: form.querySelector("[name=csrfmiddlewaretoken]").value }
    });
  }

  function enqueue(code) {
    pending += 1;
    queue = queue
      .then(function () { return send(code); })
      .catch(function () { failed = true; })
      .then(function () {
        if (failed) { showNotSent(code); }
        failed = false;
        sending = null;
        pending -= 1;
        if (pending === 0) { react(); }
      });
  }

  function takeScan() {
    var input = scanInput();
    var code = input.value.trim();
    input.value = "";
    if (code) { enqueue(code); }
  }

  // The weight field holds a weight only while it is digits, short, with no scan begun in the scan field.
  function weightKey(event, weight, input) {
    var digit = /^[0-9]$/.test(event.key);
    if (event.key.length === 1 && digit && !input.value) { return false; }
    if (event.key === "Enter") {
      if (!input.value && weight.value.length <= WEIGHT_MAX_DIGITS) { return false; }
      input.value += weight.value;
      weight.value = "";
      event.preventDefault();
      input.focus();
      takeScan();
      return true;
    }
    if (event.key.length !== 1) { return false; }
    input.value += weight.value + event.key;
    weight.value = "";
    event.preventDefault();
    input.focus();
    return true;
  }

  // Capture phase: decide where each key goes before any field sees it.
  document.addEventListener("keydown", function (event) {
    var input = scanInput();
    var active = document.activeElement;
    if (!input || active === input || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (active && active.id === "weight-input") {
      weightKey(event, active, input);
      return;
    }
    if (active && active.matches && active.matches("input, select, textarea, [contenteditable]")) {
      return; // a field the user chose (the language switch, a search box)
    }
    if (event.key.length === 1) {
      event.preventDefault();
      input.value += event.key;
      input.focus();
    } else if (event.key === "Enter" && input.value) {
      event.preventDefault();
      input.focus();
      takeScan();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-testid=scan-form]") || !window.htmx) { return; }
    event.preventDefault();
    takeScan();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (sending !== null && !event.detail.successful) { failed = true; }
  });
  document.addEventListener("DOMContentLoaded", react);
  // htmx settles each swapped element (the verdict and its out-of-band parts): one beep, for the verdict.
  document.addEventListener("htmx:afterSettle", function (event) {
    var result = event.target.id === "pack-state" && event.target.dataset.result;
    if (result) { beep(result === "ok"); }
    react();
  });
})();
