// Red-line list: keep shared URLs short and tell screen readers how many lines match.
(function () {
  "use strict";

  // Leave empty fields out of the request (and so out of the URL htmx pushes).
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data) return;
    var empty = [];
    data.forEach(function (value, key) {
      if (value === "" && empty.indexOf(key) === -1) empty.push(key);
    });
    empty.forEach(function (key) {
      var kept = data.getAll(key).filter(function (v) { return v !== ""; });
      data.delete(key);
      kept.forEach(function (v) { data.append(key, v); });
    });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "results") return;
    var count = document.getElementById("result-count");
    var status = document.getElementById("result-status");
    if (count && status) status.textContent = count.textContent.replace(/\s+/g, " ").trim();
  });
})();
