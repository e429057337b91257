/* Figures on a narrow screen.  A figure is drawn for the text column of a desktop
   window (uqsurvey.plots.TEXT_WIDTH); on a phone it is shrunk to fit, and its text with
   it.  When a figure is shown at less than ZOOM_BELOW of its own width, a tap (or Enter
   or Space) shows it at its own size in a box that scrolls sideways, and a second tap
   fits it to the screen again.  Nothing changes where figures are shown at full size. */
(function () {
  "use strict";
  var ZOOM_BELOW = 0.8;
  var FIT = "Tap the figure to see it at full size (then scroll sideways).";
  var FULL = "Full size: scroll sideways; tap the figure to fit it to the screen.";

  function toggle(box, img, hint) {
    var zoomed = box.classList.toggle("uq-zoomed");
    img.setAttribute("aria-expanded", zoomed ? "true" : "false");
    hint.textContent = zoomed ? FULL : FIT;
    update(box, img);
  }

  function update(box, img) {
    if (box.classList.contains("uq-zoomed")) {
      box.classList.add("uq-zoomable");
      return;
    }
    var shown = img.getBoundingClientRect().width;
    var shrunk = img.naturalWidth > 0 && shown > 0 && shown < ZOOM_BELOW * img.naturalWidth;
    box.classList.toggle("uq-zoomable", shrunk);
    if (shrunk) {
      img.setAttribute("role", "button");
      img.setAttribute("tabindex", "0");
      img.setAttribute("aria-expanded", "false");
    } else {
      img.removeAttribute("role");
      img.removeAttribute("tabindex");
      img.removeAttribute("aria-expanded");
    }
  }

  function setup() {
    var boxes = [];
    document.querySelectorAll("article.bd-article figure img").forEach(function (img) {
      if (img.closest(".uq-zoom")) return;
      var box = document.createElement("div");
      box.className = "uq-zoom";
      img.parentNode.insertBefore(box, img);
      box.appendChild(img);
      var hint = document.createElement("p");
      hint.className = "uq-zoom-hint";
      hint.textContent = FIT;
      box.parentNode.insertBefore(hint, box.nextSibling);
      img.addEventListener("click", function () {
        if (box.classList.contains("uq-zoomable")) toggle(box, img, hint);
      });
      img.addEventListener("keydown", function (ev) {
        if ((ev.key === "Enter" || ev.key === " ") && box.classList.contains("uq-zoomable")) {
          ev.preventDefault();
          toggle(box, img, hint);
        }
      });
      if (!img.complete) img.addEventListener("load", function () { update(box, img); });
      boxes.push([box, img]);
    });
    function all() { boxes.forEach(function (b) { update(b[0], b[1]); }); }
    all();
    window.addEventListener("resize", all);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
