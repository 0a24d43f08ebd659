// Version pickers in answer timelines: compare any two versions; a link to a row opens
// and marks it. Without this script each timeline still shows the diff between
// consecutive versions, and a link still lands on its row.
(function () {
  "use strict";
  function setup(box) {
    var selects = box.querySelectorAll("select");
    if (selects.length !== 2) return;
    box.hidden = false;
    selects[1].selectedIndex = selects[1].options.length - 1;
    function update() {
      var a = Number(selects[0].value), b = Number(selects[1].value);
      var lo = Math.min(a, b), hi = Math.max(a, b);
      Array.prototype.forEach.call(box.querySelectorAll("[data-pair]"), function (d) {
        d.hidden = d.getAttribute("data-pair") !== lo + "-" + hi;
      });
    }
    selects[0].addEventListener("change", update);
    selects[1].addEventListener("change", update);
    update();
  }
  // A link to one answer's row (a change, a feed entry: page#row) opens that row's
  // history and marks the row, so the reader sees which answer the link meant.
  function target() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var row = id && document.getElementById(id);
    if (!row || row.tagName !== "TR") return;
    Array.prototype.forEach.call(document.querySelectorAll("tr.csr-target"), function (r) {
      r.classList.remove("csr-target");
    });
    row.hidden = false;
    row.classList.add("csr-target");
    var details = row.querySelector("details.csr-history");
    if (details) details.open = true;
    row.scrollIntoView({block: "center"});
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-csr-pairs]"), setup);
    target();
    window.addEventListener("hashchange", target);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
