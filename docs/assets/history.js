// Version pickers in answer timelines: compare any two versions. Without this
// script each timeline still shows the diff between consecutive versions.
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
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-csr-pairs]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
