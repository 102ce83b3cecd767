// The live-reload client of `sitegen serve`. The server adds it to the pages it serves;
// it is never written to the output folder.
(() => {
  "use strict";
  const script = document.currentScript;
  const session = script.dataset.session;
  let epoch = script.dataset.epoch;
  let source = null;
  const scrollKey = "sitegen-scroll:" + location.pathname;
  const overlayId = "__sitegen_errors";

  // The browser's own restoration runs before MathJax has typeset the page, and
  // typesetting moves everything below; so the position is kept and restored here.
  history.scrollRestoration = "manual";
  restoreScroll();

  function restoreScroll() {
    const saved = sessionStorage.getItem(scrollKey);
    if (saved === null) return;
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    let moved = false;
    for (const type of ["wheel", "touchstart", "keydown"]) {
      addEventListener(type, () => { moved = true; }, { once: true, passive: true });
    }
    const apply = () => { if (!moved) scrollTo(x, y); };
    apply();
    addEventListener("load", () => {
      apply();
      const typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
      if (typeset) typeset.then(apply);
      if (document.fonts) document.fonts.ready.then(apply);
    });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([scrollX, scrollY]));
    location.reload();
  }

  function swapStylesheets(paths) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      if (url.origin !== location.origin || !paths.includes(url.pathname)) continue;
      url.searchParams.set("sitegen", Date.now());
      // The new sheet goes in beside the old one, which leaves once it has loaded: no flash.
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  function showErrors(lines) {
    let overlay = document.getElementById(overlayId);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = overlayId;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2em;" +
        "background:rgba(24,24,27,.94);color:#fafafa;font:14px/1.5 ui-monospace,monospace;";
      document.body.append(overlay);
    }
    const title = document.createElement("p");
    title.style.cssText = "margin:0 0 1em;color:#fca5a5;font-weight:bold;";
    title.textContent = "sitegen: the last save did not build. Still showing the last good version.";
    const list = document.createElement("pre");
    list.style.cssText = "margin:0;white-space:pre-wrap;";
    list.textContent = lines.join("\n");
    overlay.replaceChildren(title, list);
  }

  function clearErrors() {
    const overlay = document.getElementById(overlayId);
    if (overlay) overlay.remove();
  }

  function connect() {
    const query = new URLSearchParams({ path: location.pathname, epoch, session });
    source = new EventSource("/__sitegen/events?" + query);
    source.addEventListener("reload", reload);
    source.addEventListener("css", (message) => {
      const data = JSON.parse(message.data);
      epoch = data.epoch;
      swapStylesheets(data.paths);
    });
    source.addEventListener("build-error", (message) => showErrors(JSON.parse(message.data).errors));
    source.addEventListener("build-ok", clearErrors);
  }

  // Browsers allow a handful of connections per server: a tab in the background
  // lets go of its stream and catches up on what it missed when it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && source) {
      source.close();
      source = null;
    } else if (document.visibilityState === "visible" && !source) {
      connect();
    }
  });
  if (document.visibilityState !== "hidden") connect();
})();
