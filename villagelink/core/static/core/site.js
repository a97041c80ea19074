// Small behaviours of every page, wired by data attributes (no inline scripts: the Content-Security-Policy
// allows scripts from this site only).
document.documentElement.classList.add("js"); // the folded menu needs its button to work
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
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-menu]");
  if (!button) return;
  const nav = document.getElementById(button.getAttribute("aria-controls"));
  const open = nav.classList.toggle("open");
  button.setAttribute("aria-expanded", String(open));
});
