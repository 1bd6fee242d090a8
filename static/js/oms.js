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
