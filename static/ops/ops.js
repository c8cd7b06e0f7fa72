/* Control Tower ops pages: a little plain JavaScript. Everything works without it except the
   copy buttons (which then show the text to copy by hand). */
(function () {
  "use strict";

  function showLoading() {
    var bar = document.getElementById("loading");
    if (bar) { bar.hidden = false; }
  }

  // A navigation inside the page shows "Loading…" until the next page arrives.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || link.target || link.hasAttribute("download")) { return; }
    var href = link.getAttribute("href");
    if (href.charAt(0) === "?" || href.charAt(0) === "/") {
      if (href.indexOf("/api/") !== 0) { showLoading(); }
    }
  });
  document.addEventListener("submit", function () { showLoading(); });
  window.addEventListener("pageshow", function () {
    var bar = document.getElementById("loading");
    if (bar) { bar.hidden = true; }
  });

  // Rows with data-href open their link when clicked (the first cell keeps a real link for keyboards).
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, label, summary")) { return; }
    showLoading();
    window.location.href = row.getAttribute("data-href");
  });

  // The incident queue: a group's button shows or hides its incidents.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.expand[aria-controls]");
    if (!button) { return; }
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = button.textContent.replace(open ? "▸" : "▾", open ? "▾" : "▸");
    document.querySelectorAll('tr[data-group="' + button.getAttribute("aria-controls") + '"]').forEach(function (row) {
      row.hidden = !open;
    });
  });

  // Copy buttons: navigator.clipboard, else show the text in a selectable textarea.
  function copyFallback(button, text, status) {
    var box = document.getElementById(button.getAttribute("data-fallback"));
    if (box) {
      box.value = text;
      box.hidden = false;
      box.focus();
      box.select();
    }
    if (status) { status.textContent = "Copying is not available here: the text is selected below, press Ctrl+C."; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    var text = source ? source.value : "";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        if (status) { status.textContent = button.getAttribute("data-done") || "Copied."; }
      }, function () { copyFallback(button, text, status); });
    } else {
      copyFallback(button, text, status);
    }
  });

  // An action panel opened from the keyboard takes the focus; Escape closes it (its Close link, which
  // names the row it came from), and that row's link gets the focus back.
  function focusOnLoad() {
    var close = document.querySelector("a[data-close-panel]");
    var title = close && document.getElementById("action-title");
    if (title) { title.focus(); return; }
    var row = location.hash && document.getElementById(location.hash.slice(1));
    if (!row || row.tagName !== "TR") { return; }
    if (row.hidden) {
      var expand = document.querySelector('button.expand[aria-controls="' + row.getAttribute("data-group") + '"]');
      if (expand) { expand.click(); }
    }
    var link = row.querySelector("a[href]");
    if (link) { link.focus(); }
  }
  // After "load": the browser's own scroll to the #fragment comes first and would take the focus away.
  if (document.readyState === "complete") { focusOnLoad(); } else { window.addEventListener("load", focusOnLoad); }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) { return; }
    var close = document.querySelector("a[data-close-panel]");
    if (close) { showLoading(); window.location.href = close.href; }
  });

  // Policy: "Use in form" fills the assignment forms from a table row.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-prefill]");
    if (!button) { return; }
    var values = JSON.parse(button.getAttribute("data-prefill"));
    document.querySelectorAll("form[data-policy-form]").forEach(function (form) {
      Object.keys(values).forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && values[name] !== null && values[name] !== undefined) { field.value = values[name]; }
      });
    });
    var first = document.getElementById("policy-forms");
    if (first) { first.scrollIntoView({ behavior: "smooth" }); first.focus(); }
  });
})();
