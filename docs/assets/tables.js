// Sorting and filtering for tables marked data-csr-sortable. The tables read fine
// without this script; it only adds a filter box and sortable column headers.
(function () {
  "use strict";
  function cellText(row, index) {
    var cell = row.children[index];
    return cell ? cell.textContent.trim() : "";
  }
  function compare(a, b) {
    var na = parseFloat(a), nb = parseFloat(b);
    if (!isNaN(na) && !isNaN(nb) && String(na) === a && String(nb) === b) return na - nb;
    return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  }
  function setup(table) {
    var body = table.tBodies[0];
    if (!body || table.dataset.csrReady) return;
    table.dataset.csrReady = "1";
    var label = document.createElement("label");
    label.className = "csr-filter";
    label.textContent = "Filter rows: ";
    var input = document.createElement("input");
    input.type = "search";
    input.setAttribute("aria-label", "Filter the rows of this table");
    label.appendChild(input);
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "csr-filter-status";
    label.appendChild(status);
    table.parentNode.insertBefore(label, table);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLocaleLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var hit = !needle || row.textContent.toLocaleLowerCase().indexOf(needle) !== -1;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      status.textContent = needle ? " " + shown + " of " + body.rows.length + " rows" : "";
    });
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "csr-sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var r = compare(cellText(a, index), cellText(b, index));
          return ascending ? r : -r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-csr-sortable]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
