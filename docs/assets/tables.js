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
  var counter = 0;
  // On a phone (site.css) a table marked data-csr-cards shows each row as a card: every
  // cell is labelled with its column's header, which the script copies into data-label.
  function label(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : null;
    // A matrix (data-csr-matrix) stays a grid of short codes that scrolls sideways.
    if (!heads || !table.tBodies[0] || table.hasAttribute("data-csr-matrix")) return;
    table.setAttribute("data-csr-cards", "");
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        if (heads[index]) cell.setAttribute("data-label", heads[index].textContent.trim());
      });
    });
  }
  // The chart's SVG scales with its box: on a narrow screen its 15 px labels would
  // shrink to 8 px. There the drawing gets a wider viewBox (labels at 12 px), and so it
  // does where its longest label (each stands above its bar) is wider than the drawing;
  // the bars are drawn to the new width, so that a bar's length stays its share. A label
  // still too long makes the chart wider than the screen, and its figure scrolls
  // sideways and says so (site.css, .csr-wide).
  var LABEL = 15, SMALLEST = 12, MARGIN = 20;
  function fitChart(svg) {
    var box = svg.viewBox.baseVal, figure = svg.parentNode;
    if (!box) return;
    if (!svg.dataset.csrWidth) svg.dataset.csrWidth = String(box.width);
    var natural = Number(svg.dataset.csrWidth);
    svg.style.width = "";
    var shown = svg.getBoundingClientRect().width;
    if (!shown) return;
    var longest = 0;
    // Each line of a label is a tspan (a label of two lines is not one long line).
    Array.prototype.forEach.call(svg.querySelectorAll("text tspan"), function (t) {
      longest = Math.max(longest, t.getComputedTextLength());
    });
    var width = Math.max(natural, longest + 4);
    if (shown * LABEL / width < SMALLEST) width = Math.max(shown * LABEL / SMALLEST, longest + 4);
    width = Math.floor(width);  // rounded down: labels a little over 12 px, never under
    var scale = (width - MARGIN) / (natural - MARGIN);
    Array.prototype.forEach.call(svg.querySelectorAll("rect.csr-bar"), function (rect) {
      if (!rect.dataset.csrWidth) rect.dataset.csrWidth = rect.getAttribute("width");
      rect.setAttribute("width", String(Math.max(1, Math.round(Number(rect.dataset.csrWidth) * scale))));
    });
    svg.setAttribute("viewBox", "0 0 " + width + " " + box.height);
    var wide = width * SMALLEST / LABEL > shown + 0.5;
    if (wide) svg.style.width = Math.ceil(width * SMALLEST / LABEL) + "px";
    figure.classList.toggle("csr-wide", wide);
  }
  function setup(table) {
    var body = table.tBodies[0];
    if (!body || table.dataset.csrReady) return;
    table.dataset.csrReady = "1";
    // A visible label tied to the field, and a count that always says how many rows show.
    var box = document.createElement("div");
    box.className = "csr-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "csr-filter-" + (++counter);
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = "Filter rows";
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "csr-filter-status";
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    // Before the theme's sideways-scrolling wrapper, if the table is in one: a wide
    // matrix must not carry the box out of sight with it on a phone.
    var at = table.closest(".md-typeset__scrollwrap") || table;
    at.parentNode.insertBefore(box, at);
    function count(shown) {
      var all = body.rows.length, rows = all === 1 ? " row" : " rows";
      status.textContent = shown === all ? (all === 1 ? "1 row" : "all " + all + rows)
        : shown === 0 ? "no row matches (" + all + rows + " in all)"
        : shown + " of " + all + rows;
    }
    count(body.rows.length);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLocaleLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var hit = !needle || row.textContent.toLocaleLowerCase().indexOf(needle) !== -1;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      count(shown);
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
    Array.prototype.forEach.call(document.querySelectorAll(".md-content table"), label);
    var charts = document.querySelectorAll("svg.csr-chart");
    Array.prototype.forEach.call(charts, fitChart);
    window.addEventListener("resize", function () {
      Array.prototype.forEach.call(charts, fitChart);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
