// The live alarm board: polls board.json every 2 seconds with If-None-Match, so an
// unchanged board costs a 304. Rows are built with textContent (no HTML from the server).
(function () {
  "use strict";
  var board = document.getElementById("alarm-board");
  if (!board) {
    return;
  }
  var empty = document.getElementById("alarm-board-empty");
  var etag = null;

  function render(alarms) {
    board.replaceChildren();
    alarms.forEach(function (a) {
      var row = document.createElement("a");
      row.className = "list-group-item list-group-item-action py-3" +
        (a.status === "open" ? " list-group-item-danger" : "");
      row.href = a.url;
      row.dataset.alarm = a.id;
      var kind = document.createElement("strong");
      kind.textContent = a.kind;
      row.appendChild(kind);
      var parts = [a.elder, a.facility, a.opened, a.status_label];
      if (a.escalated) {
        parts.push(board.dataset.escalated);
      }
      row.appendChild(document.createTextNode(" · " + parts.filter(Boolean).join(" · ")));
      board.appendChild(row);
    });
    empty.classList.toggle("d-none", alarms.length > 0);
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(board.dataset.url, { headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag");
          return response.json().then(function (data) { render(data.alarms); });
        }
        return null;
      })
      .catch(function () { return null; })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
