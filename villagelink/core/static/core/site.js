// Small behaviours of every page, wired by data attributes (no inline scripts: the Content-Security-Policy
// allows scripts from this site only).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) select.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-submit-once]");
  if (!form) return;
  form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = true; });
});
