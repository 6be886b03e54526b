// Community staff forms: show only the fields that apply. The server checks the same rules
// (and the database enforces them); this only spares people a round trip.
(function () {
  "use strict";

  function fieldWrapper(input) {
    return input ? input.closest(".mb-3") || input.parentElement : null;
  }

  function toggleOrigin() {
    var relocated = document.getElementById("id_is_relocated");
    if (!relocated) return;
    var wrappers = ["id_origin_township", "id_origin_village"].map(function (id) {
      return fieldWrapper(document.getElementById(id));
    });
    function apply() {
      wrappers.forEach(function (w) {
        if (w) w.hidden = !relocated.checked && !w.querySelector("input").value;
      });
    }
    relocated.addEventListener("change", apply);
    apply();
  }

  function toggleRent() {
    var terms = document.getElementById("id_terms");
    var rent = document.getElementById("id_monthly_rent");
    if (!terms || !rent) return;
    function apply() {
      var free = terms.value === "free";
      // Keep a typed rent visible when the server has flagged it, so the error is readable.
      var flagged = rent.classList.contains("is-invalid");
      fieldWrapper(rent).hidden = free && !flagged;
      if (free && !flagged) rent.value = "0";
    }
    terms.addEventListener("change", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    toggleOrigin();
    toggleRent();
  });
})();
