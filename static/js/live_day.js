// The child's day, live: ask every few seconds whether the child's records changed.
// A conditional request (If-None-Match) answers 304 with no body while nothing changed;
// on a change the server sends the fresh fragment, which replaces the live part of the page.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("live-day");
    if (!box || !window.fetch) {
      return;
    }
    var url = box.dataset.liveUrl;
    var etag = box.dataset.etag;
    var seconds = parseInt(box.dataset.pollSeconds, 10) || 10;
    var busy = false;
    function poll() {
      if (busy || document.hidden) {
        return;
      }
      busy = true;
      fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "If-None-Match": etag, "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag") || etag;
          return response.text().then(function (html) {
            box.innerHTML = html;
          });
        }
        return null;
      }).catch(function () {
        // Offline for a moment: the next poll tries again.
      }).then(function () {
        busy = false;
      });
    }
    window.setInterval(poll, seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        poll();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
