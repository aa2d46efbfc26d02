// Material for MkDocs downloads the whole search index (search/search_index.json, the largest file of
// the site) on every page load, whether or not the reader searches. This script, loaded before
// Material's bundle, holds that one request back until the reader reaches for search: focus lands on
// the search box (a click on it, or the "/", "s" or "f" keys, all focus it) or the mobile search
// toggle is switched on. Then the request goes out, and search works as before.
(() => {
  "use strict";
  const INDEX_PATH = /\/search\/search_index\.json$/;
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  const held = [];
  let wanted = false;

  function release() {
    if (wanted) return;
    wanted = true;
    for (const sendNow of held.splice(0)) sendNow();
  }

  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.bookSearchIndex = INDEX_PATH.test(new URL(String(url), document.baseURI).pathname);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (this.bookSearchIndex && !wanted) {
      held.push(() => send.apply(this, args));
      return;
    }
    return send.apply(this, args);
  };

  document.addEventListener("focusin", (event) => {
    if (event.target instanceof Element && event.target.matches("[data-md-component=search-query]")) {
      release();
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.id === "__search" && event.target.checked) {
      release();
    }
  });
})();
