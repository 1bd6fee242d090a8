/* Pack station: every scan (a scanner types a code and Enter) is sent in order, none dropped; the field is
   cleared as soon as a code is taken, so the next scan can start at once; beep and colour on each result. */
(function () {
  "use strict";
  var audio = null;
  var queue = Promise.resolve();

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

  function react() {
    var state = document.getElementById("pack-state");
    var box = document.getElementById("pack-box");
    var input = document.getElementById("scan-input");
    if (state && box) {
      var result = state.dataset.result;
      var complete = state.dataset.complete === "1";
      box.classList.remove("pack-error", "pack-complete", "pack-ready");
      box.classList.add(result && result !== "ok" ? "pack-error" : complete ? "pack-complete" : "pack-ready");
      if (result) { beep(result === "ok"); }
      if (complete && result === "ok") {
        var weight = document.getElementById("weight-input");
        if (weight) { weight.focus(); return; }
      }
    }
    if (input && document.activeElement !== input) { input.focus(); }
  }

  function send(code, token) {
    // The form is read when the scan is sent: a parcel scan before it may have switched the panel.
    var form = document.querySelector("[data-testid=scan-form]");
    if (!form) { return Promise.resolve(); }
    return htmx.ajax("POST", form.getAttribute("action"), {
      target: form.dataset.scanTarget,
      swap: form.dataset.scanSwap,
      values: { code: code, csrfmiddlewaretoken: token }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-testid=scan-form]") || !window.htmx) { return; }
    event.preventDefault();
    var input = form.querySelector("#scan-input");
    var code = input.value.trim();
    input.value = "";
    if (!code) { return; }
    var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    queue = queue.then(function () { return send(code, token); }).catch(function () { /* shown by htmx */ });
  });

  document.addEventListener("DOMContentLoaded", react);
  document.body.addEventListener("htmx:afterSettle", react);
  // A scanner may fire while focus is elsewhere: bring it back to the scan field.
  document.addEventListener("keydown", function (event) {
    var input = document.getElementById("scan-input");
    var active = document.activeElement;
    if (input && active && active.tagName !== "INPUT" && active.tagName !== "SELECT" && event.key.length === 1) {
      input.focus();
    }
  });
})();
