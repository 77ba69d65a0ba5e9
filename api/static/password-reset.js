// The mailed link carries its token after "#", which the browser never sends to a server: it stays
// out of access logs and Referer headers. This puts it in the form and takes it off the address bar;
// without one (the page opened by its address, or a link cut short) the page says where to get one
// instead of showing a form that cannot work. A link opened again after it was used (or after it
// expired) says so at once: the form waits until the server, asked with the token in a request body,
// answers that the link still works (204) or not (410); if it cannot be asked, the form is shown and
// its answer will say.
// A password the server refused comes back on a page of its own, the token in the form already: the
// form stays, with the refusal above it, to try again.
const form = document.querySelector('form[action="/password/reset"]');
const returned = form ? form.querySelector('input[name="token"]').value : "";
const token = new URLSearchParams(window.location.hash.slice(1)).get("token") || returned;

async function linkStillWorks(value) {
  const body = new FormData();
  body.append("token", value);
  body.append("csrf_token", form.querySelector('input[name="csrf_token"]').value);
  try {
    const answer = await fetch("/password/reset/check", { method: "POST", body: body, credentials: "same-origin" });
    return answer.status !== 410;
  } catch (error) {
    return true;
  }
}

if (form) {
  window.history.replaceState(null, "", window.location.pathname);
  form.hidden = true;
  if (token && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    form.querySelector('input[name="token"]').value = token;
    linkStillWorks(token).then(function (works) {
      if (works) {
        form.hidden = false;
        const refused = form.querySelector('[aria-invalid="true"]');  // shown only now: app.js could not focus it
        if (refused) refused.focus();
      } else {
        document.querySelector("[data-spent]").hidden = false;
      }
    });
  } else {
    document.querySelector("[data-no-token]").hidden = false;
  }
}
