// The paper's Print button (shown only where this script runs; the browser's own Print works anyway).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
