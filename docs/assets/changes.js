// The filter of a Changes page: by survey, CA owner (part of a name) and kind. Without
// this script the form stays hidden and the page lists every entry (each survey also
// has a Changes page of its own).
(function () {
  "use strict";
  function setup(form) {
    var table = form.parentNode.querySelector("table[data-csr-changes]");
    if (!table) return;
    var rows = table.tBodies[0].rows;
    var survey = form.elements.survey, owner = form.elements.owner, kind = form.elements.kind;
    var status = form.querySelector("output");
    form.hidden = false;
    function update() {
      var s = survey ? survey.value : "", k = kind.value;
      var o = owner.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var owners = row.getAttribute("data-owners").toLowerCase();
        var match = (!s || row.getAttribute("data-survey") === s) &&
          (!k || row.getAttribute("data-kind") === k) && (!o || owners.indexOf(o) !== -1);
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = shown === rows.length ? "" :
        shown + (shown === 1 ? " entry" : " entries") + " of " + rows.length + " shown";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    update();
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-csr-change-filter]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
