// Binds verify.js to the markup of templates/_verifier.html: every [data-verifier] element gets
// its inputs, drop zones and Verify button wired up. The only requests are GETs of the
// certificate (data-certificate-url, unless the visitor picked one), of the key set
// (data-keys-url) and, after a genuine certificate, of its registration's public record
// (data-registrations-url: revoked since?); the work file is read and hashed in the browser and
// never leaves it.
// User-supplied text is only ever inserted with textContent.
import { STEPS, verifyCertificate } from "./verify.js";

// Translated strings rendered by the server; fall back to the English names.
function texts(root) {
  const block = root.querySelector("script.verifier-text");
  const given = block ? JSON.parse(block.textContent) : {};
  return { steps: {}, verdicts: {}, ...given };
}

// "%(name)s" placeholders, as the server's gettext strings carry them.
function fill(template, values) {
  return String(template).replace(/%\((\w+)\)s/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

const input = (root, role) => root.querySelector(`[data-verifier-input="${role}"]`);
const firstFile = (el) => (el && el.files && el.files.length ? el.files[0] : null);

async function getJson(url) {
  const response = await fetch(url, { method: "GET", credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

async function readJson(file, message) {
  try {
    return JSON.parse(await file.text());
  } catch {
    throw new Error(fill(message || "%(name)s is not JSON", { name: file.name }));
  }
}

// The certificate the visitor picked, else the record's own.
async function certificateOf(root, t) {
  const picked = firstFile(input(root, "certificate"));
  if (picked) return readJson(picked, t.notCertificateJson);  // most often the certificate's PDF
  const url = root.dataset.certificateUrl;
  if (!url) throw new Error(t.noCertificate || "Choose a certificate file.");
  return getJson(url);
}

function showError(root, message) {
  const box = root.querySelector("[data-verifier-error]");
  box.textContent = message;
  box.hidden = !message;
}

// A step's finding in the reader's language where the page has its sentence (a failure deep in
// a proof's structure has none), else verify.js's English sentence.
function describe(t, step) {
  const template = step.detail && (t.details || {})[step.detail.key];
  if (!template) return step.reason || "";
  const values = { ...step.detail.values };
  if ("step" in values) values.step = t.steps[values.step] || values.step;
  return fill(template, values);
}

function renderSteps(root, t, steps) {
  const list = root.querySelector("[data-verifier-steps]");
  list.replaceChildren(...steps.map((step) => {
    const item = document.createElement("li");
    item.dataset.step = step.name;
    if (step.status) item.dataset.status = step.status; // none before the first run
    const name = document.createElement("span");
    name.className = "verifier-step";
    name.textContent = t.steps[step.name] || step.name;
    const verdict = document.createElement("strong");
    verdict.className = "verifier-verdict";
    verdict.textContent = step.status ? t.verdicts[step.status] || step.status : "";
    const reason = document.createElement("span");
    reason.className = "verifier-reason";
    reason.textContent = describe(t, step);
    item.append(name, " ", verdict, " ", reason);
    return item;
  }));
  list.hidden = false;
}

// Between two sentences of a verdict: Chinese sentences run on ("…失败。证书…"), others take a space.
const sentenceGap = () => (document.documentElement.lang.startsWith("zh") ? "" : " ");

// Whether the registration still stands, which no certificate can say (a dispute may have revoked
// it since): the registry's public record of it, read once the checks are done. Nothing is said
// when it cannot be read (a certificate of another registry, the site unreachable).
async function standingOf(root, number) {
  const url = root.dataset.registrationsUrl;
  if (!url || !number) return null;
  try {
    return await getJson(url + encodeURIComponent(number));
  } catch {
    return null;
  }
}

// "But the registration … was revoked on 2026-12-07 (Beijing time)": days as the site shows them.
function standingSentence(t, record, number) {
  if (!record) return null;
  if (record.status === "revoked") {
    const at = typeof record.revoked_at === "string" ? Date.parse(record.revoked_at) : NaN;
    if (Number.isNaN(at)) return fill(t.revokedUndated || "", { number });
    const day = new Date(at + 8 * 3600 * 1000).toISOString().slice(0, 10);
    return fill(t.revoked || "", { number, day });
  }
  return record.status === "disputed" ? fill(t.disputed || "", { number }) : null;
}

// After the verdict, what the registry says of the registration now (revoked, disputed), if anything.
function addStanding(root, t, number, record) {
  const said = standingSentence(t, record, number);
  if (!said) return;
  const status = root.querySelector('[role="status"]');
  status.dataset.standing = record.status;
  status.textContent = [status.textContent, said].join(sentenceGap());
}

// The verdict in words: whether a file was checked, and whether the certificate is this record's.
function renderResult(root, t, result) {
  const status = root.querySelector('[role="status"]');
  const gap = sentenceGap();
  status.dataset.valid = String(result.valid);
  if (!result.valid) {  // the step that failed, then what that means in plain words
    const failed = fill(t.invalid || "Not valid: %(step)s failed.",
      { step: t.steps[result.failedStep] || result.failedStep });
    status.textContent = [failed, (t.meanings || {})[result.failedStep]].filter(Boolean).join(gap);
    return;
  }
  const fileChecked = result.steps.some((s) => s.name === "file hash" && s.status === "passed");
  const sentences = [fill((fileChecked ? t.valid : t.validNoFile) || t.valid, result)];
  const record = root.dataset.recordNumber;
  if (record && result.number !== record) sentences.push(fill(t.otherRecord || "", { number: result.number, record }));
  status.textContent = sentences.join(gap);
}

// The certificate holds, and the chosen file is not the work it registers.
function renderWrongFile(root, t, alone) {
  const status = root.querySelector('[role="status"]');
  status.dataset.valid = "false";
  status.dataset.file = "other";
  status.textContent = fill(t.wrongFile || "", alone);
}

// A new run starts from a clean slate: no verdict or step of the previous one stays on screen.
function clearResult(root) {
  const list = root.querySelector("[data-verifier-steps]");
  list.replaceChildren();
  list.hidden = true;
}

// While a check runs the button says it is busy (aria-disabled) and ignores presses: disabled, it
// lost a keyboard's focus to the page's top, and the verdict (role=status) was said to no one there.
async function run(root, t, button) {
  if (button.getAttribute("aria-disabled") === "true") return;
  const status = root.querySelector('[role="status"]');
  button.setAttribute("aria-disabled", "true");
  root.setAttribute("aria-busy", "true");
  showError(root, "");
  delete status.dataset.valid;
  delete status.dataset.file;
  delete status.dataset.standing;
  clearResult(root);
  status.textContent = t.checking || "Checking…";
  try {
    const policyFile = firstFile(input(root, "policy"));
    const [certificate, keySet, policy] = await Promise.all([
      certificateOf(root, t), getJson(root.dataset.keysUrl), policyFile ? readJson(policyFile, t.notJson) : null,
    ]);
    const file = firstFile(input(root, "file"));
    const result = await verifyCertificate({ certificate, keySet, file, policy });
    if (result.failedStep === "file hash") {
      // Not the registered file: say whether the certificate itself holds, rather than "not valid"
      // with every later check skipped (a reader takes that for a forged certificate).
      // A certificate that fails on its own is reported by the check it fails.
      const alone = await verifyCertificate({ certificate, keySet, policy });
      const refused = result.steps.find((s) => s.name === "file hash");
      const standing = alone.valid ? await standingOf(root, alone.number) : null;
      renderSteps(root, t, alone.steps.map((s) => (s.name === "file hash" ? refused : s)));
      if (alone.valid) {
        renderWrongFile(root, t, alone);
        addStanding(root, t, alone.number, standing);
      } else renderResult(root, t, alone);
      return;
    }
    const standing = result.valid ? await standingOf(root, result.number) : null;  // read before any verdict shows
    renderSteps(root, t, result.steps);
    renderResult(root, t, result);
    addStanding(root, t, result.number, standing);
  } catch (err) {
    status.textContent = "";
    showError(root, fill(t.error || "The check could not run: %(reason)s", { reason: err.message }));
  } finally {
    button.removeAttribute("aria-disabled");
    root.removeAttribute("aria-busy");
  }
}

// A drop zone hands the dropped file to its input, as if picked.
function bindDropZone(zone) {
  const target = zone.querySelector("input[type=file]");
  if (!target) return;
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      target.files = event.dataTransfer.files;
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
}

function bind(root) {
  const t = texts(root);
  const button = root.querySelector('[data-verifier-action="verify"]');
  root.querySelectorAll("[data-drop]").forEach(bindDropZone);
  // Every step named before the first run, so the visitor sees what will be checked.
  renderSteps(root, t, STEPS.map((name) => ({ name })));
  button.addEventListener("click", () => run(root, t, button));
  button.disabled = false;
  // Arrived from "find and verify" (the verify page, by a certificate's number): check at once.
  if (root.dataset.certificateUrl && root.hasAttribute("data-check-now")) { run(root, t, button); }
}

document.querySelectorAll("[data-verifier]").forEach(bind);
