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
    // The strokes are kept as points (CSS pixels), so a resize or a turn of the tablet redraws
    // them at once; re-reading the bitmap through an image would be asynchronous, and a quick
    // tap on Sign could then send an empty pad.
    var strokes = [];
    var current = null;
    var sizedAs = "";

    function style() {
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#14143c";
      context.fillStyle = "#14143c";
    }
    function dot(at) {
      context.beginPath();
      context.arc(at.x, at.y, 1, 0, 2 * Math.PI);
      context.fill();
    }
    function segment(from, to) {
      context.beginPath();
      context.moveTo(from.x, from.y);
      context.lineTo(to.x, to.y);
      context.stroke();
    }
    function redraw() {
      strokes.forEach(function (stroke) {
        dot(stroke[0]);
        for (var i = 1; i < stroke.length; i += 1) { segment(stroke[i - 1], stroke[i]); }
      });
    }
    function size() {
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      var width = Math.round(box.width * ratio);
      var height = Math.round(box.height * ratio);
      if (sizedAs === width + "x" + height + "@" + ratio) { return; }
      sizedAs = width + "x" + height + "@" + ratio;
      canvas.width = width;
      canvas.height = height;
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      style();
      redraw();
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
      dot(current[0]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current) { return; }
      event.preventDefault();
      var here = point(event);
      segment(current[current.length - 1], here);
      current.push(here);
    });
    function stop() {
      if (current) { missing.hidden = true; }
      current = null;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    document.getElementById("signature-clear").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      strokes = [];
      current = null;
      field.value = "";
    });
    form.addEventListener("submit", function (event) {
      if (!strokes.length) {
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
