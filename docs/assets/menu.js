// The theme's menu button (☰, shown on narrow screens) is a <label> for a hidden
// checkbox: Tab never reached it (header.html now gives it tabindex and role), while Tab
// did reach the links of the closed, off-screen drawer (site.css hides them). The theme
// presses a focused label on Enter; here Space does the same, opening the drawer from
// the keyboard moves the focus into it, and Escape closes it and gives the focus back.
(function () {
  "use strict";
  var drawer = document.getElementById("__drawer");
  var button = document.querySelector('.md-header__button[for="__drawer"]');
  if (!drawer || !button) return;
  button.addEventListener("keydown", function (event) {
    if (event.key !== " ") return;
    event.preventDefault();  // no scrolling
    button.click();
  });
  drawer.addEventListener("change", function () {
    button.setAttribute("aria-expanded", drawer.checked ? "true" : "false");
    var link = document.querySelector(".md-sidebar--primary a[href]");
    if (drawer.checked && document.activeElement === button && link) {
      // once the drawer is visible again (site.css delays hiding it, not showing it)
      window.requestAnimationFrame(function () { link.focus(); });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && drawer.checked) {
      button.click();
      button.focus();
    }
  });
  button.setAttribute("aria-expanded", drawer.checked ? "true" : "false");
})();
