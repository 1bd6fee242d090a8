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

// The manual order form (templates/orders/order_form.html): pick a SKU from the search list, add and remove
// line rows, use a known customer's address. A removed row is emptied and hidden (blank rows are ignored).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button") : null;
  if (!button) return;
  const row = button.closest("[data-line-row]");
  if (button.hasAttribute("data-sku-pick") && row) {
    row.querySelector("input[name$='-sku']").value = button.dataset.skuPick;
    const price = row.querySelector("input[name$='-unit_price']");
    if (price) price.placeholder = button.dataset.skuPrice;
    const quantity = row.querySelector("input[name$='-quantity']");
    if (quantity && !quantity.value) quantity.value = "1";
    row.querySelector(".sku-matches").replaceChildren();
    if (quantity) quantity.focus();
  } else if (button.hasAttribute("data-remove-line") && row) {
    row.querySelectorAll("input").forEach((input) => {
      input.value = "";
    });
    row.hidden = true;
  } else if (button.hasAttribute("data-add-line")) {
    const template = document.getElementById("line-template");
    const total = document.querySelector("input[name$='-TOTAL_FORMS']");
    const lines = document.querySelector("[data-lines]");
    if (!template || !total || !lines) return;
    const index = Number(total.value);
    const wrapper = document.createElement("div");
    wrapper.innerHTML = template.innerHTML.replaceAll("__prefix__", String(index));
    const fresh = wrapper.firstElementChild;
    lines.appendChild(fresh);
    total.value = String(index + 1);
    if (window.htmx) window.htmx.process(fresh);
    fresh.querySelector("input")?.focus();
  } else if (button.hasAttribute("data-address-pick")) {
    const form = button.closest("form");
    const set = (name, value, asPlaceholder) => {
      const field = form.querySelector(`[name='${name}']`);
      if (!field) return;
      if (asPlaceholder) field.placeholder = value;
      else field.value = value;
    };
    set("address_from", button.dataset.addressPick);
    ["province", "city", "district", "postcode"].forEach((name) => set(name, button.dataset[name] || ""));
    set("line1", button.dataset.line1, true);
    set("customer_name", button.dataset.name, true);
    button.closest("[data-testid='customer-match']").classList.add("border-success");
  }
});
