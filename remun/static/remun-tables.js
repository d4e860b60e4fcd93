// Remun: tables on phones (issue 16). Hand-written, loaded as a module after init.js.
//
// * A table marked .remun-stack becomes stacked rows on a narrow screen (remun-figures.css); each cell
//   shows its column's heading, taken here from the table's own header row when the template gave none.
// * Every other table sits in a region that scrolls sideways by itself, so the page never does. The
//   region is named after the table's caption, and can be reached and scrolled with the keyboard
//   whenever it is wider than the screen.

for (const table of document.querySelectorAll("table.govuk-table.remun-stack")) {
  const headings = Array.from(table.querySelectorAll(":scope > thead > tr > th")).map((th) => th.textContent.trim());
  for (const row of table.querySelectorAll(":scope > tbody > tr")) {
    let column = 0;
    for (const cell of row.children) {
      if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headings[column]) {
        cell.setAttribute("data-label", headings[column]);
      }
      column += cell.colSpan || 1;
    }
  }
}

const regions = [];
for (const table of document.querySelectorAll("table.govuk-table:not(.remun-stack)")) {
  if (table.parentElement.classList.contains("remun-scroll")) continue;
  const region = document.createElement("div");
  region.className = "remun-scroll";
  region.setAttribute("role", "region");
  const caption = table.caption ? table.caption.textContent.trim().replace(/\s+/g, " ") : "";
  const heading = document.querySelector("h1");
  region.setAttribute("aria-label", caption || (heading ? heading.textContent.trim() : document.title));
  table.parentNode.insertBefore(region, table);
  region.appendChild(table);
  regions.push(region);
}

function reachable() {
  for (const region of regions) {
    if (region.scrollWidth > region.clientWidth + 1) region.tabIndex = 0;
    else region.removeAttribute("tabindex");
  }
}
reachable();
window.addEventListener("resize", reachable);
