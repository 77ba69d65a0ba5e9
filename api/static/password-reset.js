// The mailed link carries its token after "#", which the browser never sends to a server: it stays
// out of access logs and Referer headers. This puts it in the form and takes it off the address bar.
const field = document.querySelector('form[action="/password/reset"] input[name="token"]');
const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
if (field && token) {
  field.value = token;
  window.history.replaceState(null, "", window.location.pathname);
} else if (field && !field.value) {
  document.querySelector("[data-no-token]").hidden = false;
}
