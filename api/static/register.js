// The registration wizard: in hash-only mode the file is hashed here (WebCrypto SHA-256) and the
// file input loses its name, so the form cannot send the file; in upload mode the form is sent
// with XMLHttpRequest to show a progress bar. Without this file the form still works: upload, or
// a SHA-256 typed in.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) { return; }
  var fileInput = form.querySelector('input[type="file"]');
  var sha = form.querySelector('input[name="sha256"]');
  var size = form.querySelector('input[name="size"]');
  var hashFields = form.querySelector("[data-hash-fields]");
  var status = form.querySelector("[data-hash-status]");
  var progressBox = form.querySelector("[data-progress]");
  var progress = progressBox.querySelector("progress");
  var progressText = progressBox.querySelector("[data-progress-text]");
  var texts = JSON.parse(document.getElementById("register-text").textContent);
  var hashing = null;
  var submit = form.querySelector('button:not([type="button"])');

  function mode() { return form.querySelector('input[name="mode"]:checked').value; }

  function toHex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function hashChosenFile() {
    var file = fileInput.files[0];
    if (!file || mode() !== "hash") { return Promise.resolve(); }
    status.textContent = texts.hashing;
    hashing = file.arrayBuffer().then(function (data) {
      return crypto.subtle.digest("SHA-256", data);
    }).then(function (digest) {
      sha.value = toHex(digest);
      size.value = String(file.size);
      status.textContent = texts.hashed;
    }, function () {
      status.textContent = texts.failed;
    });
    return hashing;
  }

  function showMode() {
    var hashOnly = mode() === "hash";
    // No name, no part in the form data: the file cannot be sent in hash-only mode.
    if (hashOnly) { fileInput.removeAttribute("name"); } else { fileInput.setAttribute("name", "file"); }
    hashFields.hidden = !hashOnly;
    sha.required = hashOnly;
    status.textContent = hashOnly ? texts.stays : "";
    if (hashOnly) { hashChosenFile(); }
  }

  function upload() {
    var xhr = new XMLHttpRequest();
    progressBox.hidden = false;
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.round(100 * event.loaded / event.total);
      progress.value = percent;
      progressText.textContent = percent + "%";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status < 400 && xhr.responseURL.indexOf("/copyright/records/") !== -1) {
        window.location.assign(xhr.responseURL);
        return;
      }
      document.open();  // the refused form, rendered by the server with its reason
      document.write(xhr.responseText);
      document.close();
      var refused = document.getElementById("form-error");  // said where it is put right, maybe in step 4
      if (refused) { refused.scrollIntoView(); }
    });
    xhr.addEventListener("error", function () {
      progressBox.hidden = true;
      submit.disabled = false;
      status.textContent = texts.network;
    });
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "text/html");  // a refusal comes back as the form, not as JSON
    xhr.send(new FormData(form));
  }

  // The dates are checked here as the server checks them, so a slip is caught before the form is
  // sent: a refused upload comes back without its file, which had to be chosen again.
  var completed = form.elements.namedItem("completion_date");
  var published = form.elements.namedItem("published");
  var pubDate = form.elements.namedItem("first_publication_date");
  var pubPlace = form.elements.namedItem("first_publication_place");
  function checkDates() {
    var today = completed.max;
    pubDate.min = completed.value || completed.min;  // the registry's earliest date until a completion is given
    completed.setCustomValidity(completed.value && completed.value > today ? texts.completedFuture : "");
    pubDate.setCustomValidity(pubDate.value && pubDate.value > today ? texts.publishedFuture
      : pubDate.value && completed.value && pubDate.value < completed.value ? texts.publishedEarly : "");
    published.setCustomValidity(!published.checked && (pubDate.value || pubPlace.value.trim()) ? texts.tickPublished : "");
    pubDate.required = published.checked;
    if (published.checked && !pubDate.value) { pubDate.setCustomValidity(texts.publishedNoDate); }
  }
  [completed, published, pubDate, pubPlace].forEach(function (input) {
    input.addEventListener("input", checkDates);
    input.addEventListener("change", checkDates);
  });
  checkDates();

  form.querySelectorAll('input[name="mode"]').forEach(function (radio) {
    radio.addEventListener("change", showMode);
  });
  fileInput.addEventListener("change", hashChosenFile);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit.disabled = true;  // one registration per click, however impatient the click
    if (mode() === "hash") {
      (hashing || hashChosenFile()).then(function () { form.submit(); });
    } else {
      upload();
    }
  });
  showMode();
})();
