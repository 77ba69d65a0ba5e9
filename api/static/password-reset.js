// The mailed link carries its token after "#", which the browser never sends to a server: it stays
// out of access logs and Referer headers. This puts it in the form and takes it off the address bar;
// without one (the page opened by its address, or a link cut short) the page says where to get one
// instead of showing a form that cannot work.
const form = document.querySelector('form[action="/password/reset"]');
const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
if (form) {
  window.history.replaceState(null, "", window.location.pathname);
  if (token && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    form.querySelector('input[name="token"]').value = token;
  } else {
    form.hidden = true;
    document.querySelector("[data-no-token]").hidden = false;
  }
}
