// On every page. Below 576 px a table's rows are shown as cards (portal.css): each cell is
// labelled here with its column's header, so a phone shows every column, actions included,
// without sideways scrolling. Without JavaScript the table stays a scrollable table.
(function () {
  "use strict";

  function labelCells(table) {
    var headRow = table.querySelector("thead tr:last-child");
    if (!headRow || table.hasAttribute("data-no-cards")) {
      return;
    }
    var headers = [];
    Array.prototype.forEach.call(headRow.children, function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) {
        headers.push(th.textContent.replace(/\s+/g, " ").trim());
      }
    });
    // Shown as blocks, the parts would lose their table roles: keep them for screen readers.
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (part) {
      part.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var inHead = row.parentNode.tagName === "THEAD";
        if (cell.tagName === "TH") {
          cell.setAttribute("role", inHead || cell.scope === "col" ? "columnheader" : "rowheader");
        } else {
          cell.setAttribute("role", "cell");
        }
        var text = headers[column];
        if (!inHead && text && cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", text);
        }
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("table-cards");
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("main table.table"), labelCells);
  });
})();
