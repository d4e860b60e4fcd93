// A "Print" button (id="print-budget"), shown only when JavaScript runs.
// An external file, not inline script: the Content-Security-Policy (remun/web/security.py) allows no inline script.
const button = document.getElementById("print-budget");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
