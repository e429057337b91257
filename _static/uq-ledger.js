/* The ledger filter: show the claims of the checked statuses and of the chosen
   section of the paper.  Plain JavaScript, no network.  The rows and entries it
   filters carry data-uq-item, data-uq-status and data-uq-sections ("|§3|§4|");
   uqsurvey/book/ledger_page.py writes them.  The query string preselects a
   filter: chapters/ledger.html?status=differs&section=§3 */
(function () {
  "use strict";

  function setUp(form) {
    var boxes = form.querySelectorAll('input[name="status"]');
    var select = form.querySelector('select[name="section"]');
    var count = form.querySelector(".uq-filter-count");
    var items = document.querySelectorAll("[data-uq-item]");

    function apply() {
      var wanted = {};
      boxes.forEach(function (b) { if (b.checked) { wanted[b.value] = true; } });
      var section = select ? select.value : "";
      var claims = 0;
      items.forEach(function (el) {
        var show = !!wanted[el.getAttribute("data-uq-status")] &&
          (!section || el.getAttribute("data-uq-sections").indexOf("|" + section + "|") >= 0);
        el.hidden = !show;
        if (show && el.tagName === "SECTION") { claims += 1; }
      });
      var entries = document.querySelectorAll("section[data-uq-item]").length;
      if (count) { count.textContent = "Showing " + claims + " of " + entries + " claims."; }
    }

    var params = new URLSearchParams(window.location.search);
    var only = params.getAll("status");
    if (only.length) {
      boxes.forEach(function (b) { b.checked = only.indexOf(b.value) >= 0; });
    }
    if (select && params.get("section")) {
      var s = params.get("section");
      if ([].some.call(select.options, function (o) { return o.value === s; })) { select.value = s; }
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply();
  }

  function init() {
    document.querySelectorAll("form.uq-filter").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
