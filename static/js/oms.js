// Behaviour every page shares, kept out of inline attributes so the Content-Security-Policy can forbid them.
// A <select data-autosubmit> submits its form as soon as the user picks an option (the language switch).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});

// A checkbox with data-select-toggle posts (HTMX) whether it was ticked or cleared, and its value:
// action=select|deselect and toggle=<value> (the statement builder's item checkboxes).
document.addEventListener("htmx:configRequest", (event) => {
  const field = event.detail.elt;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-toggle")) {
    event.detail.parameters.action = field.checked ? "select" : "deselect";
    event.detail.parameters.toggle = field.value;
  }
});

// A checkbox with data-select-all="<name>" ticks or clears every checkbox of that name on the page
// (the to-ship list's "all on this page").
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.dataset.selectAll) {
    document.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`).forEach((other) => {
      other.checked = box.checked;
    });
  }
});
