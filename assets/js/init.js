// Remun: start GOV.UK Frontend's JavaScript components.
// Loaded as <script type="module" src="/static/init.js"> (no inline script, so
// it works under a strict Content Security Policy).
import { initAll } from "./govuk-frontend.min.js";

// template.html's inline snippet normally adds these classes. Module scripts
// only run in browsers GOV.UK Frontend supports, so adding them here is safe,
// and keeps components working even if that snippet is blocked.
document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();
