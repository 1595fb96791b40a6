// scarplan page behaviour: lesion rows on the assessment form, earlier-procedure rows on the
// intake. No framework; event delegation on document so rows added later, and parts swapped in
// by HTMX, work without re-binding.
"use strict";

(function () {
  // The main menu on a phone: app.css hides the links behind the "Menu" button only once this
  // script runs (the "js" class), so without script every link shows.
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest(".menu-button") : null;
    if (!button) {
      return;
    }
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.closest(".top").classList.toggle("open", open);
  });

  function form() {
    return document.getElementById("assessment-form");
  }

  function changed() {
    var f = form();
    if (f && window.htmx) {
      window.htmx.trigger(f, "lesions-changed");
    }
  }

  function value(id) {
    var el = document.getElementById(id);
    return el ? el.value.trim() : "";
  }

  function addLesion() {
    var template = document.getElementById("lesion-row-template");
    var body = document.getElementById("lesion-rows");
    if (!template || !body) {
      return;
    }
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelector('[name="lesion_region"]').value = value("new-lesion-region");
    row.querySelector('[name="lesion_type"]').value = value("new-lesion-type");
    row.querySelector('[name="lesion_count"]').value = value("new-lesion-count");
    row.querySelector('[name="lesion_width_mm"]').value = value("new-lesion-width");
    row.querySelector('[name="lesion_depth_mm"]').value = value("new-lesion-depth");
    body.appendChild(row);
    ["new-lesion-count", "new-lesion-width", "new-lesion-depth"].forEach(function (id) {
      document.getElementById(id).value = "";
    });
    var status = document.getElementById("face-map-status");
    if (status) {
      status.textContent = "Lesion group added.";
    }
    document.getElementById("new-lesion-count").focus();
    changed();
  }

  // Intake: another "Earlier procedures" row, its fields numbered after the last row's.
  function addPriorProcedure() {
    var template = document.getElementById("prior-row-template");
    var rows = document.getElementById("prior-rows");
    if (!template || !rows) {
      return;
    }
    var next = 0;
    rows.querySelectorAll("[name^='prior_kind_']").forEach(function (field) {
      next = Math.max(next, parseInt(field.name.slice("prior_kind_".length), 10) + 1);
    });
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[name]").forEach(function (field) {
      field.name = field.name.replace("__row__", String(next));
    });
    row.querySelector("legend").textContent = "Procedure " + (next + 1);
    rows.appendChild(row);
    row.querySelector("select").focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.closest("[data-add-prior]")) {
      event.preventDefault();
      addPriorProcedure();
    } else if (target.closest("[data-add-lesion]")) {
      event.preventDefault();
      addLesion();
    } else if (target.closest("[data-remove-row]")) {
      event.preventDefault();
      target.closest("tr").remove();
      changed();
    }
  });

  // Enter in the composer adds the group instead of submitting the whole assessment.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target instanceof Element && target.closest("[data-composer]")) {
      event.preventDefault();
      addLesion();
    }
  });
})();
