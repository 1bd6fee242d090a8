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

// Bulk bars (templates/inc/bulk_bar.html): the header checkbox ticks every row on the page, and the bar
// shows how many rows are ticked. Ticking "all matching the filter" needs no row ticked.
const bulkItems = () => Array.from(document.querySelectorAll("input[data-bulk-item]"));
const bulkCount = () => {
  const ticked = bulkItems().filter((box) => box.checked).length;
  document.querySelectorAll("[data-bulk-count]").forEach((el) => {
    el.textContent = String(ticked);
  });
  document.querySelectorAll("input[data-bulk-all]").forEach((all) => {
    all.checked = ticked > 0 && ticked === bulkItems().length;
    all.indeterminate = ticked > 0 && ticked < bulkItems().length;
  });
};
document.addEventListener("change", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement)) return;
  if (field.hasAttribute("data-bulk-all")) {
    bulkItems().forEach((box) => {
      box.checked = field.checked;
    });
    bulkCount();
  } else if (field.hasAttribute("data-bulk-item")) {
    bulkCount();
  }
});
document.addEventListener("DOMContentLoaded", bulkCount);
