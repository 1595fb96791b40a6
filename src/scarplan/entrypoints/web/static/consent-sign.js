// The consent signature pad: draw with a finger, a stylus or the mouse (pointer events);
// the drawing goes with the form as a PNG data URL.
(function () {
  "use strict";
  function setUp() {
    var canvas = document.getElementById("signature-canvas");
    var form = document.getElementById("consent-sign-form");
    if (!canvas || !form) { return; }
    var field = document.getElementById("signature-data");
    var missing = document.getElementById("signature-missing");
    var context = canvas.getContext("2d");
    var strokes = 0;
    var drawing = false;
    var last = null;

    function size() {
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      var keep = strokes ? canvas.toDataURL("image/png") : null;
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#14143c";
      if (keep) {
        var image = new Image();
        image.onload = function () { context.drawImage(image, 0, 0, box.width, box.height); };
        image.src = keep;
      }
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      context.beginPath();
      context.arc(last.x, last.y, 1, 0, 2 * Math.PI);
      context.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var here = point(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(here.x, here.y);
      context.stroke();
      last = here;
    });
    function stop() {
      if (drawing) { strokes += 1; missing.hidden = true; }
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    document.getElementById("signature-clear").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      strokes = 0;
      field.value = "";
    });
    form.addEventListener("submit", function (event) {
      if (!strokes) {
        event.preventDefault();
        missing.hidden = false;
        canvas.focus();
        return;
      }
      field.value = canvas.toDataURL("image/png");
    });
    size();
    window.addEventListener("resize", size);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
