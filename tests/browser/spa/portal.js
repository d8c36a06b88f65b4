// A portal of the ENT framing « Mes données » (`#page=…`): when the page says it waits for a
// token, the portal posts it `#token=…` in the message the page reads, to the page's origin
// only. `window.readyMessages` counts the page's calls.

const params = new URLSearchParams(location.hash.slice(1));
const page = params.get("page");
const frame = document.getElementById("mesdonnees");
window.readyMessages = 0;

window.addEventListener("message", (event) => {
  if (event.source !== frame.contentWindow || event.data?.type !== "mesdonnees.ready") return;
  window.readyMessages += 1;
  if (params.has("token")) {
    frame.contentWindow.postMessage({ type: "mesdonnees.token", token: params.get("token") }, new URL(page).origin);
  }
});
frame.src = page;
